import { repositoryAccess, type Services } from '../app/index.js';
import type { EnvironmentConfig, LoadedConfig } from '../config/index.js';
import { GitLeases, leaseHolder, type HeldLease } from '../git/index.js';
import type { Logger } from '../log/index.js';
import { stateRef } from '../sync/kernel/ledger.js';
import { repoWith } from '../sync/kernel/repo-view.js';
import type { ContentRepo, Publication, StateWrite } from '../sync/ports.js';

/** How long a lease holds when `server.leaseSeconds` is not set: a minute, renewed every 20 s. */
const DEFAULT_LEASE_SECONDS = 60;

/**
 * How long a run may hold its lease: an hour, what a CLI deploy's lock is given (deploy.ts
 * LOCK_STALE_MS) and far beyond any run seen (a 10,000-object first export took minutes). A run
 * still going then is taken to hang (a call that never answers, a git process that never ends):
 * its lease is no longer renewed, runs out, and another replica takes the environment over; the
 * hung run can then record nothing (its writes are fenced), and its work is done again by the taker.
 * Stopping renewal rather than the run: nothing can interrupt a hung call safely, but the
 * fencing makes whatever it does later harmless to the ledgers.
 */
const RUN_DEADLINE_MS = 60 * 60 * 1000;

export interface LeaseTiming {
  ttlMs: number;
  /** A third of the lifetime: two renewals may fail (a slow remote, a long pause) before it runs out. */
  renewEveryMs: number;
  /** A sixth of the lifetime (10 s by default): how far replicas' clocks may disagree; see LeaseOptions. */
  skewMarginMs: number;
  /** After this long a run's lease is no longer renewed (RUN_DEADLINE_MS). */
  runDeadlineMs: number;
}

export function leaseTiming(seconds = DEFAULT_LEASE_SECONDS): LeaseTiming {
  const ttlMs = seconds * 1000;
  return { ttlMs, renewEveryMs: Math.floor(ttlMs / 3), skewMarginMs: Math.floor(ttlMs / 6), runDeadlineMs: RUN_DEADLINE_MS };
}

export type Held<T> = { held: true; value: T } | { held: false; holder: string };

/** A run's write after its lease was lost: refused, so that two holders never both record. */
export class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';
  constructor(ref: string) {
    super(`the lease ${ref} is no longer this run's (it ran out and another replica took over): nothing recorded; the holder runs the environment now`);
  }
}

/**
 * The daemon's side of the leases (issue 15, several replicas): every run of an environment
 * holds its lease from before its first read to after its last write, renewed in the
 * background, so that of several daemons on one configuration exactly one runs an
 * environment at a time. The lease is the ref a deploy locks (`stateRef(name, 'lock')`); the
 * git mechanics are in git/lease.ts.
 */
export class RunLeases {
  /** This daemon, the same for all its runs, so that every replica's log names the one holding an environment. */
  readonly holder = leaseHolder();
  readonly timing: LeaseTiming;
  readonly #leases = new Map<string, GitLeases>();

  constructor(
    private readonly config: LoadedConfig,
    private readonly services: Services,
    timing: Partial<LeaseTiming> = {},
  ) {
    this.timing = { ...leaseTiming(config.server.leaseSeconds), ...timing };
  }

  /**
   * Runs `work` holding the environment's lease, or says who holds it. `work` is given the
   * repository whose state writes (the ledgers) are fenced by the lease.
   */
  async hold<T>(environment: EnvironmentConfig, repo: ContentRepo, log: Logger, work: (fenced: ContentRepo) => Promise<T>): Promise<Held<T>> {
    const leases = this.#leasesOf(environment, repo);
    const taken = await leases.take(stateRef(environment.name, 'lock'), this.holder);
    if (!taken.taken) return { held: false, holder: taken.holder };
    log.debug({ counter: taken.lease.record.counter, expires: taken.lease.record.expires }, 'lease taken');
    const keeper = new LeaseKeeper(leases, taken.lease, log, this.timing);
    try {
      return { held: true, value: await work(underLease(repo, keeper)) };
    } finally {
      const last = await keeper.stop();
      if (last && !(await leases.release(last).catch(() => false))) log.warn({ ref: last.ref }, 'the lease was no longer ours to release');
    }
  }

  /** The leases of an environment, in its work tree, with the repository's access (the work tree's own). */
  #leasesOf(environment: EnvironmentConfig, repo: ContentRepo): GitLeases {
    let leases = this.#leases.get(environment.name);
    if (!leases) {
      leases = new GitLeases(repo.dir, {
        ttlMs: this.timing.ttlMs,
        skewMarginMs: this.timing.skewMarginMs,
        committer: this.config.repository.committer,
        ...repositoryAccess(this.config, this.services),
      });
      this.#leases.set(environment.name, leases);
    }
    return leases;
  }
}

/**
 * One held lease during a run: renewed every `renewEveryMs` until the run's deadline, and the
 * run's state writes made through it (fenced). Renewals and writes take turns, each moving the
 * lease ref from the commit the one before left.
 */
class LeaseKeeper {
  #current: HeldLease | undefined;
  #turns: Promise<unknown> = Promise.resolve();
  #stopped = false;
  readonly #timer: NodeJS.Timeout;
  readonly #deadline: number;
  readonly #ref: string;

  constructor(
    private readonly leases: GitLeases,
    first: HeldLease,
    private readonly log: Logger,
    timing: LeaseTiming,
  ) {
    this.#current = first;
    this.#ref = first.ref;
    this.#deadline = Date.now() + timing.runDeadlineMs;
    this.#timer = setInterval(() => void this.#turn(() => this.#renew()).catch(() => undefined), timing.renewEveryMs);
  }

  /** Publishes a run's outcome with the lease moved in the same atomic push; `LeaseLostError` once the lease is not ours (nothing published). */
  publish(repo: ContentRepo, publication: Publication): Promise<boolean> {
    return this.#turn(async () => {
      const lease = this.#current;
      if (!lease) throw new LeaseLostError(this.#ref);
      let next: HeldLease | undefined;
      const fence = async () => {
        const fenced = await this.leases.fence(lease);
        next = fenced.next;
        return fenced.move;
      };
      if (!(await repo.publish({ ...publication, fence }))) {
        this.#lost(lease);
        throw new LeaseLostError(lease.ref);
      }
      // Moved only when there was something to publish.
      if (next) this.#current = next;
      return true;
    });
  }

  /** Stops renewing; the lease as last renewed, undefined once lost. */
  async stop(): Promise<HeldLease | undefined> {
    this.#stopped = true;
    clearInterval(this.#timer);
    await this.#turns.catch(() => undefined);
    return this.#current;
  }

  #turn<T>(step: () => Promise<T>): Promise<T> {
    const result = this.#turns.catch(() => undefined).then(step);
    this.#turns = result;
    return result;
  }

  async #renew(): Promise<void> {
    const lease = this.#current;
    // A renewal that fell due behind the run's last write, of a lease about to be released: a
    // push (a fast-import and 6 processes with the server's) for nothing.
    if (!lease || this.#stopped) return;
    if (Date.now() > this.#deadline) {
      clearInterval(this.#timer);
      this.log.error({ ref: lease.ref, expires: lease.record.expires }, 'run past its deadline: its lease is no longer renewed, so that another replica takes the environment over when it runs out');
      return;
    }
    const renewed = await this.leases.renew(lease).catch((error: unknown) => {
      this.log.warn({ err: error }, 'lease renewal failed; trying again');
      return lease;
    });
    if (!renewed) this.#lost(lease);
    this.#current = renewed;
  }

  /** Lost: another replica took it over after it ran out (this process stood still longer than the lease holds). */
  #lost(lease: HeldLease): void {
    this.log.error({ ref: lease.ref, counter: lease.record.counter }, 'lease lost during a run');
    this.#current = undefined;
    clearInterval(this.#timer);
  }
}

/**
 * The repository as a run that holds its environment's lease sees it: the deploy's own lock
 * (the same ref) is already held, by the lease, so taking and releasing it do nothing; and every
 * state write (the ledgers, a deploy's last one too) and a run's publication are made only while the lease is still this run's.
 */
function underLease(repo: ContentRepo, keeper: Pick<LeaseKeeper, 'publish'>): ContentRepo {
  // Every write is a publication fenced by the lease: one way to write a state ref, the repository's (exactly the files given).
  const write = (state: StateWrite) => keeper.publish(repo, { states: () => Promise.resolve([state]) }).then(() => undefined);
  return repoWith(repo, {
    acquireLock: () => Promise.resolve(undefined),
    // A deploy's last write (the commit it passed) goes with the release of its lock: here, fenced by the lease, which `hold` releases.
    releaseLock: (_ref, last) => (last ? write(last) : Promise.resolve()),
    writeState: (ref, files, message) => write({ ref, files, message }),
    publish: (publication) => keeper.publish(repo, publication),
  });
}
