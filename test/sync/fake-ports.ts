import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { KIND_LISTINGS } from '../../src/tml/index.js';
import type { ContentRepo, Header, HeaderType, Identity, Publication } from '../../src/sync/ports.js';

/**
 * Fakes of the two ports a workflow phase talks through, for phases called
 * alone (issue 14): a ThoughtSpot that holds objects by kind and lists them,
 * and a repository whose working tree is a temporary folder and whose remote
 * state refs, branches and calls live in memory. Each records what it was
 * asked, so that a test asserts on what a phase did.
 */

/** A ThoughtSpot that holds objects (kind, name, id) and lists each kind as the real listing would. */
export function fakeThoughtSpot(objects: { kind: string; name: string; id: string; modified?: number }[]) {
  const listed: HeaderType[] = [];
  const port = {
    listHeaders(type: HeaderType, subtypes?: string[]): Promise<Header[]> {
      listed.push(type);
      // Without subtypes, every object of the type (all logical tables: tables, views, worksheets, models…).
      const kinds = new Set<string>(KIND_LISTINGS.filter((l) => l.metadataType === type && (!subtypes || l.subtypes.join() === subtypes.join())).map((l) => l.kind));
      return Promise.resolve(objects.filter((o) => kinds.has(o.kind)).map((o) => ({ id: o.id, name: o.name, modified: o.modified ?? 1 })));
    },
    listPrincipals: () => Promise.resolve([]),
    listGroupPrivileges: () => Promise.resolve([]),
  };
  return { port: port as never, listed };
}

/** A listing call's time when ThoughtSpot is down (its retries): ten minutes, past any test's timeout (20 s). */
export const DOWN_MS = 600_000;

/**
 * A call that ends `ms` after it starts, or once its `signal` has stopped it: then it rejects with
 * the signal's reason, `lagMs` later (as a request being closed does, so that a caller that reports
 * before its calls have ended is seen doing so). `onStop` is told at the abort.
 */
export function callUntilStopped(ms: number, signal: AbortSignal | undefined, onStop?: () => void, lagMs = 10): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      onStop?.();
      setTimeout(() => reject(signal.reason as Error), lagMs);
    }, { once: true });
  });
}

/**
 * Calls that answer only once their signal stops them, and end `lagMs` after that (`callUntilStopped`):
 * `state` counts those under way and those stopped, each counted as it ends.
 */
export function stoppedCalls(lagMs: number) {
  const state = { inFlight: 0, stopped: 0 };
  const call = <T>(signal: AbortSignal | undefined, answer: T): Promise<T> => {
    state.inFlight += 1;
    return callUntilStopped(DOWN_MS, signal, undefined, lagMs)
      .finally(() => (state.inFlight -= 1))
      .then(
        () => answer,
        (error: unknown) => {
          state.stopped += 1;
          throw error;
        },
      );
  };
  return { state, call };
}

/**
 * `port` (a `fakeThoughtSpot`'s) whose listing calls each take `ms`, or end when their signal aborts (`callUntilStopped`),
 * counted in `calls` as the repository's calls are (one order of both); `fail` makes each one fail.
 */
export function slowListing(port: never, calls: string[], ms: number, fail = false) {
  const state = { inFlight: 0, aborted: 0 };
  const listHeaders = async (type: string, subtypes?: string[], _onPage?: unknown, signal?: AbortSignal) => {
    calls.push(`list ${type}`);
    state.inFlight += 1;
    try {
      await callUntilStopped(ms, signal, () => (state.aborted += 1));
    } finally {
      state.inFlight -= 1;
    }
    if (fail) throw new Error('HTTP 503 from ThoughtSpot');
    return (port as { listHeaders: (type: string, subtypes?: string[]) => Promise<unknown> }).listHeaders(type, subtypes);
  };
  return { port: { ...(port as object), listHeaders } as never, state };
}

/** What the fake repository was asked to do, in order. */
export interface RepoCalls {
  calls: string[];
  states: Map<string, Record<string, string>>;
  published: { branch: string; files: Record<string, string>; message: string; author: Identity }[];
}

/** A repository over a folder: state refs in memory (those given exist), every call recorded. */
export function fakeRepo(dir: string, states: Record<string, Record<string, string>> = {}, branches: string[] = []): { repo: ContentRepo } & RepoCalls {
  const record: RepoCalls = { calls: [], states: new Map(Object.entries(states)), published: [] };
  const side = new Set(branches);
  const repo = {
    dir,
    fetch: () => Promise.resolve(void record.calls.push('fetch')),
    checkout: (branch: string) => Promise.resolve(void record.calls.push(`checkout ${branch}`)),
    // The folder is the branch as the remote has it (a deploy refuses a branch the remote lacks once it has deployed).
    revParse: (ref: string) => Promise.resolve(ref === 'HEAD' || ref.startsWith('refs/remotes/origin/') ? 'c0ffee0000000000000000000000000000000000' : record.states.has(ref) ? 'state' : undefined),
    localTip: (ref: string) => Promise.resolve(record.states.has(ref) ? 'state' : undefined),
    readState: (ref: string, file: string) => Promise.resolve(record.states.get(ref)?.[file]),
    readStates: (reads: { ref: string; file: string }[]) => Promise.resolve(reads.map(({ ref, file }) => record.states.get(ref)?.[file])),
    writeState(ref: string, files: Record<string, string>, message: string) {
      record.calls.push(`writeState ${ref} ${message}`);
      record.states.set(ref, files);
      return Promise.resolve();
    },
    /** One call per publication: its branch (`-` for none) and each state ref's message; the states land at once. */
    async publish({ branch, states }: Publication) {
      const writes = await states();
      record.calls.push(`publish ${branch ?? '-'}${writes.map((w) => `, ${w.ref} ${w.message}`).join('')}`);
      for (const w of writes) record.states.set(w.ref, w.files);
      return true;
    },
    publishBranch(branch: string, _base: string | undefined, files: Record<string, string>, message: string, author: Identity) {
      record.calls.push(`publishBranch ${branch}`);
      record.published.push({ branch, files, message, author });
      side.add(branch);
      return Promise.resolve('b0b');
    },
    removeBranch(branch: string) {
      record.calls.push(`removeBranch ${branch}`);
      return Promise.resolve(side.delete(branch));
    },
  };
  return { repo: repo as unknown as ContentRepo, ...record };
}

/** Writes a file of the working tree. */
export function putFile(dir: string, path: string, text: string): void {
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  writeFileSync(join(dir, path), text);
}
