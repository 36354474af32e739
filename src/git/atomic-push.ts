import type { SimpleGit } from 'simple-git';

/** The ref a push moves only if the remote still has it at `from` (`''`: only if the remote has no such ref). */
export interface Expected {
  ref: string;
  from: string;
}

/**
 * One `git push --atomic` (the remote takes every refspec or none), fenced by `lease` when given
 * (`--force-with-lease=<ref>:<from>`: the remote moves the ref only if it still points where this
 * process saw it). Undefined when the remote took it; else each refused ref with git's reason, read
 * from the `--porcelain` status lines (`!\t<src>:<dst>\t[rejected] (stale info)`): the refs of an
 * atomic push refused only because another was say `atomic push failed`. A failure without any
 * status line (no remote, no network) is handed to `failure` to name.
 */
export async function atomicPush(git: SimpleGit, lease: Expected | undefined, refspecs: string[], failure: (error: unknown) => Error): Promise<Map<string, string> | undefined> {
  try {
    await git.raw(['push', '--quiet', '--porcelain', '--atomic', ...(lease ? [`--force-with-lease=${lease.ref}:${lease.from}`] : []), 'origin', ...refspecs]);
    return undefined;
  } catch (error) {
    const rejected = new Map<string, string>();
    for (const line of (error instanceof Error ? error.message : String(error)).split('\n')) {
      const match = /^!\t[^\t]*:([^\t]+)\t(.*)$/.exec(line);
      if (match) rejected.set(match[1]!, match[2]!.trim());
    }
    if (rejected.size === 0) throw failure(error);
    return rejected;
  }
}

/**
 * A compare-and-swap push of several refs at once (`atomicPush` fenced by `lease`). True when the
 * remote took it; false when it refused any ref (the lease had moved: `stale info`, `fetch first`):
 * the caller lost a race, which is no error.
 */
export async function compareAndSwapPush(git: SimpleGit, lease: Expected, refspecs: string[], failure: (error: unknown) => Error): Promise<boolean> {
  return (await atomicPush(git, lease, refspecs, failure)) === undefined;
}
