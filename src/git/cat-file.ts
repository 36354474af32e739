import type { ChildProcessWithoutNullStreams } from 'node:child_process';

/** One object as `git cat-file --batch` answers it. */
export interface BatchObject {
  sha: string;
  type: string;
  content: Buffer;
}

/**
 * The answers of `git cat-file --batch`, one per line of its input, in order: each is
 * `<sha> <type> <size>`, the content (size in bytes) and a newline, or `<name> missing` (also
 * `ambiguous`) for a name that names no object, here undefined. One process answers any number of
 * names, where `git show` takes one process per file.
 */
export function batchObjects(out: Buffer): (BatchObject | undefined)[] {
  const objects: (BatchObject | undefined)[] = [];
  for (let offset = 0; offset < out.length; ) {
    const end = out.indexOf('\n', offset);
    if (end < 0) break;
    const header = headerOf(out.subarray(offset, end));
    if (!header) {
      objects.push(undefined);
      offset = end + 1;
      continue;
    }
    objects.push({ sha: header.sha, type: header.type, content: out.subarray(end + 1, end + 1 + header.size) });
    offset = end + 1 + header.size + 1;
  }
  return objects;
}

/** An answer's first line, `<sha> <type> <size>`; undefined for `<name> missing` (or `ambiguous`): no object. */
function headerOf(line: Buffer): { sha: string; type: string; size: number } | undefined {
  const header = /^([0-9a-f]{40,64}) (\w+) (\d+)$/.exec(line.toString('utf8'));
  return header ? { sha: header[1]!, type: header[2]!, size: Number(header[3]) } : undefined;
}

/** One caller's names, answered in order. */
interface BatchRequest {
  count: number;
  objects: (BatchObject | undefined)[];
  resolve: (objects: (BatchObject | undefined)[]) => void;
  reject: (error: Error) => void;
}

/** A running `cat-file --batch`: the requests it still owes, and what it wrote that is not parsed yet. */
interface RunningBatch {
  child: ChildProcessWithoutNullStreams;
  waiting: BatchRequest[];
  chunks: Buffer[];
  length: number;
  /** The header of the object whose content is still coming. */
  header?: { sha: string; type: string; size: number };
  stderr: string;
  idle?: NodeJS.Timeout;
  /** Armed while it owes answers: it ends the process when no output came for `stallMs`. */
  stall?: NodeJS.Timeout;
}

/**
 * A `git cat-file --batch` that answers names as they come, for the reads of a burst: one process
 * for all of them, ended once no name came for `idleMs`. An export reads the ledger shards of each
 * listing page as the page arrives (issue 16); each read took a process of its own, and the three
 * reads of an incremental run at 10,004 objects started 25-35 ms apart, each starting its process
 * while the others and the listing waited (Node's spawn forks the whole process). Answers are
 * parsed as they arrive; an object's content is joined once it is whole.
 */
export class BatchReader {
  #running: RunningBatch | undefined;

  constructor(
    private readonly start: () => ChildProcessWithoutNullStreams,
    private readonly idleMs: number,
    /** Longest the process may owe answers without writing any (git's other commands have the same limit: `GitAccess.timeoutMs`). */
    private readonly stallMs = 120_000,
  ) {}

  /** The objects `names` name (undefined for a name that names none), in order. */
  read(names: string[]): Promise<(BatchObject | undefined)[]> {
    if (names.length === 0) return Promise.resolve([]);
    const running = this.#running ?? this.#started();
    clearTimeout(running.idle);
    holdOn(running, true);
    this.#watchStall(running);
    return new Promise((resolve, reject) => {
      running.waiting.push({ count: names.length, objects: [], resolve, reject });
      running.child.stdin.write(names.map((name) => `${name}\n`).join(''));
    });
  }

  #started(): RunningBatch {
    const child = this.start();
    const running: RunningBatch = { child, waiting: [], chunks: [], length: 0, stderr: '' };
    this.#running = running;
    // A process that died fails what it owed at its close, with its own message, not as an EPIPE here.
    child.stdin.on('error', () => undefined);
    child.stdout.on('data', (chunk: Buffer) => {
      running.chunks.push(chunk);
      running.length += chunk.length;
      this.#watchStall(running);
      this.#parse(running);
    });
    child.stderr.on('data', (chunk: Buffer) => (running.stderr += chunk.toString('utf8')));
    const failed = (why: string) => {
      if (this.#running === running) this.#running = undefined;
      clearTimeout(running.idle);
      clearTimeout(running.stall);
      for (const request of running.waiting.splice(0)) request.reject(new Error(running.stderr.trim() || why));
    };
    child.on('error', (error) => failed(error.message));
    child.on('close', (code) => failed(`cat-file ended (exit code ${code ?? 'none'}) before it answered`));
    return running;
  }

  /** Parses what the process wrote into the answers it owes; once it owes none, it ends if no name comes within `idleMs`. */
  #parse(running: RunningBatch): void {
    while (running.waiting.length > 0) {
      const request = running.waiting[0]!;
      const object = this.#next(running);
      if (object === 'incomplete') return;
      request.objects.push(object);
      if (request.objects.length === request.count) {
        running.waiting.shift();
        request.resolve(request.objects);
      }
    }
    clearTimeout(running.stall);
    clearTimeout(running.idle);
    running.idle = setTimeout(() => this.#end(running), this.idleMs);
    // Idle, it keeps nothing running: a process that has nothing else to do exits, and the reader's input closes with it.
    holdOn(running, false);
    running.idle.unref();
  }

  /** The next answer whole, or 'incomplete' while it is still coming. */
  #next(running: RunningBatch): BatchObject | undefined | 'incomplete' {
    if (running.header === undefined) {
      const bytes = joined(running);
      const end = bytes.indexOf('\n');
      if (end < 0) return 'incomplete';
      const header = headerOf(bytes.subarray(0, end));
      keep(running, bytes.subarray(end + 1));
      if (!header) return undefined;
      running.header = header;
    }
    const { sha, type, size } = running.header;
    // The content and its newline.
    if (running.length < size + 1) return 'incomplete';
    const bytes = joined(running);
    keep(running, bytes.subarray(size + 1));
    running.header = undefined;
    return { sha, type, content: Buffer.from(bytes.subarray(0, size)) };
  }

  /** (Re)arms the stall timer: a process that owes answers and writes nothing for `stallMs` is killed, and what it owed fails. */
  #watchStall(running: RunningBatch): void {
    clearTimeout(running.stall);
    running.stall = setTimeout(() => {
      running.stderr ||= `no answer within ${this.stallMs / 1000} s`;
      running.child.kill();
    }, this.stallMs);
  }

  #end(running: RunningBatch): void {
    if (this.#running === running) this.#running = undefined;
    running.child.stdin.end();
  }
}

/** Whether the reader's process and its pipes keep Node's event loop running: while it owes answers. */
function holdOn({ child }: RunningBatch, owing: boolean): void {
  // A child's pipes are sockets (`net.Socket`), which Node's types give as plain streams.
  for (const handle of [child, child.stdin, child.stdout, child.stderr] as unknown as { ref(): void; unref(): void }[]) {
    if (owing) handle.ref();
    else handle.unref();
  }
}

/** What the process wrote and is not parsed yet, as one buffer (joined once, when asked). */
function joined(running: RunningBatch): Buffer {
  if (running.chunks.length > 1) running.chunks = [Buffer.concat(running.chunks, running.length)];
  return running.chunks[0] ?? Buffer.alloc(0);
}

function keep(running: RunningBatch, rest: Buffer): void {
  running.chunks = rest.length > 0 ? [rest] : [];
  running.length = rest.length;
}
