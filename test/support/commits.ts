import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { batchObjects } from '../../src/git/cat-file.js';
import { git } from './git-server.js';

/** A commit a test prepares in a bare repository: `files` written (a text) or removed (`null`, a folder too) on top of `from`. */
export interface PreparedCommit {
  /** The ref the commit lands on (`refs/heads/…` for a branch): made if new, moved forward if not. */
  ref: string;
  /** The parent: a commit-ish (`main`, an id) or `:n`, the n-th commit of the same call; none: the ref's commit before in the same call, or none at all. */
  from?: string;
  message: string;
  files: Record<string, string | null>;
}

const data = (text: string) => `data ${Buffer.byteLength(text)}\n${text}\n`;

function commitCommand(commit: PreparedCommit, mark: number, when: number): string {
  const changes = Object.entries(commit.files).map(([path, text]) => (text === null ? `D ${path}\n` : `M 100644 inline ${path}\n${data(text)}`));
  const header = `commit ${commit.ref}\nmark :${mark}\ncommitter Person <person@example.com> ${when} +0000\n${data(commit.message)}`;
  return `${header}${commit.from ? `from ${commit.from}\n` : ''}${changes.join('')}\n`;
}

/**
 * Writes `commits` into the bare repository at `bare` with one `git fast-import`
 * and returns their ids, in order. A test's set-up commits used to take a clone,
 * a checkout, an add and a commit each, and a push (some 25 git processes with
 * the server's for three commits); this is one, with no server involved.
 */
export function prepareCommits(bare: string, commits: PreparedCommit[]): string[] {
  const when = Math.floor(Date.now() / 1000);
  const stream = `${commits.map((commit, i) => commitCommand(commit, i + 1, when)).join('')}done\n`;
  const folder = mkdtempSync(join(tmpdir(), 'tmlsync-marks-'));
  try {
    const marks = join(folder, 'marks');
    execFileSync('git', ['fast-import', '--quiet', '--done', `--export-marks=${marks}`], { cwd: bare, input: stream });
    const ids = new Map(readFileSync(marks, 'utf8').trim().split('\n').map((line) => line.split(' ') as [string, string]));
    return commits.map((_, i) => ids.get(`:${i + 1}`)!);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/**
 * A person's commit on `branch` of the bare repository at `bare`, on the last commit of `onto`
 * (the branch itself unless said; `null`: none, a first commit), as their push would leave it:
 * `files` written (a text) or removed (`null`, a folder too). Returns its id.
 */
export function commitOn(bare: string, branch: string, message: string, files: Record<string, string | null>, onto: string | null = branch): string {
  return prepareCommits(bare, [{ ref: `refs/heads/${branch}`, ...(onto === null ? {} : { from: `refs/heads/${onto}^0` }), message, files }])[0]!;
}

/** The text of the file at `path` in `ref` of the bare repository at `bare`: one git process, nothing checked out. */
export function textAt(bare: string, ref: string, path: string): string {
  return execFileSync('git', ['cat-file', 'blob', `${ref}:${path}`], { cwd: bare, encoding: 'utf8' });
}

/** A file of a commit: its path and its text. */
export interface CommittedFile {
  path: string;
  text: string;
}

/**
 * The path and text of each file at `ref` whose path contains the matching
 * `parts` (objects' GUIDs), read by two git processes whatever their number.
 */
export function filesAt(bare: string, ref: string, parts: string[]): CommittedFile[] {
  const all = git(bare, 'ls-tree', '-r', '--name-only', ref).split('\n');
  const paths = parts.map((part) => {
    const path = all.find((p) => p.includes(part));
    if (!path) throw new Error(`no file at ${ref} has ${part} in its path`);
    return path;
  });
  const out = execFileSync('git', ['cat-file', '--batch'], { cwd: bare, input: paths.map((path) => `${ref}:${path}\n`).join('') });
  return batchObjects(out).map((object, i) => ({ path: paths[i]!, text: object!.content.toString('utf8') }));
}

/**
 * Points `branch` of the bare repository at `bare` to `commit`, as a push would,
 * by writing its ref file: no git process (the repository's refs are files).
 */
export function setBranch(bare: string, branch: string, commit: string): void {
  const file = join(bare, 'refs', 'heads', branch);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${commit}\n`);
}
