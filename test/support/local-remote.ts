import { execFileSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A bare repository at `path`, for a configuration whose remote is a path on this machine (the
 * daemon watches such a remote's refs instead of polling it). Its pushes skip `git gc --auto`
 * (`receive.autogc` off, written to its config file without a process), as createQuietRemote's
 * do on the git server: each push to a path ran a `gc --auto` and its `for-each-ref`, 80 of the
 * 616 git processes of test/daemon/sync.test.ts, for remotes that never grow to need packing.
 */
export function createLocalRemote(path: string): string {
  execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', path]);
  appendFileSync(join(path, 'config'), '[receive]\n\tautogc = false\n');
  return path;
}
