import type { SimpleGit } from 'simple-git';

/** The ref a push moves only if the remote still has it at `from` (`''`: only if the remote has no such ref). */
export interface Expected {
  ref: string;
  from: string;
}

/** Why the remote refused an atomic push (`atomicPush`). */
export interface Refusal {
  /** Each refused ref with git's reason, from its `--porcelain` status line (`[remote rejected] (pre-receive hook declined)`). */
  refs: Map<string, string>;
  /** What the remote said of it in its own words (`remoteSaid`), or `''`. */
  remote: string;
}

/**
 * One `git push --atomic` (the remote takes every refspec or none), fenced by `lease` when given
 * (`--force-with-lease=<ref>:<from>`: the remote moves the ref only if it still points where this
 * process saw it). Undefined when the remote took it; else each refused ref with git's reason, read
 * from the `--porcelain` status lines (`!\t<src>:<dst>\t[rejected] (stale info)`): the refs of an
 * atomic push refused only because another was say `atomic push failed`; and the remote's own
 * words (a hook's reason). A failure without any status line (no remote, no network) is handed to
 * `failure` to name.
 */
export async function atomicPush(git: SimpleGit, lease: Expected | undefined, refspecs: string[], failure: (error: unknown) => Error): Promise<Refusal | undefined> {
  try {
    await git.raw(['push', '--quiet', '--porcelain', '--atomic', ...(lease ? [`--force-with-lease=${lease.ref}:${lease.from}`] : []), 'origin', ...refspecs]);
    return undefined;
  } catch (error) {
    const output = error instanceof Error ? error.message : String(error);
    const rejected = new Map<string, string>();
    for (const line of output.split('\n')) {
      const match = /^!\t[^\t]*:([^\t]+)\t(.*)$/.exec(line);
      if (match) rejected.set(match[1]!, match[2]!.trim());
    }
    if (rejected.size === 0) throw failure(error);
    return { refs: rejected, remote: remoteSaid(output) };
  }
}

/** Most characters of the remote's own words a message carries: a hostile remote may print megabytes. */
const REMOTE_SAID_MAX = 400;

/**
 * What the remote said in git's output, in its own words: its `remote:` lines (a hook's reason for
 * refusing a push; on GitHub, the branch protection that refused it), joined by ` / `, or `''`.
 * Anyone who can run a hook there writes them, so they are made safe to print: credentials in URLs
 * scrubbed, terminal escapes and control characters taken out (git's sideband pads each line and
 * splits at carriage returns), and at most `REMOTE_SAID_MAX` characters kept.
 */
export function remoteSaid(output: string): string {
  const said: string[] = [];
  let length = 0;
  for (const line of output.split(/[\r\n]/)) {
    if (length > REMOTE_SAID_MAX) break;
    const match = /^remote:(.*)$/.exec(line);
    const text = match ? printable(match[1]!.slice(0, REMOTE_SAID_MAX * 2)) : '';
    if (text === '') continue;
    said.push(text);
    length += text.length + 3;
  }
  const joined = said.join(' / ').replace(/(https?:\/\/)[^/@\s]+@/g, '$1***@');
  return joined.length <= REMOTE_SAID_MAX ? joined : `${joined.slice(0, REMOTE_SAID_MAX).replace(/[\uD800-\uDBFF]$/, '')}…`;
}

/** A terminal's escape sequence (`ESC [ 31 m`: colours, cursor moves, clearing). */
// eslint-disable-next-line no-control-regex
const TERMINAL_ESCAPE = /\x1B\[[0-?]*[ -/]*[@-~]/g;
/** Control characters (C0, DEL, C1, a tab among them) and Unicode's line and paragraph separators. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1F\x7F-\x9F\u2028\u2029]/g;
/** Unicode's direction marks and overrides, which make a terminal show text in another order than it is. */
const DIRECTION = /[\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

/** `text` as one line safe to print: terminal escapes and direction marks taken out, control characters as spaces, spaces collapsed. */
function printable(text: string): string {
  return text.replace(TERMINAL_ESCAPE, '').replace(DIRECTION, '').replace(CONTROL, ' ').replace(/\s+/g, ' ').trim();
}

/**
 * A compare-and-swap push of several refs at once (`atomicPush` fenced by `lease`). True when the
 * remote took it; false when the remote had moved on (`MOVED_ON_REMOTE`: `stale info`, `fetch
 * first`): the caller lost a race, which is no error. A refusal for anything else (a hook, the
 * remote's permissions) is `failure`'s error, with git's status and the remote's own words: it was
 * once taken for a lost race, and a daemon whose lease a hook refused said another held it.
 */
export async function compareAndSwapPush(git: SimpleGit, lease: Expected, refspecs: string[], failure: (error: unknown) => Error): Promise<boolean> {
  const refused = await atomicPush(git, lease, refspecs, failure);
  if (refused === undefined) return true;
  if ([...refused.refs.values()].filter(isRefused).every((reason) => MOVED_ON_REMOTE.test(reason))) return false;
  throw failure(new Error(causeOf(refused)));
}

/**
 * A push's status saying the remote's ref had moved: a commit landed on a branch since the fetch,
 * seen by the client (`fetch first`, `stale info` for a lease), or by the remote under its ref
 * lock, when the push raced another (`atomic transaction failed`: any ref of it moved). For a
 * lock, another holder took it.
 */
export const MOVED_ON_REMOTE = /non-fast-forward|fetch first|stale info|cannot lock|failed to lock|failed to update ref|atomic transaction failed/i;

/**
 * Why an atomic push was refused, as one line: the first ref refused for itself (`remote rejected
 * (pre-receive hook declined)`), and what the remote said of it (a hook's reason), when it did.
 */
export function causeOf(rejected: Refusal): string {
  const reasons = [...rejected.refs.values()];
  return withRemoteSaid((reasons.find(isRefused) ?? reasons[0]!).replace(/^\[([^\]]*)\]\s*/, '$1 ').trim(), rejected.remote);
}

/** A push's status with the remote's own words after it: `remote rejected (pre-receive hook declined): policy: pushes are frozen`. */
export function withRemoteSaid(status: string, said: string): string {
  return said === '' ? status : `${status}: ${said}`;
}

/** Whether a ref's `--porcelain` status says the remote refused it for itself, not only because another ref of the atomic push was. */
export function isRefused(reason: string | undefined): boolean {
  return reason !== undefined && !/atomic (push|transaction) failed/i.test(reason);
}
