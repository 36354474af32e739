import type { ContentRepo } from '../ports.js';

/**
 * The repository with some of its operations replaced, everything else as it is (bound to the
 * repository itself, whose fields are private). One way for a caller to change how a workflow
 * sees the repository: the daemon's lease (its lock already held), a sync's deploy and export
 * (the branch as the sync read it).
 */
export function repoWith(repo: ContentRepo, overrides: Partial<ContentRepo>): ContentRepo {
  return new Proxy(repo, {
    get(target, key) {
      if (Object.hasOwn(overrides, key)) return overrides[key as keyof ContentRepo];
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** The repository as its caller just fetched it: a workflow's own fetch is a no-op (a plan after its promotion's fetch, a dry-run deploy, a sync's halves). */
export function asFetched(repo: ContentRepo, overrides: Partial<ContentRepo> = {}): ContentRepo {
  return repoWith(repo, { fetch: () => Promise.resolve(), ...overrides });
}
