import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The git processes a task starts, counted by a `git` put first on the PATH, in `dir`: it notes
 * its arguments and runs the next `git` on the PATH. The tool hands git the PATH it had when an
 * instance was made (a repository's at `open`, a lease's at its construction, or for the
 * command), so what the task counts must be made inside it. git's own trace would be redirected
 * when the test runs under a trace of its own.
 */
export function gitProcessCounter(dir: string): {
  /** What `task` returns, and the arguments of each git process it started. */
  logged<T>(task: () => Promise<T>): Promise<[T, string[]]>;
  /** What `task` returns, and how many git processes it started. */
  counted<T>(task: () => Promise<T>): Promise<[T, number]>;
} {
  const log = join(dir, 'log');
  writeFileSync(join(dir, 'git'), `#!/bin/sh\necho "$*" >> '${log}'\nPATH="\${PATH#'${dir}':}" exec git "$@"\n`, { mode: 0o755 });
  writeFileSync(log, '');
  const lines = () => readFileSync(log, 'utf8').split('\n').slice(0, -1);
  const logged = async <T>(task: () => Promise<T>): Promise<[T, string[]]> => {
    const path = process.env.PATH;
    const before = lines().length;
    process.env.PATH = `${dir}:${path ?? ''}`;
    try {
      return [await task(), lines().slice(before)];
    } finally {
      if (path === undefined) delete process.env.PATH;
      else process.env.PATH = path;
    }
  };
  return { logged, counted: async (task) => {
    const [value, processes] = await logged(task);
    return [value, processes.length];
  } };
}
