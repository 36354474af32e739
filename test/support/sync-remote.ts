import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GitServer } from './git-server.js';

/**
 * A bare remote on a test file's git server whose pushes skip `git gc --auto` (`receive.autogc`
 * off): the server ran one after every push, a `gc` process of its own for each of the 44 pushes
 * of the sync suite, and the remotes of a test never grow to where it would pack anything. Set in
 * the repository's config file, without a git process.
 */
export function createQuietRemote(server: Pick<GitServer, 'createRepo' | 'pathOf'>, name: string): string {
  const url = server.createRepo(name);
  appendFileSync(join(server.pathOf(name), 'config'), '[receive]\n\tautogc = false\n');
  return url;
}
