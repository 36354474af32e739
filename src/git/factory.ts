import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { simpleGit, type SimpleGit, type SimpleGitOptions } from 'simple-git';

export interface GitAccess {
  /** Private key for ssh:// remotes, passed through GIT_SSH_COMMAND. */
  sshKeyFile?: string;
  /** Token for https:// remotes, sent as an HTTP header (never in the URL, never logged). */
  httpsToken?: string;
  /** Longest a git command may run without output. */
  timeoutMs?: number;
}

/** Environment variables we hand to git; simple-git 4 refuses any other GIT_* unless allowed here. */
const ALLOWED = ['GIT_SSH_COMMAND', 'GIT_TERMINAL_PROMPT', 'GIT_INDEX_FILE', 'GIT_CONFIG_COUNT', 'GIT_CONFIG_KEY_0', 'GIT_CONFIG_VALUE_0'];

/** What one git instance adds to the common setup. */
export interface GitInstanceOptions {
  /** Extra environment variables (each must be in the allowed list). */
  env?: Record<string, string>;
  /** Extra `-c key=value` settings, e.g. the committer's identity. */
  config?: string[];
  /** Text for the standard input of every command this instance runs (paths, a fast-import stream). */
  input?: string;
  /**
   * Every non-zero exit fails the command. simple-git fails one only when git
   * also wrote to stderr, and `git commit` with nothing to commit writes only
   * to stdout.
   */
  failOnExitCode?: boolean;
}

/** Settings every git command runs with, before the instance's own. */
// core.autocrlf off: files are compared with what was exported byte for byte, so checkout must not convert them.
// maintenance.auto off: fetch, rebase and commit each started `git maintenance run --auto`, a process
// (~25 ms of CPU, most of it exec and exit) that found nothing to do on nearly every run: 44 of the
// 899 git processes of test/sync/sync.e2e. `GitRepo.fetch` starts it only when it has work (maintenance.ts).
// fastimport.unpackLimit 0: a fast-import of fewer than 100 objects (every state commit and lock: 3 objects)
// started `unpack-objects` to turn its pack into loose objects, a second process for each; its pack is
// kept instead, and the packs are packed into one when there are more than 50 (`gc --auto`, maintenance.ts),
// with the deltas of the pack before reused: 0.06 s of CPU for 10,000 files.
// fetch.recurseSubmodules off: a content repository has no submodules, and looking for them every fetch
// (the work tree's, and the daemon's lease fetches in it) read the whole index: 0.15 s at 100,003 files.
const CONFIG = ['core.quotepath=off', 'core.autocrlf=false', 'advice.detachedHead=false', 'init.defaultBranch=main', 'maintenance.auto=false', 'fastimport.unpackLimit=0', 'fetch.recurseSubmodules=false'];

/**
 * The environment every git process gets (renovate's `lib/util/git` rule): a
 * minimal one (no inherited GIT_*, EDITOR or PAGER), never interactive,
 * C.UTF-8, and credentials from the access options.
 */
function environment(access: GitAccess, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    LANG: 'C.UTF-8',
    LC_ALL: 'C.UTF-8',
    GIT_TERMINAL_PROMPT: '0',
    // glibc hands freed memory back to the kernel as soon as 128 KiB sit free at the top of the heap,
    // and git opens and closes a zlib stream per object: writing 10,000 blobs made some 37,000 `brk`
    // calls, two thirds of `update-index`'s time (0.9 s, 0.3 s with this). Other C libraries ignore it.
    MALLOC_TRIM_THRESHOLD_: String(256 * 1024 * 1024),
    ...extra,
  };
  if (access.sshKeyFile) {
    env.GIT_SSH_COMMAND = `ssh -i '${access.sshKeyFile.replace(/'/g, "'\\''")}' -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=accept-new`;
  }
  if (access.httpsToken) {
    // A header through config-in-environment keeps the token out of argv and of .git/config.
    env.GIT_CONFIG_COUNT = '1';
    env.GIT_CONFIG_KEY_0 = 'http.extraHeader';
    env.GIT_CONFIG_VALUE_0 = `Authorization: Basic ${Buffer.from(`x-access-token:${access.httpsToken}`).toString('base64')}`;
  }
  return env;
}

/** Every git instance comes from here: the common environment and settings, and a timeout. */
export function createGit(dir: string, access: GitAccess = {}, instance: GitInstanceOptions = {}): SimpleGit {
  const options: Partial<SimpleGitOptions> = {
    baseDir: dir,
    maxConcurrentProcesses: 4,
    timeout: { block: access.timeoutMs ?? 120_000 },
    allowEnvironment: ALLOWED,
    // Both carry credentials that only this file sets (environment() below): the SSH key
    // command, and the https token's header as config-in-environment (GIT_CONFIG_COUNT), which
    // simple-git refuses otherwise, so an https token used to fail every command.
    unsafe: { allowUnsafeSshCommand: true, allowUnsafeConfigEnvCount: true },
    config: [...CONFIG, ...(instance.config ?? [])],
  };
  const { input } = instance;
  if (input !== undefined) options.input = () => input;
  if (instance.failOnExitCode) options.errors = (error, result) => error ?? (result.exitCode ? Buffer.concat([...result.stdOut, ...result.stdErr]) : undefined);
  return simpleGit(options)
    .env(environment(access, instance.env))
    .outputHandler((_command, stdout) => {
      // simple-git waits 50 ms after a command that printed nothing before it resolves (its
      // completion plugin, in case output is late), and most of ours print nothing: init,
      // config, checkout, clean, reset, fetch. That was about 7 waits per export run, a third
      // of a 1,000-object export. An empty chunk once output has ended tells it the streams
      // are done; it adds nothing to the output.
      stdout.once('end', () => stdout.emit('data', Buffer.alloc(0)));
    });
}

/**
 * A git process fed through its standard input while it runs (simple-git
 * takes input only as a whole), with the same environment and settings as
 * `createGit`; the caller reads its output and its exit.
 */
export function spawnGit(dir: string, access: GitAccess, config: string[], args: string[]): ChildProcessWithoutNullStreams {
  const settings = [...CONFIG, ...config].flatMap((c) => ['-c', c]);
  return spawn('git', [...settings, ...args], { cwd: dir, env: environment(access), stdio: ['pipe', 'pipe', 'pipe'] });
}
