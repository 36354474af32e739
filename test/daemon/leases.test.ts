import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import type { Services } from '../../src/app/index.js';
import type { EnvironmentConfig, LoadedConfig } from '../../src/config/index.js';
import { LeaseLostError, RunLeases, type LeaseTiming } from '../../src/daemon/leases.js';
import { GitLeases, GitRepo, ensureBareRepo } from '../../src/git/index.js';
import { createLogger } from '../../src/log/index.js';

// Issue 15, several replicas: a run still going an hour after it took its environment's lease is
// taken to hang; its lease is no longer renewed, so that another replica takes the environment
// over once it runs out, and whatever the hung run does later records nothing. The clock is
// moved (only `Date` is faked: git, the renewal timer and the polling run for real), not waited for.

const work = mkdtempSync(join(tmpdir(), 'tmlsync-run-deadline-'));
const committer = { name: 'tmlsync', email: 'tmlsync@localhost' };
const LOCK = 'refs/tmlsync/dev/lock';
afterAll(() => rmSync(work, { recursive: true, force: true }));
afterEach(() => vi.useRealTimers());

/** A remote of its own on this machine, a work tree on it (`dir`), and a daemon's leases there with `timing`. */
async function daemonOn(name: string, dir: string, timing: Partial<LeaseTiming> = {}): Promise<{ bare: string; repo: GitRepo; leases: RunLeases }> {
  const bare = join(work, `${name}.git`);
  await ensureBareRepo(bare);
  const repo = await GitRepo.open(join(work, dir), { remoteUrl: bare, committer });
  const config = { server: { leaseSeconds: 60 }, repository: { url: bare, committer } } as unknown as LoadedConfig;
  const services = { env: {}, redactor: { add: () => undefined } } as unknown as Services;
  return { bare, repo, leases: new RunLeases(config, services, timing) };
}

async function until(what: () => boolean, tries = 200): Promise<boolean> {
  for (let i = 0; i < tries && !what(); i += 1) await new Promise((resolve) => setTimeout(resolve, 25));
  return what();
}

describe('a run past its deadline', () => {
  it('has its lease renewed no more, so that another replica takes the environment over, and then publishes nothing', { timeout: 30_000 }, async () => {
    // The default timing (a 60 s lease, an hour's deadline), renewed every 20 ms so that the renewal after the clock moved comes at once.
    const { bare, repo, leases } = await daemonOn('remote', 'a', { renewEveryMs: 20 });
    await GitRepo.open(join(work, 'b'), { remoteUrl: bare, committer });
    expect(leases.timing.runDeadlineMs).toBe(60 * 60 * 1000);
    const other = new GitLeases(join(work, 'b'), { ttlMs: 60_000, skewMarginMs: 10_000, committer });
    const lines: { msg: string }[] = [];
    const log = createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(JSON.parse(line) as { msg: string }) } });
    vi.useFakeTimers({ toFake: ['Date'] });

    const held = await leases.hold({ name: 'dev', branch: 'dev' } as EnvironmentConfig, repo, log, async (fenced) => {
      vi.setSystemTime(Date.now() + 61 * 60 * 1000); // an hour and a minute into the run
      expect(await until(() => lines.some((l) => l.msg.startsWith('run past its deadline')))).toBe(true);
      // Not renewed: by the other replica's clock the lease has run out, and it takes over.
      expect(await other.take(LOCK, 'replica b')).toMatchObject({ taken: true, lease: { record: { holder: 'replica b' } } });
      return fenced.publish({ states: () => Promise.resolve([{ ref: 'refs/tmlsync/dev/deploy', files: { 'deploy.json': '{}\n' }, message: 'late' }]) }).catch((error: unknown) => error);
    });

    expect(held).toMatchObject({ held: true, value: expect.any(LeaseLostError) });
    const refs = execFileSync('git', ['for-each-ref', '--format=%(refname)'], { cwd: bare, encoding: 'utf8' });
    expect(refs.trim()).toBe(LOCK);
    expect(execFileSync('git', ['show', `${LOCK}:lock.json`], { cwd: bare, encoding: 'utf8' })).toContain('"holder":"replica b"');
  });
});

describe('a state write under the lease', () => {
  it('holds exactly the files given, as the repository writes it, with the lease moved in the same push', { timeout: 30_000 }, async () => {
    const { bare, repo, leases } = await daemonOn('exact', 'exact');
    const backup = 'refs/tmlsync/dev/prune-backup';
    const held = await leases.hold({ name: 'dev', branch: 'dev' } as EnvironmentConfig, repo, createLogger({ level: 'silent' }), async (fenced) => {
      await fenced.writeState(backup, { 'old.tml': 'old\n', 'kept.tml': 'kept\n' }, 'first backup');
      await fenced.writeState(backup, { 'kept.tml': 'kept again\n' }, 'second backup');
      return execFileSync('git', ['show', `${LOCK}:lock.json`], { cwd: bare, encoding: 'utf8' });
    });
    // Not the first backup's files with the second's on top: a write under the lease kept its parent's files.
    expect(execFileSync('git', ['ls-tree', '--name-only', backup], { cwd: bare, encoding: 'utf8' }).trim()).toBe('kept.tml');
    expect(held).toMatchObject({ held: true, value: expect.stringContaining('"counter":3') });
  });
});

describe('the end of a run', () => {
  // Renewals fall due every 5 ms while the run's one write is pushed, and wait behind it: none is
  // made once the run has stopped, where each was a push (6 git processes) before the release.
  it('makes no renewal that fell due behind its last write', { timeout: 30_000 }, async () => {
    const { bare, repo, leases } = await daemonOn('last-write', 'last-write', { renewEveryMs: 5 });
    const renew = vi.spyOn(GitLeases.prototype, 'renew');
    const held = await leases.hold({ name: 'dev', branch: 'dev' } as EnvironmentConfig, repo, createLogger({ level: 'silent' }), (fenced) =>
      fenced.publish({ states: () => Promise.resolve([{ ref: 'refs/tmlsync/dev/deploy', files: { 'deploy.json': '{}\n' }, message: 'last' }]) }));
    expect(held).toEqual({ held: true, value: true });
    expect(renew).not.toHaveBeenCalled();
    // Released: the run's write landed, the lease is gone.
    expect(execFileSync('git', ['for-each-ref', '--format=%(refname)'], { cwd: bare, encoding: 'utf8' }).trim()).toBe('refs/tmlsync/dev/deploy');
  });
});
