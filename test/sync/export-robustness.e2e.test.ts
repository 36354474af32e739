import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { GitRepo } from '../../src/git/index.js';
import { runExport } from '../../src/sync/export/export.js';
import { repoWith } from '../../src/sync/kernel/repo-view.js';
import { INLINE_OPS } from '../../src/sync/kernel/tree-writer.js';
import type { ContentRepo } from '../../src/sync/ports.js';
import { thoughtspotPort } from '../../src/app/index.js';
import { CLI_MAIN, cli } from '../support/cli.js';
import { git } from '../support/git-server.js';
import { useStage } from '../support/stage.js';
import { API_VERSIONS, clientOf, endpointOf } from '../support/api.js';
import { until, withSilent } from '../support/net.js';

const committer = { name: 'tmlsync', email: 'tmlsync@localhost' };

// One emulator and one git server for both versions: each version's remotes and folders are its own.
const stage = useStage('tmlsync-robust-');

describe.each(API_VERSIONS)('export robustness, over %s', (api) => {
  let n = 0;
  const dir = (label: string) => join(stage.work, `${api}-${label}-${(n += 1)}`);
  /** A new remote of this version's; `tree` and `bare` name it without the version. */
  const createRemote = (name: string) => stage.server.createRepo(`${name}-${api}`);
  const bare = (name: string) => stage.server.pathOf(`${name}-${api}`);

  /** The workflow's client in this version, with retries for the fault knobs. */
  function client(url: string) {
    return clientOf(api, url, { retry: { attempts: 8, baseDelayMs: 5, maxDelayMs: 50 } });
  }

  /** The branch's files with their blob ids: equal trees mean equal content. */
  function tree(repo: string, branch = 'dev'): string {
    return git(bare(repo), 'ls-tree', '-r', branch);
  }

  let reference: Promise<string> | undefined;
  /** The branch a fault-free export of the stage's emulator makes: exported once, for every test that compares with it. */
  function faultFreeTree(): Promise<string> {
    reference ??= (async () => {
      const remote = createRemote('reference');
      await runExport({ environment: { name: 'dev', branch: 'dev' }, thoughtspot: thoughtspotPort(client(stage.emulator.url)), repo: await GitRepo.open(dir('ref'), { remoteUrl: remote, committer }), committer });
      return tree('reference');
    })();
    return reference;
  }

  function config(remote: string, url: string, extra = ''): string {
    const file = join(stage.work, `config-${api}-${(n += 1)}.yaml`);
    writeFileSync(file, `repository:\n  url: ${remote}\nworkDir: ${dir('wd')}\nenvironments:\n  dev:\n    url: ${url}\n    username: tsadmin\n    api: ${api}\n    password: \${TS_PASSWORD:-admin}\n${extra}`);
    return file;
  }

  it('ends with exactly the files of a fault-free run under 5xx, 429, dropped connections and expiring sessions', async () => {
    const expected = await faultFreeTree();
    // The same demo content (fixed GUIDs), behind every fault the emulator can inject.
    const faulty = await startEmulator({ failRate: 0.1, rateLimit: 20, dropRate: 0.05, sessionTtlMs: 2000, random: mulberry(7) });
    try {
      const remote = createRemote('faults');
      const report = await runExport({
        environment: { name: 'dev', branch: 'dev' }, thoughtspot: thoughtspotPort(client(faulty.url)), repo: await GitRepo.open(dir('faults'), { remoteUrl: remote, committer }), committer, batchSize: 3,
      });
      expect(report.counts.failed).toBe(0);
      expect(tree('faults')).toBe(expected);
    } finally {
      await faulty.close();
    }
  });

  /** An export whose publication meets a commit someone else pushed just before it: it lands, rebased, and loses nothing. */
  async function exportRaced(name: string, emulator: RunningEmulator): Promise<void> {
    const remote = createRemote(name);
    const real = await GitRepo.open(dir(name), { remoteUrl: remote, committer });
    const other = await GitRepo.open(dir('other'), { remoteUrl: remote, committer });
    let raced = false;
    const racing: ContentRepo = repoWith(real, {
      async publish(publication) {
        if (!raced && publication.branch) {
          raced = true;
          await other.fetch();
          await other.checkout(publication.branch);
          writeFileSync(join(other.dir, 'README.md'), 'written by someone else\n');
          await other.commitAll('docs: a human commit', { name: 'Human', email: 'h@example.com' });
          await other.push(publication.branch);
        }
        return real.publish(publication);
      },
    });
    const report = await runExport({ environment: { name: 'dev', branch: 'dev' }, thoughtspot: thoughtspotPort(client(emulator.url)), repo: racing, committer });
    expect(report.outcome).toBe('ok');
    const files = git(bare(name), 'ls-tree', '-r', '--name-only', 'dev').split('\n');
    expect(files).toContain('README.md');
    expect(files.filter((f) => f.startsWith('tml/'))).toHaveLength(emulator.state.objects.size);
    expect(git(bare(name), 'log', '--format=%s', 'dev')).toContain('docs: a human commit');
    // The rebase went over whole files: the tree holds the branch's tip, nothing more, nothing less.
    expect(git(real.dir, 'status', '--porcelain', '-uall')).toBe('');
    expect(git(real.dir, 'rev-parse', 'HEAD')).toBe(git(bare(name), 'rev-parse', 'dev'));
  }

  it('lands and loses nothing when another commit reaches the branch between fetch and push', async () => {
    await exportRaced('race', stage.emulator);
  });

  it('lands and loses nothing when the push is raced in a run with more files than it writes on its own thread (issue 16)', async () => {
    // More objects than the run writes on its own thread (INLINE_OPS): the rest go to the worker, whose files the commits and the push do not wait for.
    const many = await startEmulator({ seed: 'none', seedScale: Math.ceil((INLINE_OPS * 2) / 7) });
    try {
      await exportRaced('race-worker', many);
    } finally {
      await many.close();
    }
  });

  it('leaves no partial commit when killed mid-export, and the next run converges to the uninterrupted tree', async () => {
    const expected = await faultFreeTree();
    const slow = await startEmulator({ latencyMs: 40 });
    for (const [id, record] of stage.emulator.state.objects) slow.state.objects.set(id, structuredClone(record));
    for (const id of [...slow.state.objects.keys()]) if (!stage.emulator.state.objects.has(id)) slow.state.objects.delete(id);
    try {
      const remote = createRemote('killed');
      const file = config(remote, slow.url);
      const child = spawn(process.execPath, [CLI_MAIN, '--log-level', 'debug', 'export', '--config', file], { stdio: ['ignore', 'ignore', 'pipe'] });
      await new Promise<void>((resolve) => {
        child.stderr.on('data', (chunk: Buffer) => {
          if (chunk.toString().includes('listed ThoughtSpot content')) resolve();
        });
        child.once('exit', () => resolve());
      });
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
      expect(git(bare('killed'), 'for-each-ref', '--format=%(refname)')).toBe('');
      const again = await cli(['export', '--config', file]);
      expect(again.code).toBe(0);
      expect(tree('killed').replace(/^.*principals.yaml$/m, '')).toBe(expected.replace(/^.*principals.yaml$/m, ''));
    } finally {
      await slow.close();
    }
  });

  it('names the problem and exits 2 for bad configuration or credentials, 1 for unreachable systems, writing nothing', async () => {
    const remote = createRemote('errors');
    const unknownKey = join(stage.work, `unknown-key-${api}.yaml`);
    writeFileSync(unknownKey, `repository:\n  url: ${remote}\n  colour: blue\nenvironments: {}\n`);
    const bad = await cli(['export', '--config', unknownKey]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("repository: unknown key 'colour'");
    expect(bad.stderr).toContain('environments: needs at least one environment');

    const creds = await cli(['export', '--config', config(remote, stage.emulator.url)], { TS_PASSWORD: 'wrong-password' });
    expect(creds.code).toBe(2);
    expect(creds.stderr).toContain(`${endpointOf(api, 'login')} failed with HTTP 401`);
    expect(creds.stderr).not.toContain('wrong-password');

    const unreachableTs = await cli(['export', '--config', config(remote, 'http://127.0.0.1:1')]);
    expect(unreachableTs.code).toBe(1);
    expect(unreachableTs.stderr).toMatch(/^error: .*127\.0\.0\.1:1/m);

    const unreachableGit = await cli(['export', '--config', config('git://127.0.0.1:1/none.git', stage.emulator.url)]);
    expect(unreachableGit.code).toBe(1);
    expect(unreachableGit.stderr).toMatch(/^error: git fetch failed/m);
    for (const result of [bad, creds, unreachableTs, unreachableGit]) expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(git(bare('errors'), 'for-each-ref')).toBe('');
  });

  it('reports a remote that hangs up at once while ThoughtSpot answers nothing, with no request left open (exit 1)', async () => {
    // The users' listing starts beside the fetch; its login would wait two minutes per attempt, four
    // attempts, had the fetch's failure not stopped it. The remote hangs up once that login is under way.
    await withSilent(async (silent) => {
      // Or at the wait's bound, should no login come: the requests' check below then fails, with no rejection left unhandled.
      const remote = createServer((socket) => void until(() => silent.requests.length > 0).catch(() => undefined).then(() => socket.destroy()));
      await new Promise<void>((resolve) => remote.listen(0, '127.0.0.1', resolve));
      try {
        const result = await cli(['export', '--config', config(`git://127.0.0.1:${(remote.address() as AddressInfo).port}/content.git`, silent.url)]);
        expect(result.code).toBe(1);
        expect(result.stderr).toMatch(/^error: git fetch failed/m);
        expect(silent.requests.map((request) => request.path.endsWith(endpointOf(api, 'login')))).toEqual([true]);
        // Closed by the run as it stopped (left open, it would outlast the test: two minutes per attempt).
        await silent.closedAll();
      } finally {
        remote.close();
      }
    });
  });

  it('writes unique, stable, path-safe files for hostile names', async () => {
    const hostile = await startEmulator({ seed: 'none' });
    try {
      const ts = client(hostile.url);
      const table = (name: string, dbTable: string) =>
        `table:\n  name: ${JSON.stringify(name)}\n  db: D\n  schema: S\n  db_table: ${dbTable}\n  connection:\n    name: C\n  columns:\n  - name: id\n    db_column_name: id\n    properties:\n      column_type: ATTRIBUTE\n    db_column_properties:\n      data_type: INT64\n`;
      const names = ['Ventes 🐢 été', 'a/b/../../etc/passwd', '..', 'x'.repeat(300), 'Same name', 'Same name', '.hidden', 'CON'];
      await ts.importTml(['connection:\n  name: C\n  type: RDBMS_SNOWFLAKE\n  authentication_type: SERVICE_ACCOUNT\n  properties: []\n'], { policy: 'PARTIAL', forceCreate: false, throwOnError: true });
      await ts.importTml(names.map((name, i) => table(name, `t${i}`)), { policy: 'PARTIAL', forceCreate: false, throwOnError: true });
      const remote = createRemote('hostile');
      const report = await runExport({ environment: { name: 'dev', branch: 'dev' }, thoughtspot: thoughtspotPort(ts), repo: await GitRepo.open(dir('hostile'), { remoteUrl: remote, committer }), committer });
      expect(report.counts).toMatchObject({ added: names.length + 1, failed: 0 });
      const files = git(bare('hostile'), 'ls-tree', '-r', '--name-only', 'dev').split('\n').filter((f) => f.startsWith('tml/table/'));
      expect(files, files.join('\n')).toHaveLength(names.length);
      for (const file of files) {
        expect(file.split('/')).toHaveLength(3);
        expect(file).not.toMatch(/(^|\/)\.\.?(\/|$)/);
        expect(Buffer.byteLength(file.split('/')[2]!)).toBeLessThan(200);
      }
      expect(files).toContainEqual(expect.stringMatching(/^tml\/table\/Ventes-été\.[0-9a-f-]{36}\.table\.tml$/));
    } finally {
      await hostile.close();
    }
  });
});

/** Deterministic fault injection, so the fault test is repeatable. */
function mulberry(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

