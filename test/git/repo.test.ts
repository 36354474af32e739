import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitError, GitRepo } from '../../src/git/index.js';
import { git, startGitServer, type GitServer } from '../support/git-server.js';

let server: GitServer;
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'tmlsync-wt-'));
  dirs.push(dir);
  return dir;
};
beforeAll(async () => {
  server = await startGitServer();
});
afterAll(async () => {
  await server.close();
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});

const committer = { name: 'tmlsync', email: 'tmlsync@localhost' };

describe('GitRepo', () => {
  it('works on an empty remote: creates the branch with the given author', async () => {
    const url = server.createRepo('empty');
    const repo = await GitRepo.open(tempDir(), { remoteUrl: url, committer });
    await repo.fetch();
    await repo.checkout('dev');
    writeFileSync(join(repo.dir, 'a.tml'), 'guid: 1\n');
    const sha = await repo.commitAll('export: add a', { name: 'Ana Lyst', email: 'ana@example.com' });
    expect(sha).toMatch(/^[0-9a-f]{40}$/);
    await repo.push('dev');
    const bare = server.pathOf('empty');
    expect(git(bare, 'log', '-1', '--format=%an <%ae>|%cn|%s', 'dev')).toBe('Ana Lyst <ana@example.com>|tmlsync|export: add a');
    expect(await repo.commitAll('nothing', committer)).toBeUndefined();
  });

  it('rebases and retries when another commit landed between fetch and push', async () => {
    const url = server.createRepo('race');
    const a = await GitRepo.open(tempDir(), { remoteUrl: url, committer });
    await a.fetch();
    await a.checkout('main');
    writeFileSync(join(a.dir, 'base.tml'), 'base\n');
    await a.commitAll('base', committer);
    await a.push('main');

    const b = await GitRepo.open(tempDir(), { remoteUrl: url, committer });
    await b.fetch();
    await b.checkout('main');
    await a.fetch();
    writeFileSync(join(b.dir, 'other.tml'), 'theirs\n');
    await b.commitAll('theirs', committer);
    await b.push('main');

    writeFileSync(join(a.dir, 'mine.tml'), 'mine\n');
    await a.commitAll('mine', committer);
    await a.push('main');
    const bare = server.pathOf('race');
    expect(git(bare, 'log', '--format=%s', 'main').split('\n')).toEqual(['mine', 'theirs', 'base']);
  });

  it('keeps state on a ref outside the branches, readable from a fresh working tree', async () => {
    const url = server.createRepo('state');
    const repo = await GitRepo.open(tempDir(), { remoteUrl: url, committer });
    await repo.fetch();
    await repo.writeState('refs/tmlsync/dev/export', { 'ledger.json': '{"a":1}\n' }, 'state 1');
    await repo.writeState('refs/tmlsync/dev/export', { 'ledger.json': '{"a":2}\n' }, 'state 2');
    const fresh = await GitRepo.open(tempDir(), { remoteUrl: url, committer });
    await fresh.fetch();
    expect(await fresh.readState('refs/tmlsync/dev/export', 'ledger.json')).toBe('{"a":2}\n');
    expect(await fresh.readState('refs/tmlsync/prod/export', 'ledger.json')).toBeUndefined();
    expect(git(server.pathOf('state'), 'for-each-ref', '--format=%(refname)')).toBe('refs/tmlsync/dev/export');
    expect(git(server.pathOf('state'), 'log', '--format=%s|%cn', 'refs/tmlsync/dev/export').split('\n')).toEqual(['state 2|tmlsync', 'state 1|tmlsync']);
    expect(git(server.pathOf('state'), 'ls-tree', '--name-only', 'refs/tmlsync/dev/export')).toBe('ledger.json');
  });

  it('commits exactly the given additions, changes and deletions, whatever their names, and nothing else', async () => {
    const url = server.createRepo('paths');
    const repo = await GitRepo.open(tempDir(), { remoteUrl: url, committer });
    await repo.fetch();
    await repo.checkout('main');
    mkdirSync(join(repo.dir, 'tml'), { recursive: true });
    for (const name of ['old.tml', 'kept.tml', 'other.tml']) writeFileSync(join(repo.dir, 'tml', name), `${name}\n`);
    await repo.commitAll('base', committer);
    const odd = 'tml/Ünïcode "quoted" \\ back slash ..tml';
    writeFileSync(join(repo.dir, odd), 'odd\n');
    writeFileSync(join(repo.dir, 'tml', 'kept.tml'), 'changed\n');
    rmSync(join(repo.dir, 'tml', 'old.tml'));
    writeFileSync(join(repo.dir, 'tml', 'other.tml'), 'not part of this commit\n');
    const sha = await repo.commitPaths([odd, 'tml/kept.tml', 'tml/old.tml', 'tml/never-existed.tml'], 'some', { name: 'Ana Lyst', email: 'ana@example.com' });
    expect(git(repo.dir, 'log', '-1', '--format=%an|%s', sha!)).toBe('Ana Lyst|some');
    expect(git(repo.dir, 'diff-tree', '-r', '--name-status', '-z', `${sha!}~`, sha!).split('\0').filter(Boolean)).toEqual(['M', 'tml/kept.tml', 'D', 'tml/old.tml', 'A', odd]);
    // Trimmed by the helper: "M tml/other.tml" is " M", changed in the tree and not staged.
    expect(git(repo.dir, 'status', '--porcelain')).toBe('M tml/other.tml');
    expect(await repo.commitPaths(['tml/kept.tml'], 'nothing changed', committer)).toBeUndefined();
  });

  it('discards the leftovers of an interrupted run on checkout', async () => {
    const url = server.createRepo('leftovers');
    const repo = await GitRepo.open(tempDir(), { remoteUrl: url, committer });
    await repo.fetch();
    await repo.checkout('main');
    writeFileSync(join(repo.dir, 'kept.tml'), 'kept\n');
    await repo.commitAll('kept', committer);
    await repo.push('main');
    writeFileSync(join(repo.dir, 'half-written.tml'), 'half');
    writeFileSync(join(repo.dir, 'kept.tml'), 'changed');
    await repo.fetch();
    await repo.checkout('main');
    expect(readFileSync(join(repo.dir, 'kept.tml'), 'utf8')).toBe('kept\n');
    expect(() => readFileSync(join(repo.dir, 'half-written.tml'))).toThrow();
  });

  it('fails with a GitError naming the operation when the remote is unreachable', async () => {
    const repo = await GitRepo.open(tempDir(), { remoteUrl: 'git://127.0.0.1:1/none.git', committer, timeoutMs: 10_000 });
    await expect(repo.fetch()).rejects.toThrow(GitError);
    await expect(repo.fetch()).rejects.toThrow(/git fetch failed/);
  });
});

describe('GitRepo at scale', () => {
  it('commits thousands of paths with a message longer than any argument list', async () => {
    const url = server.createRepo('many');
    const repo = await GitRepo.open(tempDir(), { remoteUrl: url, committer });
    await repo.fetch();
    await repo.checkout('main');
    const paths = Array.from({ length: 3000 }, (_, i) => `tml/table/t-${i}.tml`);
    mkdirSync(join(repo.dir, 'tml', 'table'), { recursive: true });
    for (const path of paths) writeFileSync(join(repo.dir, path), `${path}\n`);
    const message = `export: 3000 objects\n\n${paths.map((p) => `- add table "${p}" ${'x'.repeat(200)}`).join('\n')}\n`;
    expect(await repo.commitPaths(paths, message, committer)).toMatch(/^[0-9a-f]{40}$/);
    expect(git(repo.dir, 'ls-files').split('\n')).toHaveLength(3000);
  });
});

describe('GitRepo locks', () => {
  it('lets one holder take a lock in the remote, names it to the next, and takes over a stale one', async () => {
    const url = server.createRepo('locks');
    const a = await GitRepo.open(tempDir(), { remoteUrl: url, committer });
    const b = await GitRepo.open(tempDir(), { remoteUrl: url, committer });
    expect(await a.acquireLock('refs/tmlsync/prod/lock', 'host-a run 1', () => false)).toBeUndefined();
    expect(await b.acquireLock('refs/tmlsync/prod/lock', 'host-b run 2', () => false)).toMatch(/^host-a run 1 since /);
    await a.releaseLock('refs/tmlsync/prod/lock');
    expect(await b.acquireLock('refs/tmlsync/prod/lock', 'host-b run 2', () => false)).toBeUndefined();
    expect(await a.acquireLock('refs/tmlsync/prod/lock', 'host-a run 3', (holder) => holder.startsWith('host-b'))).toBeUndefined();
  });
});
