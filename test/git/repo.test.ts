import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { GitError, GitRepo } from '../../src/git/index.js';
import type { StateWrite } from '../../src/sync/ports.js';
import { createLogger } from '../../src/log/index.js';
import { commitOn, prepareCommits } from '../support/commits.js';
import { gitProcessCounter } from '../support/git-count.js';
import { git, useGitServer } from '../support/git-server.js';

const server = useGitServer('tmlsync-wt-');
const tempDir = () => server.tempDir();

const committer = { name: 'tmlsync', email: 'tmlsync@localhost' };

/** A work tree on a new remote `name`, on its branch main (empty: the remote has none yet). */
async function onMain(name: string): Promise<GitRepo> {
  const repo = await GitRepo.open(tempDir(), { remoteUrl: server.createRepo(name), committer });
  await repo.fetch();
  await repo.checkout('main');
  return repo;
}

/**
 * One run's commit of one file on main, as an export makes it: fetched, checked out, the file written and handed over,
 * committed (not pushed). `written`: the tree writer's files as the commits are finished, made then.
 */
async function commitFile(repo: GitRepo, path: string, { text = `${path}\n`, written }: { text?: string; written?: () => Promise<void> } = {}): Promise<string> {
  await repo.fetch();
  await repo.checkout('main');
  const stream = repo.startCommits('main');
  writeFileSync(join(repo.dir, path), text);
  stream.file(path, text);
  stream.commit([path], `write ${path}`, committer);
  const [made] = await stream.finish([], written?.());
  return made!;
}

/** This process's `git fast-import` children, by pid (Linux: `/proc`). */
function fastImportChildren(): string[] {
  const children = readFileSync(`/proc/self/task/${process.pid}/children`, 'utf8').split(' ').filter(Boolean);
  return children.filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes('fast-import');
    } catch {
      return false;
    }
  });
}

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
    // Larger than the pipe and than a slice of what is written to fast-import (1 MiB), with a
    // character of two UTF-16 units across the first slice's end: written whole, not cut in two.
    const large = `{"a":"${'x'.repeat((1 << 20) - 7)}🐢${'é'.repeat(1 << 20)}"}\n`;
    await repo.writeState('refs/tmlsync/dev/export', { 'ledger.json': large }, 'state 2');
    const fresh = await GitRepo.open(tempDir(), { remoteUrl: url, committer });
    await fresh.fetch();
    expect(await fresh.readState('refs/tmlsync/dev/export', 'ledger.json')).toBe(large);
    expect(await fresh.readState('refs/tmlsync/prod/export', 'ledger.json')).toBeUndefined();
    expect(git(server.pathOf('state'), 'for-each-ref', '--format=%(refname)')).toBe('refs/tmlsync/dev/export');
    expect(git(server.pathOf('state'), 'log', '--format=%s|%cn', 'refs/tmlsync/dev/export').split('\n')).toEqual(['state 2|tmlsync', 'state 1|tmlsync']);
    expect(git(server.pathOf('state'), 'ls-tree', '--name-only', 'refs/tmlsync/dev/export')).toBe('ledger.json');
    // On top of what the ref holds: only the files named change, and those removed go.
    const onTop = (files: Record<string, string>, removed: string[], message: string) => repo.publish({ states: () => Promise.resolve([{ ref: 'refs/tmlsync/dev/export', files, removed, onTop: true, message }]) });
    await onTop({ 'objects/a.json': 'a\n' }, [], 'state 3');
    await onTop({ 'head.json': 'h\n' }, ['ledger.json'], 'state 4');
    expect(git(server.pathOf('state'), 'ls-tree', '-r', '--name-only', 'refs/tmlsync/dev/export').split('\n')).toEqual(['head.json', 'objects/a.json']);
    expect(git(server.pathOf('state'), 'log', '--format=%s', 'refs/tmlsync/dev/export').split('\n')).toEqual(['state 4', 'state 3', 'state 2', 'state 1']);
  });

  it('commits exactly the files handed over and the paths named, whatever their names, and nothing else', async () => {
    const repo = await onMain('paths');
    mkdirSync(join(repo.dir, 'tml'), { recursive: true });
    for (const name of ['old.tml', 'kept.tml', 'other.tml']) writeFileSync(join(repo.dir, 'tml', name), `${name}\n`);
    await repo.commitAll('base', committer);
    const odd = 'tml/Ünïcode "quoted" \\ back slash ..tml';
    const stream = repo.startCommits('main');
    for (const [path, text] of [[odd, 'odd\n'], ['tml/kept.tml', 'changed\n'], ['tml/unnamed.tml', 'handed over, never named\n']] as const) {
      writeFileSync(join(repo.dir, path), text);
      stream.file(path, text);
    }
    rmSync(join(repo.dir, 'tml', 'old.tml'));
    writeFileSync(join(repo.dir, 'tml', 'other.tml'), 'not part of this commit\n');
    stream.commit([odd, 'tml/kept.tml'], 'some', { name: 'Ana Lyst', email: 'ana@example.com' });
    stream.commit(['tml/old.tml', 'tml/never-existed.tml'], 'remove', committer);
    const [some, remove, ...more] = await stream.finish();
    expect(more).toEqual([]);
    expect(git(repo.dir, 'log', '--format=%an|%cn|%s', 'main').split('\n')).toEqual(['tmlsync|tmlsync|remove', 'Ana Lyst|tmlsync|some', 'tmlsync|tmlsync|base']);
    expect(git(repo.dir, 'diff-tree', '-r', '--name-status', '-z', `${some!}~`, some!).split('\0').filter(Boolean)).toEqual(['M', 'tml/kept.tml', 'A', odd]);
    expect(git(repo.dir, 'diff-tree', '-r', '--name-status', '-z', `${remove!}~`, remove!).split('\0').filter(Boolean)).toEqual(['D', 'tml/old.tml']);
    // The index is in step with the new HEAD once settled: only what was not committed shows (the helper trims the leading space).
    await repo.settled();
    expect(git(repo.dir, 'status', '--porcelain', '-uall').split('\n')).toEqual(['M tml/other.tml', '?? tml/unnamed.tml']);
    expect(git(repo.dir, 'diff', '--cached', '--name-only')).toBe('');
    await repo.push('main');
    expect(git(server.pathOf('paths'), 'rev-parse', 'main')).toBe(remove);
  });

  it('tells the texts files had since a commit, newest first, whatever their names', async () => {
    const repo = await onMain('versions');
    mkdirSync(join(repo.dir, 'tml'), { recursive: true });
    // A name git would quote, and one a pathspec would take for a pattern.
    const [odd, star] = ['tml/Ünïcode "quoted" \\ x.tml', 'tml/*.tml'];
    const commit = async (files: Record<string, string | undefined>) => {
      for (const [path, text] of Object.entries(files)) {
        if (text === undefined) rmSync(join(repo.dir, path));
        else writeFileSync(join(repo.dir, path), text);
      }
      return (await repo.commitAll('edit', committer))!;
    };
    const since = await commit({ [odd]: 'odd 1\n', [star]: 'star 1\n', 'tml/other.tml': 'other 1\n' });
    await commit({ [odd]: 'odd 2\n' });
    await commit({ [star]: 'star 2\n', 'tml/other.tml': 'other 2\n' });
    await commit({ [odd]: 'odd 3\n' });
    await commit({ [star]: undefined });
    expect(Object.fromEntries(await repo.fileVersions([odd, star], since, 100))).toEqual({ [odd]: ['odd 3\n', 'odd 2\n'], [star]: ['star 2\n'] });
    // The last 2 commits that changed either: the deletion, which has no text, and odd's third.
    expect(Object.fromEntries(await repo.fileVersions([odd, star], since, 2))).toEqual({ [odd]: ['odd 3\n'] });
    expect((await repo.fileVersions([odd], '0'.repeat(40), 100)).size).toBe(0);
  });

  it('makes a first commit on a branch the remote does not have, and moves nothing when discarded', async () => {
    const url = server.createRepo('fresh');
    const repo = await GitRepo.open(tempDir(), { remoteUrl: url, committer });
    await repo.fetch();
    await repo.checkout('dev');
    const dropped = repo.startCommits('dev');
    dropped.file('a.tml', 'a\n');
    dropped.commit(['a.tml'], 'never made', committer);
    await dropped.discard();
    expect(await repo.revParse('HEAD')).toBeUndefined();
    const stream = repo.startCommits('dev');
    writeFileSync(join(repo.dir, 'a.tml'), 'a\n');
    stream.file('a.tml', 'a\n');
    stream.commit(['a.tml'], 'first', committer);
    const [first] = await stream.finish();
    expect(git(repo.dir, 'rev-list', '--parents', 'dev')).toBe(first);
    await repo.settled();
    expect(git(repo.dir, 'status', '--porcelain')).toBe('');
    expect(await repo.startCommits('dev').finish()).toEqual([]);
  });

  it('discards the leftovers of an interrupted run on checkout', async () => {
    const repo = await onMain('leftovers');
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

  it('leaves the tree as a finished run left it on the next checkout, and puts it back after a run cut short', async () => {
    const url = server.createRepo('tree-mark');
    const repo = await GitRepo.open(tempDir(), { remoteUrl: url, committer });
    const run = async (path: string, text: string) => {
      await commitFile(repo, path, { text });
      await repo.push('main');
    };
    await run('a.tml', 'a\n');
    // Not written by a run: a checkout that went over the tree would remove it.
    writeFileSync(join(repo.dir, 'stray.tml'), 'stray\n');
    await run('b.tml', 'b\n');
    expect(readFileSync(join(repo.dir, 'stray.tml'), 'utf8')).toBe('stray\n');
    rmSync(join(repo.dir, 'stray.tml'));
    expect(git(repo.dir, 'status', '--porcelain', '-uall')).toBe('');
    // A run cut short after its checkout, having written a file: the next checkout puts the tree back.
    await repo.fetch();
    await repo.checkout('main');
    writeFileSync(join(repo.dir, 'half-written.tml'), 'half');
    writeFileSync(join(repo.dir, 'a.tml'), 'changed');
    await run('c.tml', 'c\n');
    expect(readFileSync(join(repo.dir, 'a.tml'), 'utf8')).toBe('a\n');
    expect(() => readFileSync(join(repo.dir, 'half-written.tml'))).toThrow();
    expect(git(repo.dir, 'status', '--porcelain', '-uall')).toBe('');
    expect(git(server.pathOf('tree-mark'), 'ls-tree', '--name-only', 'main').split('\n')).toEqual(['a.tml', 'b.tml', 'c.tml']);
  });

  it('publishes a stream\'s commits while its files are still being written, and takes the tree as the tip\'s only once they are in', async () => {
    const url = server.createRepo('written');
    const repo = await GitRepo.open(tempDir(), { remoteUrl: url, committer });
    const run = (path: string, written: () => Promise<void>) => commitFile(repo, path, { written });
    let release!: () => void;
    const a = await run('a.tml', () => new Promise<void>((resolve) => (release = resolve)));
    let published = false;
    const publishing = repo.push('main').then(() => (published = true));
    // The push lands; the publication, and whatever reads the tree, wait for the files.
    await vi.waitFor(() => expect(git(server.pathOf('written'), 'rev-parse', 'main')).toBe(a), { timeout: 10_000, interval: 20 });
    let settled = false;
    const settling = repo.settled().then(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect([published, settled]).toEqual([false, false]);
    release();
    await Promise.all([publishing, settling]);
    // Not written by a run: the next checkout leaves it, the tree being as the last run left it.
    writeFileSync(join(repo.dir, 'stray.tml'), 'stray\n');
    // Writes that failed, before the commits were made: no unhandled rejection (the run reports the failure), the commit is
    // published all the same, and the next checkout puts the tree back.
    const b = await run('b.tml', () => Promise.reject(new Error('no space left on device')));
    expect(readFileSync(join(repo.dir, 'stray.tml'), 'utf8')).toBe('stray\n');
    await repo.push('main');
    expect(git(server.pathOf('written'), 'rev-parse', 'main')).toBe(b);
    await run('c.tml', () => Promise.resolve());
    expect(existsSync(join(repo.dir, 'stray.tml'))).toBe(false);
    await repo.push('main');
    expect(git(repo.dir, 'status', '--porcelain', '-uall')).toBe('');
    expect(git(server.pathOf('written'), 'ls-tree', '--name-only', 'main').split('\n')).toEqual(['a.tml', 'b.tml', 'c.tml']);
  });

  it('rebases a raced push only once the files are in the tree', async () => {
    const url = server.createRepo('written-race');
    const repo = await GitRepo.open(tempDir(), { remoteUrl: url, committer });
    await commitFile(repo, 'base.tml');
    await repo.push('main');
    let release!: () => void;
    const mine = await commitFile(repo, 'mine.tml', { written: () => new Promise<void>((resolve) => (release = resolve)) });
    // Someone else's commit lands first: the push is refused, and the rebase onto it waits for the files.
    const other = await GitRepo.open(tempDir(), { remoteUrl: url, committer });
    const theirs = await commitFile(other, 'theirs.tml');
    await other.push('main');
    const publishing = repo.push('main');
    await vi.waitFor(() => expect(git(repo.dir, 'rev-parse', 'refs/remotes/origin/main')).toBe(theirs), { timeout: 10_000, interval: 20 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(git(repo.dir, 'rev-parse', 'HEAD')).toBe(mine);
    release();
    await publishing;
    expect(git(server.pathOf('written-race'), 'log', '--format=%s', 'main').split('\n')).toEqual(['write mine.tml', 'write theirs.tml', 'write base.tml']);
    expect(git(repo.dir, 'status', '--porcelain', '-uall')).toBe('');
  });

  it('brings the index in step with the commits beside their push, and a failed reset costs the run nothing the next checkout does not put back', async () => {
    const url = server.createRepo('settle');
    const lines: string[] = [];
    const logger = createLogger({ level: 'warn', destination: { write: (line: string) => lines.push(line) } });
    const repo = await GitRepo.open(tempDir(), { remoteUrl: url, committer, logger });
    const run = async (path: string) => {
      const made = await commitFile(repo, path);
      await repo.push('main');
      return made;
    };
    await run('a.tml');
    // The push returns once the index is in step: nothing shows as staged or changed.
    expect(git(repo.dir, 'status', '--porcelain', '-uall')).toBe('');
    // Another git holds the index: the reset fails, the commit is published all the same.
    writeFileSync(join(repo.dir, '.git', 'index.lock'), '');
    const b = await run('b.tml');
    expect(git(server.pathOf('settle'), 'rev-parse', 'main')).toBe(b);
    expect(lines.map((line) => JSON.parse(line) as { msg: string; error: string })).toEqual([
      expect.objectContaining({ msg: 'the index was not brought in step with the new commits; the next checkout puts the tree back', error: expect.stringMatching(/index\.lock/) }),
    ]);
    rmSync(join(repo.dir, '.git', 'index.lock'));
    await run('c.tml');
    expect(git(repo.dir, 'status', '--porcelain', '-uall')).toBe('');
    expect(git(server.pathOf('settle'), 'ls-tree', '--name-only', 'main').split('\n')).toEqual(['a.tml', 'b.tml', 'c.tml']);
  });

  it('makes a state ref\'s next commit beside the branch\'s, and publishes it as made while the ref is where it was made on', async () => {
    const url = server.createRepo('ahead');
    const repo = await GitRepo.open(tempDir(), { remoteUrl: url, committer });
    await repo.fetch();
    await repo.checkout('main');
    const ref = 'refs/tmlsync/dev/export';
    await repo.writeState(ref, { 'head.json': '1\n' }, 'first');
    const counter = gitProcessCounter(tempDir());
    const fastImports = (processes: string[]) => processes.filter((args) => / fast-import /.test(` ${args} `)).length;
    const commitWithLedger = async (path: string, ledger: StateWrite) => {
      const stream = repo.startCommits('main');
      writeFileSync(join(repo.dir, path), `${path}\n`);
      stream.file(path, `${path}\n`);
      stream.commit([path], `write ${path}`, committer);
      const [[made], processes] = await counter.logged(() => stream.finish([ledger]));
      // The branch's commits and the ledger's, each by a process of its own, side by side.
      expect(fastImports(processes)).toBe(2);
      return made!;
    };
    const second = { ref, files: { 'head.json': '2\n' }, message: 'second' };
    const a = await commitWithLedger('a.tml', second);
    const [, publishing] = await counter.logged(() => repo.publish({ branch: 'main', states: () => Promise.resolve([second]) }));
    expect(fastImports(publishing)).toBe(0);
    expect(git(server.pathOf('ahead'), 'rev-parse', 'main')).toBe(a);
    expect(git(server.pathOf('ahead'), 'log', '--format=%s', ref).split('\n')).toEqual(['second', 'first']);
    // The ref moved after the ledger's commit was made: it is made again, on where the ref is now.
    const third = { ref, files: { 'head.json': '3\n' }, message: 'third' };
    await commitWithLedger('b.tml', third);
    await repo.writeState(ref, { 'head.json': 'meanwhile\n' }, 'meanwhile');
    const [, again] = await counter.logged(() => repo.publish({ branch: 'main', states: () => Promise.resolve([third]) }));
    expect(fastImports(again)).toBe(1);
    expect(git(server.pathOf('ahead'), 'log', '--format=%s', ref).split('\n')).toEqual(['third', 'meanwhile', 'second', 'first']);
    expect(git(server.pathOf('ahead'), 'show', `${ref}:head.json`)).toBe('3');
  });

  it('starts both processes of a stream told that commits are coming, and its finish starts none', async () => {
    const repo = await onMain('expected');
    const ref = 'refs/tmlsync/dev/export';
    const counter = gitProcessCounter(tempDir());
    const stream = repo.startCommits('main');
    // Started outside the counter: whatever finish starts, it counts.
    stream.expect();
    writeFileSync(join(repo.dir, 'a.tml'), 'a\n');
    stream.file('a.tml', 'a\n');
    stream.commit(['a.tml'], 'write a.tml', committer);
    const ledger = { ref, files: { 'head.json': '1\n' }, message: 'first' };
    const [[made], finishing] = await counter.logged(() => stream.finish([ledger]));
    expect(finishing.filter((args) => / fast-import /.test(` ${args} `))).toEqual([]);
    await repo.publish({ branch: 'main', states: () => Promise.resolve([ledger]) });
    expect(git(server.pathOf('expected'), 'rev-parse', 'main')).toBe(made);
    expect(git(server.pathOf('expected'), 'show', `${ref}:head.json`)).toBe('1');
  });

  it.runIf(existsSync('/proc/self/task'))('ends the processes a stream started for commits that never came, committing nothing', async () => {
    const repo = await onMain('expected-unused');
    await repo.writeState('refs/tmlsync/dev/export', { 'head.json': '1\n' }, 'first');
    const before = fastImportChildren();
    for (const end of ['discard', 'finish'] as const) {
      const stream = repo.startCommits('main');
      stream.expect();
      expect(fastImportChildren().length).toBe(before.length + 2);
      await (end === 'discard' ? stream.discard() : stream.finish());
      expect(fastImportChildren(), end).toEqual(before);
    }
    expect(await repo.revParse('HEAD')).toBeUndefined();
    expect(git(repo.dir, 'log', '--format=%s', 'refs/tmlsync/dev/export')).toBe('first');
    // A fast-import whose input ends without `done` leaves a crash report; these were ended with it.
    expect(readdirSync(join(repo.dir, '.git')).filter((name) => name.startsWith('fast_import_crash'))).toEqual([]);
  });

  it('fails with a GitError naming the operation when the remote is unreachable', async () => {
    const repo = await GitRepo.open(tempDir(), { remoteUrl: 'git://127.0.0.1:1/none.git', committer, timeoutMs: 10_000 });
    await expect(repo.fetch()).rejects.toThrow(GitError);
    await expect(repo.fetch()).rejects.toThrow(/git fetch failed/);
  });
});

describe('GitRepo at scale', () => {
  it('commits thousands of paths with a message longer than any argument list', async () => {
    const repo = await onMain('many');
    const paths = Array.from({ length: 3000 }, (_, i) => `tml/table/t-${i}.tml`);
    mkdirSync(join(repo.dir, 'tml', 'table'), { recursive: true });
    for (const path of paths) writeFileSync(join(repo.dir, path), `${path}\n`);
    const message = `export: 3000 objects\n\n${paths.map((p) => `- add table "${p}" ${'x'.repeat(200)}`).join('\n')}\n`;
    const stream = repo.startCommits('main');
    paths.forEach((path) => stream.file(path, `${path}\n`));
    stream.commit(paths, message, committer);
    expect(await stream.finish()).toEqual([expect.stringMatching(/^[0-9a-f]{40}$/)]);
    expect(git(repo.dir, 'log', '-1', '--format=%B', 'main').trim()).toBe(message.trim());
    await repo.settled();
    expect(git(repo.dir, 'status', '--porcelain')).toBe('');
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

  it('reports a lock push the remote refused as such, with its reason: not as another run holding the lock', async () => {
    const url = server.createRepo('lock-hooked');
    hook('lock-hooked', '#!/bin/sh\necho "policy: deploys are frozen" >&2\nexit 1\n');
    const a = await GitRepo.open(tempDir(), { remoteUrl: url, committer });
    const taking = a.acquireLock('refs/tmlsync/prod/lock', 'host-a pid 1 run 1', () => false);
    await expect(taking).rejects.toThrow(GitError);
    await expect(taking).rejects.toThrow(/^git push of refs\/tmlsync\/prod\/lock failed: remote rejected \(pre-receive hook declined\): policy: deploys are frozen$/);
  });

  it('names the other holder, as the remote has it, to the run that lost a race for the lock in the remote', async () => {
    const url = server.createRepo('lock-race');
    // Both pushes pass the remote's check that no lock is there before either takes it: the remote's ref lock decides.
    hook('lock-race', `#!${process.execPath}\nsetTimeout(() => undefined, 1000);\n`);
    const a = await GitRepo.open(tempDir(), { remoteUrl: url, committer });
    const b = await GitRepo.open(tempDir(), { remoteUrl: url, committer });
    const outcomes = await Promise.all([a.acquireLock('refs/tmlsync/prod/lock', 'host-a run 1', () => false), b.acquireLock('refs/tmlsync/prod/lock', 'host-b run 2', () => false)]);
    const winner = outcomes[0] === undefined ? 'host-a run 1' : 'host-b run 2';
    expect(outcomes.filter((outcome) => outcome === undefined)).toHaveLength(1);
    expect(outcomes.find((outcome) => outcome !== undefined)).toMatch(new RegExp(`^${winner} since `));
    expect(git(server.pathOf('lock-race'), 'show', 'refs/tmlsync/prod/lock:lock.json')).toContain(winner);
  });
});

describe('GitRepo locks in a hostile remote', () => {
  it('reports an unreadable lock.json, with how to release it, instead of failing', async () => {
    const url = server.createRepo('bad-lock');
    const a = await GitRepo.open(tempDir(), { remoteUrl: url, committer });
    const bare = server.pathOf('bad-lock');
    const blob = execFileSync('git', ['hash-object', '-w', '--stdin'], { cwd: bare, input: '{"holder": [1, 2' }).toString().trim();
    const tree = execFileSync('git', ['mktree'], { cwd: bare, input: `100644 blob ${blob}\tlock.json\n` }).toString().trim();
    const commit = git(bare, 'commit-tree', tree, '-m', 'garbage');
    git(bare, 'update-ref', 'refs/tmlsync/prod/lock', commit);
    expect(await a.acquireLock('refs/tmlsync/prod/lock', 'host-a run 1', () => true)).toBe('a lock whose lock.json cannot be read (delete refs/tmlsync/prod/lock in the remote to release it)');
  });
});

describe('git messages (issue 15, item 13)', () => {
  it('reports a failure git explains in several lines as one line with its cause', async () => {
    const missing = join(tempDir(), 'none.git');
    const repo = await GitRepo.open(tempDir(), { remoteUrl: missing, committer });
    const error = await repo.fetch().then(() => undefined, (e: unknown) => e as GitError);
    expect(error).toBeInstanceOf(GitError);
    expect(error!.message).toBe(`git fetch failed: '${missing}' does not appear to be a git repository`);
  });

  it('says why the remote refused a push, on one line', async () => {
    const url = server.createRepo('hooked');
    hook('hooked', '#!/bin/sh\necho "pushes are closed" >&2\nexit 1\n');
    const repo = await GitRepo.open(tempDir(), { remoteUrl: url, committer, pushAttempts: 1 });
    await repo.fetch();
    await repo.checkout('dev');
    writeFileSync(join(repo.dir, 'a.tml'), 'a\n');
    await repo.commitAll('a', committer);
    await expect(repo.push('dev')).rejects.toThrow(/^git push of dev failed: remote rejected \(pre-receive hook declined\): pushes are closed$/);
  });

  it("bounds the remote's words and takes out its terminal escapes and control characters", async () => {
    const url = server.createRepo('hostile');
    // Escapes as the hook's JavaScript writes them: a colour, a tab, a bell, a direction override, a carriage return, then 4 MB on one line.
    const said = String.raw`'\x1b[31mpolicy:\x1b[0m pushes\tare\x07 frozen\u202e\r\n' + 'x'.repeat(4 << 20) + '\n'`;
    hook('hostile', `#!${process.execPath}\nprocess.stderr.write(${said});\nprocess.exitCode = 1;\n`);
    const repo = await GitRepo.open(tempDir(), { remoteUrl: url, committer, pushAttempts: 1 });
    await repo.fetch();
    await repo.checkout('dev');
    writeFileSync(join(repo.dir, 'a.tml'), 'a\n');
    await repo.commitAll('a', committer);
    const error = await repo.push('dev').then(() => undefined, (e: unknown) => e as GitError);
    expect(error!.message).toMatch(/^git push of dev failed: remote rejected \(pre-receive hook declined\): policy: pushes are frozen \/ x+…$/);
    expect(error!.message.length).toBeLessThan(600);
  });
});

/** Puts `script` in the remote `name` as its pre-receive hook (run with every push; exit 1 refuses it). */
function hook(name: string, script: string): void {
  writeFileSync(join(server.pathOf(name), 'hooks', 'pre-receive'), script, { mode: 0o755 });
}

describe('git credentials (issue 15, item 4)', () => {
  it('refuses a remote URL holding credentials before writing anything', async () => {
    const dir = join(tempDir(), 'wt');
    for (const remoteUrl of ['https://bot:ghp_secret@127.0.0.1:1/tml.git', 'https://ghp_secret@127.0.0.1:1/tml.git']) {
      await expect(GitRepo.open(dir, { remoteUrl, committer })).rejects.toThrow(/remote URL holds credentials.*tokenEnv/);
    }
    expect(() => readFileSync(join(dir, '.git', 'config'))).toThrow();
  });

  it('sends an https token as a header and keeps it out of .git/config', async () => {
    const seen: (string | undefined)[] = [];
    const remote = createServer((req, res) => {
      seen.push(req.headers.authorization);
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => remote.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(remote.address() as AddressInfo).port}/tml.git`;
      const repo = await GitRepo.open(tempDir(), { remoteUrl: url, committer, httpsToken: 'ghp_secret', timeoutMs: 10_000 });
      await expect(repo.fetch()).rejects.toThrow(GitError);
      expect(seen[0]).toBe(`Basic ${Buffer.from('x-access-token:ghp_secret').toString('base64')}`);
      const config = readFileSync(join(repo.dir, '.git', 'config'), 'utf8');
      expect(config).toContain(`url = ${url}`);
      expect(config).not.toContain('ghp_secret');
    } finally {
      await new Promise((resolve) => remote.close(resolve));
    }
  });
});

/**
 * Every checkout leaves exactly the branch's tree, whatever was left in it, and a work tree is
 * made and its state read, with as few git processes as that takes (counted by `counted`).
 */
describe('GitRepo with as few git processes as it takes', () => {
  const base = { '.gitignore': '*.log\n', 'a.tml': 'a\n', 'tml/b.tml': 'b\n' };
  let counter: ReturnType<typeof gitProcessCounter> | undefined;
  /** What `task` returns, and the git processes it started (test/support/git-count.ts). */
  const counted = <T>(task: () => Promise<T>): Promise<[T, number]> => (counter ??= gitProcessCounter(tempDir())).counted(task);
  /** What `task` returns, and the git command (`reset`, `push`, …) of each process it started. */
  const commands = async <T>(task: () => Promise<T>): Promise<[T, string[]]> => {
    const [value, processes] = await (counter ??= gitProcessCounter(tempDir())).logged(task);
    return [value, processes.map((args) => args.replace(/^(-c \S+ )*/, '').split(' ')[0]!)];
  };
  const open = async (remoteUrl: string, dir = tempDir()) => (await counted(() => GitRepo.open(dir, { remoteUrl, committer })))[0];
  /** The git processes `checkout(branch)` started, besides the remote's tips, read once per fetch by whatever asks first. */
  const checkout = async (repo: GitRepo, branch: string) => {
    await repo.revParse(`refs/remotes/origin/${branch}`);
    return (await counted(() => repo.checkout(branch)))[1];
  };
  /** A remote with `main` at `base`. */
  const seeded = (name: string) => {
    const url = server.createRepo(name);
    commitOn(server.pathOf(name), 'main', 'base', base, null);
    return url;
  };
  /** What an interrupted run or a person leaves: a file git does not know, one it ignores, a tracked one changed and one deleted. */
  const leaveLeftovers = (dir: string) => {
    writeFileSync(join(dir, 'half-written.tml'), 'half');
    mkdirSync(join(dir, 'logs'), { recursive: true });
    writeFileSync(join(dir, 'logs', 'debug.log'), 'ignored');
    writeFileSync(join(dir, 'a.tml'), 'changed');
    rmSync(join(dir, 'tml', 'b.tml'), { force: true });
  };
  /**
   * The work tree holds exactly the commit `ref` names (none: an empty branch) on `branch`: nothing
   * more, nothing changed, ignored files included, and the index the same. One git process: the
   * commit is the remote's tip (known to the repository since its fetch), and `status` says the rest.
   */
  const expectExact = async (repo: GitRepo, branch: string, ref?: string) => {
    const commit = ref === undefined ? '(initial)' : await repo.revParse(ref);
    expect(git(repo.dir, 'status', '--porcelain=v2', '--branch', '--ignored', '-uall').split('\n')).toEqual([`# branch.oid ${commit}`, `# branch.head ${branch}`]);
    if (ref === undefined) expect(readdirSync(repo.dir)).toEqual(['.git']);
  };
  /** A run's commit of `files` on the checked-out `branch`, as the export makes it: it leaves the tree mark (once settled, as its publication is). */
  const run = async (repo: GitRepo, branch: string, files: Record<string, string>) => {
    const stream = repo.startCommits(branch);
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(repo.dir, path)), { recursive: true });
      writeFileSync(join(repo.dir, path), text);
      stream.file(path, text);
    }
    stream.commit(Object.keys(files), 'run', committer);
    const [made] = await stream.finish();
    await repo.settled();
    return made!;
  };

  it('brings the index in step with a stream\'s commits during their publication, not before it', async () => {
    const repo = await open(server.createRepo('co-settle'));
    await repo.fetch();
    await repo.checkout('main');
    const stream = repo.startCommits('main');
    writeFileSync(join(repo.dir, 'a.tml'), 'a\n');
    stream.file('a.tml', 'a\n');
    stream.commit(['a.tml'], 'a', committer);
    const [, finishing] = await commands(() => stream.finish());
    expect(finishing).toEqual(['fast-import']);
    const [, publishing] = await commands(() => repo.push('main'));
    expect(publishing.sort()).toEqual(['push', 'reset']);
    expect(git(repo.dir, 'status', '--porcelain', '-uall')).toBe('');
  });

  it('says where a ref points in the work tree from git\'s files, loose or packed, without a process', async () => {
    const repo = await open(seeded('local-tip'));
    await repo.fetch();
    const sha = (await repo.revParse('refs/remotes/origin/main'))!;
    const tip = async (ref: string) => {
      const [found, processes] = await counted(() => repo.localTip(ref));
      expect(processes).toBe(0);
      return found;
    };
    expect(await tip('refs/tmlsync/dev/export')).toBeUndefined();
    git(repo.dir, 'update-ref', 'refs/tmlsync/dev/export', sha);
    expect(await tip('refs/tmlsync/dev/export')).toBe(sha);
    git(repo.dir, 'pack-refs', '--all');
    expect(existsSync(join(repo.dir, '.git', 'refs', 'tmlsync', 'dev', 'export'))).toBe(false);
    expect(await tip('refs/tmlsync/dev/export')).toBe(sha);
    expect(await tip('refs/tmlsync/dev')).toBeUndefined();
    expect(await tip('refs/../HEAD')).toBeUndefined();
  });

  it('reads no file of a state ref the remote does not have with a process of its own, and a burst of reads with one', async () => {
    const name = 'co-states';
    const url = seeded(name);
    prepareCommits(server.pathOf(name), [{ ref: 'refs/tmlsync/dev/export', message: 'ledger', files: { 'head.json': '{}\n' } }]);
    const repo = await open(url);
    await repo.fetch();
    await repo.revParse('refs/remotes/origin/main');
    expect(await counted(() => repo.readStates([{ ref: 'refs/tmlsync/prod/export', file: 'head.json' }, { ref: 'refs/tmlsync/prod/deploy', file: 'deploy.json' }]))).toEqual([[undefined, undefined], 0]);
    const reads = [{ ref: 'refs/tmlsync/prod/export', file: 'head.json' }, { ref: 'refs/tmlsync/dev/export', file: 'head.json' }, { ref: 'refs/tmlsync/dev/export', file: 'none.json' }, { ref: 'main', file: 'a.tml' }];
    expect(await counted(() => repo.readStates(reads))).toEqual([[undefined, '{}\n', undefined, undefined], 1]);
    // The reads of a burst: the process that answered the last read answers this one.
    expect(await counted(() => repo.readStates([{ ref: 'refs/remotes/origin/main', file: 'a.tml' }, { ref: 'refs/remotes/origin/dev', file: 'a.tml' }]))).toEqual([['a\n', undefined], 0]);
  });

  it('makes a work tree with one process, writing the remote URL as git would, and opens it again with none', async () => {
    // git writes the second URL quoted and escaped (and reads it back), the third with a space in it as it is.
    for (const [url, made, opened] of [[server.createRepo('co-url'), 1, 0], [join(tempDir(), 'odd #;"\\ name.git'), 2, 1], ['git://127.0.0.1:9/a b.git', 1, 0]] as const) {
      const dir = tempDir();
      expect((await counted(() => GitRepo.open(dir, { remoteUrl: url, committer })))[1]).toBe(made);
      expect(git(dir, 'config', '--get-all', 'remote.origin.url')).toBe(url);
      expect((await counted(() => GitRepo.open(dir, { remoteUrl: url, committer })))[1]).toBe(opened);
    }
    await expect(open('git://127.0.0.1:9/other.git', (await open(server.createRepo('co-url-2'))).dir)).rejects.toThrow(/is the work tree of git:\/\/127\.0\.0\.1:\d+\/co-url-2\.git, not of git:\/\/127\.0\.0\.1:9\/other\.git/);
  });

  it('checks a branch out into a fresh work tree with one process, and puts every leftover back without a mark', async () => {
    const repo = await open(seeded('co-fresh'));
    await repo.fetch();
    expect(await checkout(repo, 'main')).toBe(1);
    await expectExact(repo, 'main', 'refs/remotes/origin/main');
    leaveLeftovers(repo.dir);
    expect(await checkout(repo, 'main')).toBe(2);
    await expectExact(repo, 'main', 'refs/remotes/origin/main');
    expect(readFileSync(join(repo.dir, 'a.tml'), 'utf8')).toBe('a\n');
  });

  it('goes from the tree a run left to where the remote moved, another commit or another branch, with one process', async () => {
    const name = 'co-moved';
    const repo = await open(seeded(name));
    await repo.fetch();
    await checkout(repo, 'main');
    await run(repo, 'main', { 'mine.tml': 'mine\n', 'a.tml': 'a, mine\n' });
    // Forced over the run's commit, elsewhere: its files go, the remote's come.
    commitOn(server.pathOf(name), 'main', 'theirs', { 'c.tml': 'c\n', 'tml/b.tml': null });
    commitOn(server.pathOf(name), 'other', 'other', { 'other.tml': 'o\n' }, 'main');
    await repo.fetch();
    expect(await checkout(repo, 'main')).toBe(1);
    await expectExact(repo, 'main', 'refs/remotes/origin/main');
    expect(readFileSync(join(repo.dir, 'a.tml'), 'utf8')).toBe('a\n');
    expect(() => readFileSync(join(repo.dir, 'mine.tml'))).toThrow();
    await run(repo, 'main', { 'd.tml': 'd\n' });
    expect(await checkout(repo, 'other')).toBe(1);
    await expectExact(repo, 'other', 'refs/remotes/origin/other');
    // The mark promises nothing once a run is cut short after its checkout: the next one puts the tree back whole.
    leaveLeftovers(repo.dir);
    expect(await checkout(repo, 'main')).toBe(2);
    await expectExact(repo, 'main', 'refs/remotes/origin/main');
  });

  it('leaves the mark after a checkout for a caller that only reads the tree: the next checkout starts no process, or one once the remote moved', async () => {
    const name = 'co-reads';
    const repo = await open(seeded(name));
    await repo.fetch();
    await repo.revParse('refs/remotes/origin/main');
    expect((await counted(() => repo.checkout('main', { reads: true })))[1]).toBe(1);
    expect(await checkout(repo, 'main')).toBe(0);
    await expectExact(repo, 'main', 'refs/remotes/origin/main');
    // That checkout was a writer's: it took the mark, and a reader's puts the tree back whole.
    leaveLeftovers(repo.dir);
    expect((await counted(() => repo.checkout('main', { reads: true })))[1]).toBe(2);
    await expectExact(repo, 'main', 'refs/remotes/origin/main');
    // Again a reader's with nothing to do keeps the mark; the remote moves on, and the tree follows with no clean.
    expect((await counted(() => repo.checkout('main', { reads: true })))[1]).toBe(0);
    commitOn(server.pathOf(name), 'main', 'theirs', { 'c.tml': 'c\n', 'tml/b.tml': null });
    await repo.fetch();
    expect(await checkout(repo, 'main')).toBe(1);
    await expectExact(repo, 'main', 'refs/remotes/origin/main');
  });

  it('starts a branch the remote does not have in a fresh work tree by naming it in HEAD: one process, none for the branch init names', async () => {
    const dev = await open(server.createRepo('co-new'));
    await dev.fetch();
    expect(await checkout(dev, 'dev')).toBe(1);
    await expectExact(dev, 'dev');
    expect(existsSync(join(dev.dir, '.git', 'index'))).toBe(false);
    const first = await run(dev, 'dev', { 'a.tml': 'a\n' });
    expect(git(dev.dir, 'rev-list', '--parents', 'dev')).toBe(first);
    const main = await open(server.createRepo('co-new-main'));
    expect(await checkout(main, 'main')).toBe(0);
    await expectExact(main, 'main');
    const root = await run(main, 'main', { 'a.tml': 'a\n' });
    expect(git(main.dir, 'rev-list', '--parents', 'main')).toBe(root);
    // A folder with files in it before the repository was made: they are not the branch's.
    const cluttered = tempDir();
    writeFileSync(join(cluttered, 'stray.tml'), 'stray\n');
    const repo = await open(server.createRepo('co-new-cluttered'), cluttered);
    expect(await checkout(repo, 'dev')).toBe(2);
    await expectExact(repo, 'dev');
  });

  it('starts a branch the remote does not have, or no longer has, empty over what a work tree holds, with or without a mark', async () => {
    const name = 'co-gone';
    const repo = await open(seeded(name));
    await repo.fetch();
    await checkout(repo, 'main');
    // A branch of that name left here from before: a first commit must not land on it.
    git(repo.dir, 'branch', 'gone', 'HEAD');
    leaveLeftovers(repo.dir);
    expect(await checkout(repo, 'gone')).toBe(4);
    await expectExact(repo, 'gone');
    const first = await run(repo, 'gone', { 'g.tml': 'g\n' });
    expect(git(repo.dir, 'rev-list', '--parents', 'gone')).toBe(first);
    // With the mark, the tree is the commit's exactly: its files go with the index, and nothing is left to clean.
    git(repo.dir, 'branch', 'stale', 'origin/main');
    expect(await checkout(repo, 'stale')).toBe(3);
    await expectExact(repo, 'stale');
    await checkout(repo, 'main');
    await expectExact(repo, 'main', 'refs/remotes/origin/main');
  });
});
