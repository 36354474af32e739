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
 * The worker's whole program. CommonJS in a string, so that it runs the same
 * from src/ under tsx, from dist/, and under vitest. Each write goes through a
 * temporary file and a rename: no reader, and no run killed midway, ever sees
 * half a file (the next run's checkout removes a leftover temporary one).
 */
const PROGRAM = `
const { parentPort, workerData } = require('node:worker_threads');
const { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } = require('node:fs');
const { dirname, join } = require('node:path');
const made = new Set();
function holds(file, text) {
  // A missing file costs a stat, not an exception.
  if (!existsSync(file)) return false;
  try { return readFileSync(file, 'utf8') === text; } catch { return false; }
}
function apply(op) {
  if (op.path !== undefined) {
    const file = join(workerData.root, op.path);
    // A rename's old file goes even when the new one already holds the text.
    if (op.remove === undefined && holds(file, op.text)) return true;
    if (op.write) {
      const dir = dirname(file);
      if (!made.has(dir)) { mkdirSync(dir, { recursive: true }); made.add(dir); }
      writeFileSync(file + '.tmlsync-tmp', op.text);
      renameSync(file + '.tmlsync-tmp', file);
    }
  }
  if (op.remove !== undefined && op.write) rmSync(join(workerData.root, op.remove), { force: true });
  return false;
}
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

/**
 * Writes, compares and removes files of a working tree on a thread of its
 * own, so that the export's event loop goes on reading answers meanwhile
 * (written on the event loop, files kept it busy a good part of the exports
 * window at 10,000 objects, and answers waited). Operations run in the order
 * given; `settled()` waits for all and reports the first failure.
 */
export class TreeWriter {
  readonly #worker: Worker;
  readonly #waiting = new Map<number, { resolve: (same: boolean[]) => void; reject: (error: Error) => void }>();
  readonly #done: Promise<void>[] = [];
  #next = 0;

  constructor(root: string) {
    this.#worker = new Worker(PROGRAM, { eval: true, workerData: { root } });
    this.#worker.on('message', ({ id, same, error }: Answer) => {
      const waiter = this.#waiting.get(id);
      this.#waiting.delete(id);
      if (error !== undefined || !same) waiter?.reject(new Error(`cannot write the working tree: ${error ?? 'no answer'}`));
      else waiter?.resolve(same);
    });
    this.#worker.on('error', (error) => this.#failAll(error));
    this.#worker.on('exit', () => this.#failAll(new Error('the working-tree writer stopped')));
  }

  /** Applies `ops`, then hands `then` whether each op's file already held its text. */
  apply(ops: FileOp[], then: (same: boolean[]) => void = () => undefined): void {
    const id = (this.#next += 1);
    const answer = new Promise<boolean[]>((resolve, reject) => this.#waiting.set(id, { resolve, reject }));
    this.#worker.postMessage({ id, ops });
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
    await this.#worker.terminate();
  }

  #failAll(error: Error): void {
    for (const waiter of this.#waiting.values()) waiter.reject(error);
    this.#waiting.clear();
  }
}
