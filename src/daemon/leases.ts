import { repositoryAccess, type Services } from '../app/index.js';
import type { EnvironmentConfig, LoadedConfig } from '../config/index.js';
import { GitLeases, leaseHolder, type HeldLease } from '../git/index.js';
import type { Logger } from '../log/index.js';
import { stateRef } from '../sync/kernel/ledger.js';
import { repoWith } from '../sync/kernel/repo-view.js';
import type { ContentRepo } from '../sync/ports.js';

/** How long a lease holds when `server.leaseSeconds` is not set: a minute, renewed every 20 s. */
const DEFAULT_LEASE_SECONDS = 60;

export interface LeaseTiming {
  ttlMs: number;
  /** A third of the lifetime: two renewals may fail (a slow remote, a long pause) before it runs out. */
  renewEveryMs: number;
  /** A sixth of the lifetime (10 s by default): how far replicas' clocks may disagree; see LeaseOptions. */
  skewMarginMs: number;
}

export function leaseTiming(seconds = DEFAULT_LEASE_SECONDS): LeaseTiming {
  const ttlMs = seconds * 1000;
  return { ttlMs, renewEveryMs: Math.floor(ttlMs / 3), skewMarginMs: Math.floor(ttlMs / 6) };
}

export type Held<T> = { held: true; value: T } | { held: false; holder: string };

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
  ) {
    this.timing = leaseTiming(config.server.leaseSeconds);
  }

  /** Runs `work` holding the environment's lease, or says who holds it. */
  async hold<T>(environment: EnvironmentConfig, repo: ContentRepo, log: Logger, work: () => Promise<T>): Promise<Held<T>> {
    const leases = this.#leasesOf(environment, repo);
    const taken = await leases.take(stateRef(environment.name, 'lock'), this.holder);
    if (!taken.taken) return { held: false, holder: taken.holder };
    log.debug({ counter: taken.lease.record.counter, expires: taken.lease.record.expires }, 'lease taken');
    const renewal = this.#renewing(leases, taken.lease, log);
    try {
      return { held: true, value: await work() };
    } finally {
      const last = await renewal.stop();
      if (last && !(await leases.release(last).catch(() => false))) log.warn({ ref: last.ref }, 'the lease was no longer ours to release');
    }
  }

  /** Renews the lease every `renewEveryMs` until stopped; `stop` resolves with the lease as last renewed (undefined once lost). */
  #renewing(leases: GitLeases, first: HeldLease, log: Logger): { stop: () => Promise<HeldLease | undefined> } {
    let current: HeldLease | undefined = first;
    let pending: Promise<void> = Promise.resolve();
    const renew = async () => {
      if (!current) return;
      const renewed: HeldLease | undefined = await leases.renew(current).catch((error: unknown) => {
        log.warn({ err: error }, 'lease renewal failed; trying again');
        return current;
      });
      // Lost: another replica took it over after it ran out (this process stood still longer than the lease holds).
      if (!renewed) log.error({ ref: current.ref, counter: current.record.counter }, 'lease lost during a run');
      current = renewed;
    };
    const timer = setInterval(() => {
      pending = pending.then(renew);
    }, this.timing.renewEveryMs);
    return {
      stop: async () => {
        clearInterval(timer);
        await pending;
        return current;
      },
    };
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
 * The repository as a run that holds its environment's lease sees it: the deploy's own lock
 * (the same ref) is already held, by the lease, so taking and releasing it do nothing.
 */
export function underLease(repo: ContentRepo): ContentRepo {
  return repoWith(repo, { acquireLock: () => Promise.resolve(undefined), releaseLock: () => Promise.resolve() });
}
