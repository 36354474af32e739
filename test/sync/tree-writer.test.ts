import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TreeWriter, type FileOp } from '../../src/sync/kernel/tree-writer.js';
import { git } from '../support/git-server.js';

const work = mkdtempSync(join(tmpdir(), 'tmlsync-tree-writer-'));
const outside = join(work, 'outside');
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** What lies outside the tree, as the links in the branch could reach it. */
const victims = { 'secret.txt': 'not tmlsync\'s\n', 'table.txt': 'guid: t\n' };
const origin = join(work, 'origin');

/**
 * A branch pushed by someone hostile: `tml/liveboard` is a link to a folder outside,
 * `tml/table/a.table.tml` a link to a file outside, and the temporary file of
 * `principals/principals.yaml` a link too. Each way of writing checks out a clone of its own.
 */
beforeAll(() => {
  mkdirSync(outside);
  for (const [name, text] of Object.entries(victims)) writeFileSync(join(outside, name), text);
  mkdirSync(join(origin, 'tml', 'table'), { recursive: true });
  mkdirSync(join(origin, 'principals'));
  git(origin, 'init', '--quiet', '--initial-branch=dev');
  symlinkSync(outside, join(origin, 'tml', 'liveboard'));
  symlinkSync(join(outside, 'table.txt'), join(origin, 'tml', 'table', 'a.table.tml'));
  symlinkSync(join(outside, 'secret.txt'), join(origin, 'principals', 'principals.yaml.tmlsync-tmp'));
  writeFileSync(join(origin, 'principals', 'principals.yaml'), 'users: []\n');
  git(origin, 'add', '.');
  git(origin, 'commit', '--quiet', '-m', 'hostile links');
});

/** Runs `use` with a writer on `dir`, closed however it ends. */
async function withWriter<T>(dir: string, options: { inlineOps?: number }, use: (writer: TreeWriter) => Promise<T>): Promise<T> {
  const writer = new TreeWriter(dir, options);
  try {
    return await use(writer);
  } finally {
    await writer.close();
  }
}

/** A new empty folder of the test's own. */
function freshDir(name: string): string {
  const dir = join(work, name);
  mkdirSync(dir);
  return dir;
}

function outsideNow(): Record<string, string> {
  return Object.fromEntries(readdirSync(outside).map((name) => [name, readFileSync(join(outside, name), 'utf8')]));
}

/** The operations a run applies on its own thread (a run's first few) or on the worker (the rest of a full export). */
const WAYS = [['on the caller\'s thread', { inlineOps: Infinity }], ['on its worker', { inlineOps: 0 }]] as const;

describe.each(WAYS)('the working-tree writer %s (issue 15, item 1: symlinks, write)', (way, options) => {
  const tree = join(work, `tree-${options.inlineOps}`);
  beforeAll(() => {
    git(work, 'clone', '--quiet', '--branch', 'dev', origin, tree);
    expect(lstatSync(join(tree, 'tml', 'liveboard')).isSymbolicLink(), way).toBe(true);
  });

  it('never writes, reads or removes through a symlink in the branch; the export lands inside the tree', async () => {
    const same: boolean[][] = [];
    await withWriter(tree, options, async (writer) => {
      // A dry run compares without reading through the link or changing anything.
      writer.apply([{ path: 'tml/table/a.table.tml', text: victims['table.txt'], write: false }], (s) => same.push(s));
      writer.apply([
        { remove: 'tml/liveboard/secret.txt', write: true },
        { path: 'tml/liveboard/board.liveboard.tml', text: 'guid: b\n', write: true },
        { path: 'tml/table/a.table.tml', text: 'guid: a\n', write: true },
        { path: 'principals/principals.yaml', text: 'users:\n- name: ana\n', write: true },
      ]);
      await writer.settled();
    });
    expect(same).toEqual([[false]]);
    expect(outsideNow()).toEqual(victims);

    expect(lstatSync(join(tree, 'tml', 'liveboard')).isDirectory()).toBe(true);
    expect(readdirSync(join(tree, 'tml', 'liveboard'))).toEqual(['board.liveboard.tml']);
    expect(lstatSync(join(tree, 'tml', 'table', 'a.table.tml')).isFile()).toBe(true);
    expect(readFileSync(join(tree, 'tml', 'table', 'a.table.tml'), 'utf8')).toBe('guid: a\n');
    expect(readFileSync(join(tree, 'principals', 'principals.yaml'), 'utf8')).toBe('users:\n- name: ana\n');
    expect(readdirSync(join(tree, 'principals')).sort()).toEqual(['principals.yaml', 'principals.yaml.tmlsync-tmp']);
    // git sees the links replaced by the exported files; the link at the old temporary name is left as it was.
    expect(git(tree, 'status', '--porcelain', '-uall').split('\n').map((line) => line.trim()).sort()).toEqual([
      '?? tml/liveboard/board.liveboard.tml',
      'D tml/liveboard',
      'M principals/principals.yaml',
      'T tml/table/a.table.tml',
    ]);
  });

  it('a pushed *.tmlsync-tmp symlink stays in git as it was: the writer neither follows nor removes it', async () => {
    await withWriter(tree, options, async (writer) => {
      writer.apply([{ path: 'principals/principals.yaml', text: 'users:\n- name: bo\n', write: true }]);
      await writer.settled();
    });
    const link = join(tree, 'principals', 'principals.yaml.tmlsync-tmp');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe(join(outside, 'secret.txt'));
    expect(outsideNow()).toEqual(victims);
    expect(git(tree, 'status', '--porcelain', '--', 'principals/principals.yaml.tmlsync-tmp')).toBe('');
    expect(readdirSync(join(tree, 'principals')).sort()).toEqual(['principals.yaml', 'principals.yaml.tmlsync-tmp']);
  });

  it('refuses a path that climbs out of the tree', async () => {
    await withWriter(tree, options, async (writer) => {
      writer.apply([{ path: '../outside/secret.txt', text: 'x', write: true }]);
      await expect(writer.settled()).rejects.toThrow(/refusing a path outside the working tree/);
    });
    expect(outsideNow()).toEqual(victims);
  });
});

describe('the working-tree writer from its own thread to its worker', () => {
  it('keeps the order of the operations across the switch, and reports the worker\'s failure as its own', async () => {
    const dir = freshDir('switch');
    const same: boolean[][] = [];
    await withWriter(dir, { inlineOps: 2 }, async (writer) => {
      writer.apply([{ path: 'tml/a.tml', text: 'a1\n', write: true }, { path: 'tml/b.tml', text: 'b\n', write: true }], (s) => same.push(s));
      // Beyond the two: the worker, after what this thread wrote.
      writer.apply([{ path: 'tml/a.tml', text: 'a1\n', write: true }, { path: 'tml/a.tml', text: 'a2\n', write: true }, { remove: 'tml/b.tml', write: true }], (s) => same.push(s));
      await writer.settled();
      writer.apply([{ path: '../climbing.tml', text: 'x', write: true }]);
      await expect(writer.settled()).rejects.toThrow(/^cannot write the working tree: refusing a path outside the working tree/);
    });
    expect(same).toEqual([[false, false], [true, false, false]]);
    expect(readdirSync(join(dir, 'tml'))).toEqual(['a.tml']);
    expect(readFileSync(join(dir, 'tml', 'a.tml'), 'utf8')).toBe('a2\n');
  });
});

describe('the working-tree writer\'s worker (issue 16: the commits go on while the files are written)', () => {
  it('compares each operation with the tree as the ones before it leave it, whether they are written yet or not', async () => {
    const dir = freshDir('planned');
    const same: boolean[][] = [];
    const many = Array.from({ length: 300 }, (_, i) => ({ path: `tml/f${i}.tml`, text: `${i}\n`, write: true }));
    await withWriter(dir, { inlineOps: 0 }, async (writer) => {
      // The later batches come while the first one's files are most likely still being written.
      writer.apply(many, (s) => same.push(s));
      writer.apply([{ path: 'tml/f299.tml', text: '299\n', write: true }, { path: 'tml/f0.tml', text: 'zero\n', write: true }], (s) => same.push(s));
      writer.apply([{ remove: 'tml/f1.tml', write: true }], (s) => same.push(s));
      writer.apply([{ path: 'tml/f1.tml', text: '1\n', write: true }, { path: 'tml/f0.tml', text: 'zero\n', write: true }], (s) => same.push(s));
      await writer.settled();
    });
    expect(same).toEqual([many.map(() => false), [true, false], [false], [false, true]]);
    expect(readdirSync(join(dir, 'tml'))).toHaveLength(300);
    expect(readFileSync(join(dir, 'tml', 'f0.tml'), 'utf8')).toBe('zero\n');
    expect(readFileSync(join(dir, 'tml', 'f1.tml'), 'utf8')).toBe('1\n');
    expect(readFileSync(join(dir, 'tml', 'f299.tml'), 'utf8')).toBe('299\n');
  });

  it('keeps a file planned by a later operation when an earlier one that wrote the same text is applied', async () => {
    const dir = freshDir('replanned');
    const same: boolean[][] = [];
    const p = (text: string) => ({ path: 'tml/p.tml', text, write: true });
    await withWriter(dir, { inlineOps: 0 }, async (writer) => {
      writer.apply([p('A\n')]);
      writer.apply([p('B\n')]);
      writer.apply(Array.from({ length: 2000 }, (_, i) => ({ path: `tml/f${i}.tml`, text: `${i}\n`, write: true })));
      writer.apply([p('A\n')]);
      await writer.compared();
      // Asked while the 2,000 files are written: the first two are in the tree (B), and A is still to come over them.
      writer.apply([p('B\n')], (s) => same.push(s));
      await writer.settled();
    });
    expect(same).toEqual([[false]]);
    expect(readFileSync(join(dir, 'tml', 'p.tml'), 'utf8')).toBe('B\n');
  });

  it('plans nothing of a batch whose comparison failed, and takes nothing once its worker stopped', async () => {
    const dir = freshDir('unplanned');
    const same: boolean[][] = [];
    await withWriter(dir, { inlineOps: 0 }, async (writer) => {
      writer.apply([{ path: 'tml/q.tml', text: 'q\n', write: true }, { path: '../climbing.tml', text: 'x', write: true }]);
      writer.apply([{ path: 'tml/q.tml', text: 'q\n', write: true }], (s) => same.push(s));
      await expect(writer.settled()).rejects.toThrow(/refusing a path outside the working tree/);
      expect(same).toEqual([[false]]);
      expect(readFileSync(join(dir, 'tml', 'q.tml'), 'utf8')).toBe('q\n');
    });
    const stopped = new TreeWriter(dir, { inlineOps: 0 });
    stopped.apply([{ path: 'tml/r.tml', text: 'r\n', write: true }]);
    await stopped.settled();
    await stopped.close();
    stopped.apply([{ path: 'tml/s.tml', text: 's\n', write: true }]);
    await expect(stopped.settled()).rejects.toThrow(/the working-tree writer stopped/);
  });

  it('answers a batch before its files are written: what the branch has in the way fails the answers, a write that fails afterwards only the writes', async () => {
    const dir = join(work, 'answered');
    mkdirSync(join(dir, 'tml', 'b.tml'), { recursive: true });
    writeFileSync(join(dir, 'principals'), 'a file where a folder goes\n');
    const outcome = (op: FileOp) =>
      withWriter(dir, { inlineOps: 0 }, async (writer) => {
        const same: boolean[][] = [];
        writer.apply([op], (s) => same.push(s));
        const failure = (error: Error) => error.message;
        return { compared: await writer.compared().then(() => same, failure), settled: await writer.settled().then(() => 'written', failure) };
      });
    const inTheWay = (message: string) => ({ compared: message, settled: message });
    expect(await outcome({ path: 'principals/principals.yaml', text: 'users: []\n', write: true })).toEqual(inTheWay('cannot write the working tree: a file is where a folder goes: "principals/principals.yaml"'));
    expect(await outcome({ path: 'tml/b.tml', text: 'b\n', write: true })).toEqual(inTheWay('cannot write the working tree: a folder is where a file goes: "tml/b.tml"'));
    // A name the file system takes, and its temporary file's it does not: the answer stands, the write fails.
    expect(await outcome({ path: LONG, text: 'a\n', write: true })).toEqual({ compared: [[false]], settled: expect.stringMatching(/^cannot write the working tree: ENAMETOOLONG/) });
    expect(readFileSync(join(dir, 'principals'), 'utf8')).toBe('a file where a folder goes\n');
    expect(readdirSync(join(dir, 'tml')).sort()).toEqual(['b.tml']);
  });

  it('starts its worker as soon as more operations are expected than the caller\'s thread applies, and hands it every later one', async () => {
    const dir = freshDir('expected');
    const failing = [{ path: LONG, text: 'a\n', write: true }];
    // On the caller's thread, within its share: comparing and writing are one step, and fail together.
    await withWriter(dir, { inlineOps: 5 }, async (here) => {
      here.apply(failing);
      await expect(here.compared()).rejects.toThrow(/ENAMETOOLONG/);
    });
    // Told that more are due than its share: the same operation goes to the worker, which answers first.
    await withWriter(dir, { inlineOps: 5 }, async (told) => {
      told.expect(6);
      told.apply(failing);
      await told.compared();
      await expect(told.settled()).rejects.toThrow(/ENAMETOOLONG/);
    });
  });
});

/** A file name of 250 bytes: one the file system takes (255 at most), its temporary file's (25 more) not. */
const LONG = `tml/${'n'.repeat(250)}`;
