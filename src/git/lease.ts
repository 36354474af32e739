import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { SimpleGit } from 'simple-git';
import { batchObjects } from './cat-file.js';
import { compareAndSwapPush } from './atomic-push.js';
import { createGit, type GitAccess } from './factory.js';
import { GitError, type RefMove } from './repo.js';

/**
 * What a lease ref holds (`lock.json` of a commit of its own). `holder` and `at` are what a
 * `tmlsync deploy` run from the CLI writes to the same ref and reads back (GitRepo.acquireLock),
 * so the two see each other: a CLI deploy meeting a daemon's lease reports its holder and does
 * not take it over; a daemon meeting a CLI's lock (no `expires`) waits for it.
 */
export interface LeaseRecord {
  /** Who holds it: `<host> pid <pid> run <random>`, the form the deploy lock uses. */
  holder: string;
  /** When it was taken or last renewed, by the holder's clock. */
  at: string;
  /** Until when it holds, by the holder's clock (absent on a CLI deploy's lock). */
  expires?: string;
  /** Raised by one at every take and renewal: a fencing token that orders every holding. */
  counter: number;
}

/** A lease this process holds: the commit the remote's ref points at, and what it says. */
export interface HeldLease {
  ref: string;
  commit: string;
  record: LeaseRecord;
}

/** A held lease's next holding, and the move of its ref that makes it so. */
export interface Fenced {
  move: RefMove;
  next: HeldLease;
}

/** The lease as the remote has it: absent, or a commit and (when readable) its record. */
export type RemoteLease = { commit: undefined } | { commit: string; record: LeaseRecord | undefined };

export type TakeResult = { taken: true; lease: HeldLease } | { taken: false; holder: string; expires?: string };

export interface LeaseOptions extends GitAccess {
  /** How long a take or renewal holds. */
  ttlMs: number;
  /**
   * How far the replicas' clocks may disagree. An expiry is written by the holder's clock and
   * read by the taker's; the taker waits this much longer before it takes over, so a lease is
   * never taken early while clocks agree within the margin (NTP keeps them within
   * milliseconds; a clock off by more than this may take over a live lease early).
   */
  skewMarginMs: number;
  /** Who writes the lease commits. */
  committer: { name: string; email: string };
}

/** A CLI deploy's lock has no expiry: it is abandoned after the hour deploy.ts allows a deploy. */
const LOCK_WITHOUT_EXPIRY_MS = 60 * 60 * 1000;

function textOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A failure other than a lost race, as one line: git's first `fatal:` or `error:` line, credentials scrubbed. */
function leaseError(what: string, error: unknown): GitError {
  const lines = textOf(error).replace(/(https?:\/\/)[^/@\s]+@/g, '$1***@').split('\n').map((l) => l.trim()).filter(Boolean);
  const cause = lines.find((l) => /^(fatal|error):/i.test(l)) ?? lines[0] ?? 'no message from git';
  return new GitError(`git ${what} of a lease failed: ${cause.replace(/^(fatal|error):\s*/i, '')}`, what);
}

/** A push of a lease that failed for another reason than a moved ref (a lost race is no error: `compareAndSwapPush`). */
function pushFailure(error: unknown): GitError {
  return leaseError('push', error);
}

/** This process, told apart from a restarted one with the same pid (host and pid are reused). */
export function leaseHolder(): string {
  return `${hostname()} pid ${process.pid} run ${randomBytes(6).toString('hex')}`;
}

/** A record read from the remote, where anyone who can push may have written anything; undefined when unreadable. */
function recordOf(text: string): LeaseRecord | undefined {
  try {
    const { holder, at, expires, counter } = JSON.parse(text) as Partial<Record<keyof LeaseRecord, unknown>>;
    if (typeof holder !== 'string' || typeof at !== 'string' || Number.isNaN(Date.parse(at))) return undefined;
    if (expires !== undefined && (typeof expires !== 'string' || Number.isNaN(Date.parse(expires)))) return undefined;
    return { holder, at, ...(expires !== undefined ? { expires } : {}), counter: typeof counter === 'number' && Number.isSafeInteger(counter) ? counter : 0 };
  } catch {
    return undefined;
  }
}

/**
 * Leases held in the remote (issue 15, several replicas): one ref per environment
 * (`refs/tmlsync/<env>/lock`, the ref a deploy locks, so there is one way of saying
 * "this environment is busy"), moved only by compare-and-swap pushes
 * (`--force-with-lease=<ref>:<expected>`: the remote's receive-pack updates the ref only if it
 * still points where we saw it, under its own lock; no hooks, any git server). Whoever moves
 * the ref from what it read holds the lease; a replica that loses the race reads the winner.
 *
 * Every operation is a few git processes in the environment's work tree (`dir`): a fetch of
 * the one ref and a `cat-file` to read, a `fast-import` and a push to write.
 */
export class GitLeases {
  readonly #git: SimpleGit;
  /**
   * The same, for the pushes of a take and a release: they move the work tree's ref of the lease
   * once the remote took them (git's tracking refs, as `GitRepo` pushes), so that the local ref is
   * what a `read` would leave, without a process of its own. Not a renewal's: it runs beside the
   * run's own fetches in the same work tree, which move that ref too (nothing else reads it).
   */
  readonly #tracking: SimpleGit;
  /**
   * The refs whose last take found them held by another replica: the next take reads first, as
   * today's take always did, where a create would be refused (a replica standing by asks every
   * `renewEveryMs`). Only the order of the steps; every take still judges what the remote has.
   */
  readonly #heldElsewhere = new Set<string>();

  constructor(
    readonly dir: string,
    private readonly options: LeaseOptions,
  ) {
    const { name, email } = options.committer;
    const config = [`user.name=${name}`, `user.email=${email}`];
    this.#git = createGit(dir, options, { config });
    this.#tracking = createGit(dir, options, { config: [...config, 'remote.origin.fetch=+refs/tmlsync/*:refs/tmlsync/*'] });
  }

  /** What the remote's ref holds now (fetched into the local ref of the same name, as `GitRepo.fetch` does). */
  async read(ref: string): Promise<RemoteLease> {
    try {
      await this.#git.raw(['fetch', '--quiet', '--no-tags', 'origin', `+${ref}:${ref}`]);
    } catch (error) {
      if (!/couldn't find remote ref/i.test(textOf(error))) throw leaseError('fetch', error);
      await this.#git.raw(['update-ref', '-d', ref]).catch(() => undefined);
      return { commit: undefined };
    }
    // One process for the commit's name and its lock.json: `cat-file --batch` answers each line of
    // input with `<sha> <type> <size>` and the content (`missing` for a commit without the file).
    const out = await createGit(this.dir, this.options, { input: `${ref}\n${ref}:lock.json\n` }).raw(['cat-file', '--batch']);
    const [commit, blob] = batchObjects(Buffer.from(out, 'utf8'));
    if (commit?.type !== 'commit') throw new GitError(`git cat-file of a lease failed: ${ref} is not a commit`, 'cat-file');
    // A record that is not a file, or not readable, is unreadable: never taken over.
    const text = blob?.type === 'blob' ? blob.content.toString('utf8') : undefined;
    return { commit: commit.sha, record: text === undefined ? undefined : recordOf(text) };
  }

  /** Whether a lease read from the remote has run out, by this machine's clock and the skew margin. */
  expired(record: LeaseRecord, now = Date.now()): boolean {
    const until = record.expires !== undefined ? Date.parse(record.expires) : Date.parse(record.at) + LOCK_WITHOUT_EXPIRY_MS;
    return now > until + this.options.skewMarginMs;
  }

  /**
   * Takes the lease when it is free or has expired. An unreadable record is never taken
   * over (nothing says its holder is gone): it is reported as the holder.
   *
   * Optimistic: a create-only swap first (expected absent, counter 1, what a take of an absent
   * lease wrote after reading it), and a read only when the remote refused it. In one replica,
   * and in most runs of several, the lease is free: the read (a fetch, 3 processes with the
   * server's, and an `update-ref -d`) was wasted on 4 of a free take's 11 git processes. A
   * refused create costs about as much (a `fast-import` and a push the remote refuses before
   * any pack is sent), so it is tried only while the last take did not find the lease held.
   */
  async take(ref: string, holder: string): Promise<TakeResult> {
    let known: RemoteLease | undefined;
    if (!this.#heldElsewhere.has(ref)) {
      const created = await this.#create(ref, holder);
      if ('lease' in created) return { taken: true, lease: created.lease };
      known = created.read;
    }
    const result = await this.#takeAsRead(ref, holder, known);
    if (result.taken) this.#heldElsewhere.delete(ref);
    else this.#heldElsewhere.add(ref);
    return result;
  }

  /**
   * The optimistic create: the lease, or a refusal by the remote. A refusal git gives no reason
   * for (no status line for the ref: "failed to push some refs" alone, seen once in CI in a race
   * of four creates) is judged by what the remote then holds: a lease there is a lost race, and
   * that read is the one the take goes by (it was read twice); none is a failure of the push.
   */
  async #create(ref: string, holder: string): Promise<{ lease: HeldLease } | { read?: RemoteLease }> {
    try {
      const lease = await this.#swap(this.#tracking, ref, undefined, holder, 1);
      return lease ? { lease } : {};
    } catch (error) {
      const read = await this.read(ref);
      if (read.commit !== undefined) return { read };
      throw error;
    }
  }

  /** Judges the lease (read now, unless `known` was just read) and swaps from it; a lost race reads the winner. */
  async #takeAsRead(ref: string, holder: string, known?: RemoteLease): Promise<TakeResult> {
    const current = known ?? (await this.read(ref));
    if (current.commit !== undefined) {
      if (!current.record) return { taken: false, holder: `an unreadable lease (delete ${ref} in the remote to release it)` };
      const { record } = current;
      if (record.holder !== holder && !this.expired(record)) return { taken: false, holder: record.holder, ...(record.expires ? { expires: record.expires } : {}) };
    }
    const counter = (current.commit !== undefined ? (current.record?.counter ?? 0) : 0) + 1;
    const lease = await this.#swap(this.#tracking, ref, current.commit, holder, counter);
    if (lease) return { taken: true, lease };
    const winner = await this.read(ref);
    return { taken: false, holder: winner.commit !== undefined ? (winner.record?.holder ?? 'an unreadable lease') : 'another replica, which has released it since' };
  }

  /** Extends a held lease; undefined when it was lost (another holder took it over, or it was deleted). */
  async renew(lease: HeldLease): Promise<HeldLease | undefined> {
    return this.#swap(this.#git, lease.ref, lease.commit, lease.record.holder, lease.record.counter + 1);
  }

  /**
   * The lease's next holding as a compare-and-swap move of its ref, for a push that records
   * under the lease (`GitRepo.publish` of a run's outcome or state write): its counter raised,
   * its expiry kept (a record proves the lease, it does not extend it), so that a holder that
   * stood still past its expiry, and was taken over, can no longer record anything (the counter
   * is the fencing token; the remote's compare-and-swap is the check). The holding is `next`
   * once the remote took the move.
   */
  async fence(lease: HeldLease): Promise<Fenced> {
    const record: LeaseRecord = { ...lease.record, at: new Date().toISOString(), counter: lease.record.counter + 1 };
    const commit = await this.#leaseCommit(record);
    return { move: { ref: lease.ref, from: lease.commit, to: commit }, next: { ref: lease.ref, commit, record } };
  }

  /** Gives the lease back, unless someone else holds it by now; says whether it was still ours. */
  async release(lease: HeldLease): Promise<boolean> {
    return compareAndSwapPush(this.#tracking, { ref: lease.ref, from: lease.commit }, [`:${lease.ref}`], pushFailure);
  }

  /** Moves `ref` from `expected` (absent: undefined) to a new record; the lease, or undefined when the remote had moved on. */
  async #swap(git: SimpleGit, ref: string, expected: string | undefined, holder: string, counter: number): Promise<HeldLease | undefined> {
    const now = Date.now();
    const record: LeaseRecord = { holder, at: new Date(now).toISOString(), expires: new Date(now + this.options.ttlMs).toISOString(), counter };
    const commit = await this.#leaseCommit(record);
    const taken = await compareAndSwapPush(git, { ref, from: expected ?? '' }, [`${commit}:${ref}`], pushFailure);
    return taken ? { ref, commit, record } : undefined;
  }

  /**
   * The parentless commit of a lease record, made by one `git fast-import` (blob, tree and commit
   * in one process) on a local scratch ref; nothing else in the work tree moves.
   */
  async #leaseCommit(record: LeaseRecord): Promise<string> {
    const data = (text: string) => `data ${Buffer.byteLength(text)}\n${text}\n`;
    const { name, email } = this.options.committer;
    const stream = [
      'reset refs/tmlsync-lease/scratch\n\n',
      'commit refs/tmlsync-lease/scratch\nmark :1\n',
      `committer ${name.replace(/[<>\n]/g, '')} <${email.replace(/[<>\n]/g, '')}> ${Math.floor(Date.now() / 1000)} +0000\n`,
      data(`lease ${record.counter}: ${record.holder}`),
      `M 100644 inline lock.json\n${data(`${JSON.stringify(record)}\n`)}`,
      '\nget-mark :1\n',
    ].join('');
    return (await createGit(this.dir, this.options, { input: stream }).raw(['fast-import', '--quiet', '--force'])).trim();
  }
}
