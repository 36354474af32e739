import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGit, type GitAccess } from './factory.js';

/**
 * Whether tmlsync can read and write a remote, asked before a first run
 * (`tmlsync doctor`) rather than learned when it fails. Neither question
 * changes the remote: reading lists its branches (`ls-remote`), writing is a
 * `push --dry-run`, which asks the server for its receive side (a read-only
 * token, a `git daemon` without receive-pack, a forge that refuses the user
 * all fail there) and sends nothing.
 */
export type ProbeResult = { ok: true; branches: string[] } | { ok: false; error: string };

/** A doctor answers in seconds: a remote that does not answer in this long will not do for a run either. */
const PROBE_TIMEOUT_MS = 30_000;

/** The ref a dry-run push names: under tmlsync's own state refs, which an export writes anyway. */
const PROBE_REF = 'refs/tmlsync/doctor/probe';

/** git's empty tree: present in every repository without being written. */
const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

/** Lists the remote's branches: it is reachable and these credentials may read it. */
export async function probeRead(url: string, access: GitAccess = {}): Promise<ProbeResult> {
  try {
    const text = await createGit(tmpdir(), { ...access, timeoutMs: access.timeoutMs ?? PROBE_TIMEOUT_MS }).raw(['ls-remote', '--heads', url]);
    const branches = text.split('\n').flatMap((line) => /\trefs\/heads\/(.+)$/.exec(line)?.[1] ?? []);
    return { ok: true, branches };
  } catch (error) {
    return { ok: false, error: gitMessage(error) };
  }
}

/** A dry-run push of a throwaway commit to `PROBE_REF`: the server accepts pushes from these credentials. */
export async function probeWrite(url: string, access: GitAccess = {}): Promise<ProbeResult> {
  const dir = await mkdtemp(join(tmpdir(), 'tmlsync-probe-'));
  try {
    const git = createGit(dir, { ...access, timeoutMs: access.timeoutMs ?? PROBE_TIMEOUT_MS }, { config: ['user.name=tmlsync doctor', 'user.email=tmlsync@localhost'], failOnExitCode: true });
    await git.raw(['init', '--quiet']);
    const commit = (await git.raw(['commit-tree', EMPTY_TREE, '-m', 'tmlsync doctor: push probe (never sent)'])).trim();
    await git.raw(['push', '--dry-run', '--quiet', url, `${commit}:${PROBE_REF}`]);
    return { ok: true, branches: [] };
  } catch (error) {
    return { ok: false, error: gitMessage(error) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** git's own words, without simple-git's framing and blank lines. */
function gitMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n').map((line) => line.trim()).filter((line) => line && !/^\(use "git/.test(line)).join('; ') || 'git failed';
}
