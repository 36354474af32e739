import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TreeWriter } from '../../src/sync/kernel/tree-writer.js';
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
    const writer = new TreeWriter(tree, options);
    const same: boolean[][] = [];
    try {
      // A dry run compares without reading through the link or changing anything.
      writer.apply([{ path: 'tml/table/a.table.tml', text: victims['table.txt'], write: false }], (s) => same.push(s));
      writer.apply([
        { remove: 'tml/liveboard/secret.txt', write: true },
        { path: 'tml/liveboard/board.liveboard.tml', text: 'guid: b\n', write: true },
        { path: 'tml/table/a.table.tml', text: 'guid: a\n', write: true },
        { path: 'principals/principals.yaml', text: 'users:\n- name: ana\n', write: true },
      ]);
      await writer.settled();
    } finally {
      await writer.close();
    }
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
    const writer = new TreeWriter(tree, options);
    try {
      writer.apply([{ path: 'principals/principals.yaml', text: 'users:\n- name: bo\n', write: true }]);
      await writer.settled();
    } finally {
      await writer.close();
    }
    const link = join(tree, 'principals', 'principals.yaml.tmlsync-tmp');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe(join(outside, 'secret.txt'));
    expect(outsideNow()).toEqual(victims);
    expect(git(tree, 'status', '--porcelain', '--', 'principals/principals.yaml.tmlsync-tmp')).toBe('');
    expect(readdirSync(join(tree, 'principals')).sort()).toEqual(['principals.yaml', 'principals.yaml.tmlsync-tmp']);
  });

  it('refuses a path that climbs out of the tree', async () => {
    const writer = new TreeWriter(tree, options);
    try {
      writer.apply([{ path: '../outside/secret.txt', text: 'x', write: true }]);
      await expect(writer.settled()).rejects.toThrow(/refusing a path outside the working tree/);
    } finally {
      await writer.close();
    }
    expect(outsideNow()).toEqual(victims);
  });
});

describe('the working-tree writer from its own thread to its worker', () => {
  it('keeps the order of the operations across the switch, and reports the worker\'s failure as its own', async () => {
    const dir = join(work, 'switch');
    mkdirSync(dir);
    const writer = new TreeWriter(dir, { inlineOps: 2 });
    const same: boolean[][] = [];
    try {
      writer.apply([{ path: 'tml/a.tml', text: 'a1\n', write: true }, { path: 'tml/b.tml', text: 'b\n', write: true }], (s) => same.push(s));
      // Beyond the two: the worker, after what this thread wrote.
      writer.apply([{ path: 'tml/a.tml', text: 'a1\n', write: true }, { path: 'tml/a.tml', text: 'a2\n', write: true }, { remove: 'tml/b.tml', write: true }], (s) => same.push(s));
      await writer.settled();
      writer.apply([{ path: '../climbing.tml', text: 'x', write: true }]);
      await expect(writer.settled()).rejects.toThrow(/^cannot write the working tree: refusing a path outside the working tree/);
    } finally {
      await writer.close();
    }
    expect(same).toEqual([[false, false], [true, false, false]]);
    expect(readdirSync(join(dir, 'tml'))).toEqual(['a.tml']);
    expect(readFileSync(join(dir, 'tml', 'a.tml'), 'utf8')).toBe('a2\n');
  });
});
