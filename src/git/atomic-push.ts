import type { SimpleGit } from 'simple-git';

/**
 * A compare-and-swap push of several refs at once: `--atomic` (the remote
 * takes every refspec or none) with `--force-with-lease=<ref>:<expected>`
 * (the remote moves the ref only if it still points where this process saw
 * it). True when the remote took it; false when it had moved on (`stale
 * info`, `fetch first`): the caller lost a race, which is no error. Any other
 * failure is handed to `failure` to name.
 */
export async function compareAndSwapPush(git: SimpleGit, lease: string, refspecs: string[], failure: (error: unknown) => Error): Promise<boolean> {
  try {
    await git.raw(['push', '--quiet', '--porcelain', '--atomic', lease, 'origin', ...refspecs]);
    return true;
  } catch (error) {
    if (/stale info|fetch first|non-fast-forward|rejected|failed to lock|cannot lock ref|already exists/i.test(error instanceof Error ? error.message : String(error))) return false;
    throw failure(error);
  }
}
