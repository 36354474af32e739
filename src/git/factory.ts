import { simpleGit, type SimpleGit } from 'simple-git';

export interface GitAccess {
  /** Private key for ssh:// remotes, passed through GIT_SSH_COMMAND. */
  sshKeyFile?: string;
  /** Token for https:// remotes, sent as an HTTP header (never in the URL, never logged). */
  httpsToken?: string;
  /** Longest a git command may run without output. */
  timeoutMs?: number;
}

/** Environment variables we hand to git; simple-git 4 refuses any other GIT_* unless allowed here. */
const ALLOWED = ['GIT_SSH_COMMAND', 'GIT_TERMINAL_PROMPT', 'GIT_INDEX_FILE', 'GIT_AUTHOR_NAME', 'GIT_AUTHOR_EMAIL', 'GIT_CONFIG_COUNT', 'GIT_CONFIG_KEY_0', 'GIT_CONFIG_VALUE_0'];

/**
 * Every git instance comes from here (renovate's `lib/util/git` rule): a
 * minimal environment (no inherited GIT_*, EDITOR or PAGER), never
 * interactive, C.UTF-8, a timeout, and credentials from the access options.
 */
export function createGit(dir: string, access: GitAccess = {}, extraEnv: Record<string, string> = {}): SimpleGit {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    LANG: 'C.UTF-8',
    LC_ALL: 'C.UTF-8',
    GIT_TERMINAL_PROMPT: '0',
    ...extraEnv,
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
  return simpleGit({
    baseDir: dir,
    maxConcurrentProcesses: 4,
    timeout: { block: access.timeoutMs ?? 120_000 },
    allowEnvironment: ALLOWED,
    unsafe: { allowUnsafeSshCommand: true },
    config: ['core.quotepath=off', 'advice.detachedHead=false', 'init.defaultBranch=main'],
  }).env(env);
}
