import { createRequire } from 'node:module';
import { runInThisContext } from 'node:vm';
import { Worker } from 'node:worker_threads';

/** One file operation in a working tree. */
export interface FileOp {
  /** The file to write (relative to the tree), unless it already holds `text`: then nothing is written nor removed. */
  path?: string;
  text?: string;
  /** Whether to change anything (false in a dry run: only compare). */
  write: boolean;
  /** A file removed after `path` is written (the old name of a renamed object), or on its own. */
  remove?: string;
}

/**
 * The file operations (`makeApply(root)`, one operation at a time), run by the
 * worker or, for a run with few files, by this thread. CommonJS in a string, so
 * that it runs the same from src/ under tsx, from dist/, and under vitest. Each write goes through a
 * temporary file and a rename: no reader, and no run killed midway, ever sees
 * half a file (the next run's checkout removes a leftover temporary one).
 *
 * It never writes through a symbolic link (issue 15, item 1). The tree is a checkout of a
 * branch anyone with push access may fill, and a link there (`tml/liveboard` -> /etc, or a
 * link at a file's or its temporary file's name) would send a write outside the tree. So
 * every folder below the root is looked at with lstat before a write: a link or other
 * special file where a folder goes is removed (the link, never its target) and a real
 * folder made in its place, as an administrator would expect, since the export is the
 * source of truth and the next commit records the real files; a regular file where a
 * folder goes is an error. The temporary file has a random name of its own, created
 * exclusively (O_EXCL follows no link): a file or link by that name, which a branch may
 * hold, is passed over, never followed nor removed, so it stays in git as it was. The
 * rename replaces a link at the file's name rather than following it. Reads and removals follow no link either: a path whose folders
 * are not all real directories holds nothing in the tree.
 */
const CORE = `
const { lstatSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { randomBytes } = require('node:crypto');
function makeApply(root) {
// Folders below the root known to be real directories (checked or made during this run).
const real = new Set();
function kindOf(path) {
  // A missing file costs a stat, not an exception.
  const stat = lstatSync(path, { throwIfNoEntry: false });
  return stat === undefined ? 'none' : stat.isDirectory() ? 'folder' : stat.isFile() ? 'file' : 'special';
}
function partsOf(relative) {
  const parts = relative.split('/');
  if (parts.some((part) => part === '' || part === '.' || part === '..')) throw new Error('refusing a path outside the working tree: ' + JSON.stringify(relative));
  return parts;
}
/** The file's full path when every folder on its way is a real directory; undefined otherwise (it cannot be in the tree). */
function inTree(relative) {
  const parts = partsOf(relative);
  let dir = root;
  for (const part of parts.slice(0, -1)) {
    dir = join(dir, part);
    if (real.has(dir)) continue;
    if (kindOf(dir) !== 'folder') return undefined;
    real.add(dir);
  }
  return join(dir, parts[parts.length - 1]);
}
/** The file's full path, every folder on its way made a real directory inside the tree. */
function madeInTree(relative) {
  const parts = partsOf(relative);
  let dir = root;
  for (const part of parts.slice(0, -1)) {
    dir = join(dir, part);
    if (real.has(dir)) continue;
    const kind = kindOf(dir);
    if (kind === 'file') throw new Error('a file is where a folder goes: ' + JSON.stringify(relative));
    if (kind === 'special') unlinkSync(dir);
    if (kind !== 'folder') mkdirSync(dir);
    real.add(dir);
  }
  return join(dir, parts[parts.length - 1]);
}
function holds(file, text) {
  if (file === undefined || kindOf(file) !== 'file') return false;
  try { return readFileSync(file, 'utf8') === text; } catch { return false; }
}
function write(relative, text) {
  const file = madeInTree(relative);
  for (;;) {
    const temp = file + '.' + randomBytes(6).toString('hex') + '.tmlsync-tmp';
    try {
      writeFileSync(temp, text, { flag: 'wx' });
    } catch (error) {
      if (error.code === 'EEXIST') continue;
      throw error;
    }
    renameSync(temp, file);
    return;
  }
}
function remove(relative) {
  const file = inTree(relative);
  if (file !== undefined && kindOf(file) !== 'none') unlinkSync(file);
}
function apply(op) {
  if (op.path !== undefined) {
    // A rename's old file goes even when the new one already holds the text.
    if (op.remove === undefined && holds(inTree(op.path), op.text)) return true;
    if (op.write) write(op.path, op.text);
  }
  if (op.remove !== undefined && op.write) remove(op.remove);
  return false;
}
return apply;
}
`;

/** The worker's whole program: the operations, on the tree its data names, one message at a time. */
const PROGRAM = `${CORE}
const { parentPort, workerData } = require('node:worker_threads');
const apply = makeApply(workerData.root);
parentPort.on('message', ({ id, ops }) => {
  try {
    parentPort.postMessage({ id, same: ops.map(apply) });
  } catch (error) {
    parentPort.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
`;

interface Answer {
  id: number;
  same?: boolean[];
  error?: string;
}

/** `CORE`'s `makeApply`: the operations on the tree at `root`, one at a time. */
type MakeApply = (root: string) => (op: FileOp) => boolean;

/** `makeApply` of `CORE`, compiled once for this thread. */
let compiled: MakeApply | undefined;

function applyHere(root: string): (op: FileOp) => boolean {
  compiled ??= (runInThisContext(`(function (require) {${CORE}\nreturn makeApply;\n})`) as (load: NodeJS.Require) => MakeApply)(createRequire(import.meta.url));
  return compiled(root);
}

/**
 * How many operations a run applies on its own thread before it starts the worker. A worker costs
 * 65 ms of CPU and 60 ms to start (30 starts, node 20, the 2-core machine), paid by every export
 * run, and most runs write a few files or none (an incremental run, a sync). 200 writes of 1 kB
 * kept the event loop busy 66-78 ms (warm, the same machine under load): 100 keep it under the
 * worker's start. A full export hands the rest to the worker.
 */
export const INLINE_OPS = 100;

/**
 * Writes, compares and removes files of a working tree on a thread of its
 * own, so that the export's event loop goes on reading answers meanwhile
 * (written on the event loop, files kept it busy a good part of the exports
 * window at 10,000 objects, and answers waited). The first `inlineOps`
 * operations of a run are applied on the caller's thread; the worker starts
 * with the first batch beyond them. Operations run in the order given;
 * `settled()` waits for all and reports the first failure.
 */
export class TreeWriter {
  #worker: Worker | undefined;
  readonly #here: (op: FileOp) => boolean;
  #hereLeft: number;
  readonly #waiting = new Map<number, { resolve: (same: boolean[]) => void; reject: (error: Error) => void }>();
  readonly #done: Promise<void>[] = [];
  #next = 0;

  readonly #root: string;

  constructor(root: string, { inlineOps = INLINE_OPS }: { inlineOps?: number } = {}) {
    this.#root = root;
    this.#here = applyHere(root);
    this.#hereLeft = inlineOps;
  }

  /** Applies `ops`, then hands `then` whether each op's file already held its text. */
  apply(ops: FileOp[], then: (same: boolean[]) => void = () => undefined): void {
    const answer = this.#worker === undefined && ops.length <= this.#hereLeft ? this.#applyHere(ops) : this.#applyThere(ops);
    const done = answer.then(then);
    done.catch(() => undefined); // reported by settled(), not as an unhandled rejection
    this.#done.push(done);
  }

  /** Waits for everything applied so far; throws the first failure. */
  async settled(): Promise<void> {
    const failure = (await Promise.allSettled(this.#done)).find((o) => o.status === 'rejected');
    if (failure) throw failure.reason;
  }

  async close(): Promise<void> {
    await this.#worker?.terminate();
  }

  #applyHere(ops: FileOp[]): Promise<boolean[]> {
    this.#hereLeft -= ops.length;
    try {
      return Promise.resolve(ops.map((op) => this.#here(op)));
    } catch (error) {
      return Promise.reject(writeFailure(error instanceof Error ? error.message : String(error)));
    }
  }

  #applyThere(ops: FileOp[]): Promise<boolean[]> {
    const worker = (this.#worker ??= this.#startWorker());
    const id = (this.#next += 1);
    const answer = new Promise<boolean[]>((resolve, reject) => this.#waiting.set(id, { resolve, reject }));
    worker.postMessage({ id, ops });
    return answer;
  }

  #startWorker(): Worker {
    const worker = new Worker(PROGRAM, { eval: true, workerData: { root: this.#root } });
    worker.on('message', ({ id, same, error }: Answer) => {
      const waiter = this.#waiting.get(id);
      this.#waiting.delete(id);
      if (error !== undefined || !same) waiter?.reject(writeFailure(error ?? 'no answer'));
      else waiter?.resolve(same);
    });
    worker.on('error', (error) => this.#failAll(error));
    worker.on('exit', () => this.#failAll(new Error('the working-tree writer stopped')));
    return worker;
  }

  #failAll(error: Error): void {
    for (const waiter of this.#waiting.values()) waiter.reject(error);
    this.#waiting.clear();
  }
}

function writeFailure(message: string): Error {
  return new Error(`cannot write the working tree: ${message}`);
}
