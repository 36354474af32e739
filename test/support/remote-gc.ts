import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GitServer } from './git-server.js';

/**
 * Turns off `git gc --auto` after each push to the server's bare repository `name`
 * (`receive.autogc`), in its config file, without a git process; a copy of it (copyRemote)
 * keeps the setting. For a remote seeded before its cases push to copies of it: the server
 * ran a `gc` and its `for-each-ref` after every push, and a test's remote never grows to
 * where gc would pack anything. (createQuietRemote does the same for a new, empty remote.)
 */
export function skipGcOnPush(server: Pick<GitServer, 'pathOf'>, name: string): void {
  appendFileSync(join(server.pathOf(name), 'config'), '[receive]\n\tautogc = false\n');
}
