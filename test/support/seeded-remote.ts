import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli } from './cli.js';
import { git, type GitServer } from './git-server.js';
import type { Stage } from './stage.js';

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

/**
 * The stage's demo content exported once (as `dev`) into a new remote `name`,
 * with `main` a copy of `dev`; returns its URL, for the file's cases to copy.
 */
export async function exportedRemote(stage: Stage, name = 'seed'): Promise<string> {
  const url = stage.server.createRepo(name);
  const file = join(stage.work, `${name}.yaml`);
  writeFileSync(file, `repository:\n  url: ${url}\nworkDir: ${join(stage.work, `wd-${name}`)}\nenvironments:\n  dev:\n    url: ${stage.emulator.url}\n    username: tsadmin\n    password: admin\n    branch: dev\n`);
  const { code, stderr } = await cli(['export', '--config', file, '--env', 'dev']);
  if (code !== 0) throw new Error(`the seed export failed: ${stderr}`);
  git(stage.server.pathOf(name), 'branch', 'main', 'dev');
  return url;
}
