import { createRequire } from 'node:module';
import { runInThisContext } from 'node:vm';
import { Worker } from 'node:worker_threads';
import { allEnded } from './settle.js';

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
 * The file operations (`makeTree(root)`: each compared, then changed), run by the
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
function makeTree(root) {
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
/**
 * The file's full path in the tree, every folder on its way looked at ('read', 'check') or made
 * ('make'). 'read' and 'check': undefined when a folder on the way is not a real directory (the
 * file cannot be in the tree). 'check' (before a write) and 'make': a regular file where a folder
 * goes throws. 'make': a link or special file where a folder goes is removed (never what it points
 * at) and a real folder made in its place, as a missing one is.
 */
function pathIn(relative, mode) {
  const parts = partsOf(relative);
  let dir = root;
  for (const part of parts.slice(0, -1)) {
    dir = join(dir, part);
    if (real.has(dir)) continue;
    const kind = kindOf(dir);
    if (mode !== 'read' && kind === 'file') throw folderTaken(relative);
    if (kind !== 'folder') {
      if (mode !== 'make') return undefined;
      if (kind === 'special') unlinkSync(dir);
      mkdirSync(dir);
    }
    real.add(dir);
  }
  return join(dir, parts[parts.length - 1]);
}
function holds(file, text) {
  try { return readFileSync(file, 'utf8') === text; } catch { return false; }
}
function write(relative, text) {
  const file = pathIn(relative, 'make');
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
  const file = pathIn(relative, 'read');
  if (file !== undefined && kindOf(file) !== 'none') unlinkSync(file);
}
/**
 * Whether the file op writes holds its text already (nothing is then written), once the
 * operations before it are applied: 'planned' gives the files of those not applied yet, each
 * with the text it will hold (null: removed). A rename's new file is written whatever it holds.
 * What the branch has in the way of a write fails here, with the answer, before anything is committed.
 */
function holdsAlready(op, planned) {
  if (op.path === undefined) return false;
  const next = planned.get(op.path);
  if (next !== undefined) return op.remove === undefined && next.text === op.text;
  // One look at the file's folders and one at the file: whether it is in the way, and whether it holds the text.
  const file = pathIn(op.path, op.write ? 'check' : 'read');
  const kind = file === undefined ? 'none' : kindOf(file);
  if (op.write && kind === 'folder') throw new Error('a folder is where a file goes: ' + JSON.stringify(op.path));
  return op.remove === undefined && kind === 'file' && holds(file, op.text);
}
function folderTaken(relative) {
  return new Error('a file is where a folder goes: ' + JSON.stringify(relative));
}
/** Applies op, compared already ('same': its file held its text). */
function change(op, same) {
  if (same || !op.write) return;
  if (op.path !== undefined) write(op.path, op.text);
  if (op.remove !== undefined) remove(op.remove);
}
return { holdsAlready, change };
}
`;

/**
 * How long the worker applies queued changes before it looks for the next message: a batch's
 * answers wait at most this long behind files still being written (a file takes 0.2-0.5 ms here).
 */
const SLICE_MS = 4;

/**
 * The worker's whole program. Each message's operations are compared as it arrives, against the
 * tree as the operations before them leave it, and the answer goes back at once; their changes
 * are queued and applied in order, in slices that let the next message in. The caller's commits
 * need only the answers, so that they and the push go on while the files are written: at 1,002
 * objects the last export's answer came some 0.25 s before the last file was written, which the
 * commit waited for (issue 16). A message's changes applied, or the first that failed, is said
 * in a second message.
 */
const PROGRAM = `${CORE}
const { parentPort, workerData } = require('node:worker_threads');
const tree = makeTree(workerData.root);
// The files of the operations compared and not applied yet: path -> { text (null: removed), by: the operation }.
const planned = new Map();
const queue = [];
function messageOf(error) { return error instanceof Error ? error.message : String(error); }
function plan(plans, op, same) {
  if (same || !op.write) return;
  if (op.path !== undefined) plans.set(op.path, { text: op.text, by: op });
  if (op.remove !== undefined) plans.set(op.remove, { text: null, by: op });
}
// Once applied, a file holds what its operation planned, unless a later one planned otherwise.
function unplan(op) {
  for (const path of [op.path, op.remove]) if (path !== undefined && planned.get(path)?.by === op) planned.delete(path);
}
/** A message's operations compared in order, each against those before it, the message's own included; planned once all compared. */
function compare(ops) {
  const mine = new Map();
  const view = { get: (path) => mine.get(path) ?? planned.get(path) };
  const same = ops.map((op) => {
    const held = tree.holdsAlready(op, view);
    plan(mine, op, held);
    return held;
  });
  for (const [path, entry] of mine) planned.set(path, entry);
  return same;
}
function drain() {
  const until = Date.now() + ${SLICE_MS};
  while (queue.length > 0 && Date.now() < until) {
    const job = queue[0];
    if (job.next < job.ops.length) {
      const op = job.ops[job.next];
      try {
        tree.change(op, job.same[job.next]);
      } catch (error) {
        queue.shift();
        job.ops.slice(job.next).forEach(unplan);
        parentPort.postMessage({ id: job.id, error: messageOf(error) });
        continue;
      }
      unplan(op);
      job.next += 1;
    }
    if (job.next === job.ops.length) {
      queue.shift();
      parentPort.postMessage({ id: job.id, written: true });
    }
  }
  if (queue.length > 0) setImmediate(drain);
}
parentPort.on('message', ({ id, ops }) => {
  let same;
  try {
    same = compare(ops);
  } catch (error) {
    parentPort.postMessage({ id, error: messageOf(error) });
    return;
  }
  parentPort.postMessage({ id, same });
  queue.push({ id, ops, same, next: 0 });
  if (queue.length === 1) setImmediate(drain);
});
`;

/** A message of the worker: a message's answers (`same`), its changes applied (`written`), or its failure. */
interface Answer {
  id: number;
  same?: boolean[];
  written?: true;
  error?: string;
}

/** `CORE`'s `makeTree`: the comparison and the change of one operation on the tree at `root`. */
interface Tree {
  holdsAlready(op: FileOp, planned: { get(path: string): { text: string | null } | undefined }): boolean;
  change(op: FileOp, same: boolean): void;
}

/** `makeTree` of `CORE`, compiled once for this thread. */
let compiled: ((root: string) => Tree) | undefined;

/** The operations applied on this thread, each compared and changed at once: nothing is planned. */
function applyHere(root: string): (op: FileOp) => boolean {
  compiled ??= (runInThisContext(`(function (require) {${CORE}\nreturn makeTree;\n})`) as (load: NodeJS.Require) => (root: string) => Tree)(createRequire(import.meta.url));
  const tree = compiled(root);
  const planned = new Map<string, { text: string | null }>();
  return (op) => {
    const same = tree.holdsAlready(op, planned);
    tree.change(op, same);
    return same;
  };
}

/**
 * How many operations a run applies on its own thread before it starts the worker. A worker costs
 * 65 ms of CPU and 60 ms to start (30 starts, node 20, the 2-core machine), paid by every export
 * run, and most runs write a few files or none (an incremental run, a sync). 200 writes of 1 kB
 * kept the event loop busy 66-78 ms (warm, the same machine under load): 100 keep it under the
 * worker's start. A full export hands the rest to the worker.
 */
export const INLINE_OPS = 100;

/** What one message to the worker waits for: its answers, then its changes applied. */
interface Waiting {
  compared: { resolve: (same: boolean[]) => void; reject: (error: Error) => void };
  written: { resolve: () => void; reject: (error: Error) => void };
}

/**
 * Writes, compares and removes files of a working tree on a thread of its
 * own, so that the export's event loop goes on reading answers meanwhile
 * (written on the event loop, files kept it busy a good part of the exports
 * window at 10,000 objects, and answers waited). The first `inlineOps`
 * operations of a run are applied on the caller's thread; the worker starts
 * with the first batch beyond them, or once more are `expect`ed. Operations
 * run in the order given, each compared with the tree as the ones before it
 * leave it; `compared()` waits for every answer, `settled()` for every file
 * as well, and both report the first failure.
 */
export class TreeWriter {
  #worker: Worker | undefined;
  readonly #here: (op: FileOp) => boolean;
  #hereLeft: number;
  readonly #waiting = new Map<number, Waiting>();
  readonly #compared: Promise<void>[] = [];
  readonly #written: Promise<void>[] = [];
  #next = 0;
  /** Why the worker stopped, once it has. */
  #stopped: Error | undefined;

  readonly #root: string;

  constructor(root: string, { inlineOps = INLINE_OPS }: { inlineOps?: number } = {}) {
    this.#root = root;
    this.#here = applyHere(root);
    this.#hereLeft = inlineOps;
  }

  /** Applies `ops`, then hands `then` whether each op's file already held its text (once compared, maybe before it is written). */
  apply(ops: FileOp[], then: (same: boolean[]) => void = () => undefined): void {
    const { compared, written } = this.#worker === undefined && ops.length <= this.#hereLeft ? this.#applyHere(ops) : this.#applyThere(ops);
    const done = compared.then(then);
    // Reported by compared() and settled(), not as unhandled rejections.
    done.catch(() => undefined);
    written.catch(() => undefined);
    this.#compared.push(done);
    this.#written.push(written);
  }

  /**
   * Told how many operations the run has due so far: more than this thread would apply, and the
   * worker starts now and takes every later one, so that its start is over when they come. It
   * started with the first batch beyond this thread's share, after that share was written: at
   * 1,002 objects its files were the last work of the run (issue 16).
   */
  expect(ops: number): void {
    if (this.#worker === undefined && ops > this.#hereLeft) this.#worker = this.#startWorker();
  }

  /** Waits until every operation applied so far is compared (its files may still be being written); throws the first failure. */
  async compared(): Promise<void> {
    await allEnded(this.#compared);
  }

  /** Waits until every operation applied so far is compared and its files written; throws the first failure. */
  async settled(): Promise<void> {
    await allEnded([...this.#compared, ...this.#written]);
  }

  async close(): Promise<void> {
    await this.#worker?.terminate();
  }

  #applyHere(ops: FileOp[]): { compared: Promise<boolean[]>; written: Promise<void> } {
    this.#hereLeft -= ops.length;
    try {
      return { compared: Promise.resolve(ops.map((op) => this.#here(op))), written: Promise.resolve() };
    } catch (error) {
      const failed = Promise.reject(writeFailure(error instanceof Error ? error.message : String(error)));
      return { compared: failed, written: failed };
    }
  }

  #applyThere(ops: FileOp[]): { compared: Promise<boolean[]>; written: Promise<void> } {
    const worker = (this.#worker ??= this.#startWorker());
    // A worker that stopped takes no more: what comes after it fails at once, where it waited forever.
    if (this.#stopped) {
      const failed = Promise.reject(this.#stopped);
      return { compared: failed, written: failed };
    }
    const id = (this.#next += 1);
    const waiting = {} as Waiting;
    const compared = new Promise<boolean[]>((resolve, reject) => (waiting.compared = { resolve, reject }));
    const written = new Promise<void>((resolve, reject) => (waiting.written = { resolve, reject }));
    this.#waiting.set(id, waiting);
    worker.postMessage({ id, ops });
    return { compared, written };
  }

  #startWorker(): Worker {
    const worker = new Worker(PROGRAM, { eval: true, workerData: { root: this.#root } });
    worker.on('message', (answer: Answer) => this.#answered(answer));
    worker.on('error', (error) => this.#failAll(error));
    worker.on('exit', () => this.#failAll(new Error('the working-tree writer stopped')));
    return worker;
  }

  /** A message's answers settle what waits for them; its changes applied, or its failure, end its wait. */
  #answered({ id, same, written, error }: Answer): void {
    const waiter = this.#waiting.get(id);
    if (!waiter) return;
    if (same) {
      waiter.compared.resolve(same);
      return;
    }
    this.#waiting.delete(id);
    if (written) {
      waiter.written.resolve();
      return;
    }
    // A failure before the answers fails both; after them, only the writes (the answers stand).
    const failure = writeFailure(error ?? 'no answer');
    waiter.compared.reject(failure);
    waiter.written.reject(failure);
  }

  #failAll(error: Error): void {
    this.#stopped ??= error;
    for (const waiter of this.#waiting.values()) {
      waiter.compared.reject(error);
      waiter.written.reject(error);
    }
    this.#waiting.clear();
  }
}

function writeFailure(message: string): Error {
  return new Error(`cannot write the working tree: ${message}`);
}
