import { run, type CliIo } from '../../src/cli/index.js';

export { CLI_MAIN } from './build.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs one `tmlsync` command line in-process, as a user would type it, with
 * its output captured and an environment of only PATH, HOME and `env`.
 * Logs are silenced unless the arguments set `--log-level` themselves.
 */
export async function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
  };
  const code = await run(args.includes('--log-level') ? args : ['--log-level', 'silent', ...args], io);
  return { code, stdout, stderr };
}
