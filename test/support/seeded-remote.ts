import { cpSync } from 'node:fs';
import type { GitServer } from './git-server.js';

/**
 * A copy of the server's bare repository at `url` under `name`, with every
 * ref (tmlsync's state refs among them); returns the copy's git:// URL.
 * A file's cases seed one remote (an export, a deploy) and each takes a copy:
 * copying the folder runs no git process, seeding again runs a whole export.
 */
export function copyRemote(server: Pick<GitServer, 'pathOf'>, url: string, name: string): string {
  const from = /([^/]+)\.git$/.exec(url)![1]!;
  cpSync(server.pathOf(from), server.pathOf(name), { recursive: true });
  return url.replace(/[^/]+\.git$/, `${name}.git`);
}
