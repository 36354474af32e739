import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { thoughtspotPort } from '../../src/app/index.js';
import { ensureBareRepo, GitRepo, type Identity } from '../../src/git/index.js';
import { runExport } from '../../src/sync/export/export.js';
import { clientOf } from './api.js';
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

/** The connection the scale seed's content uses (`--seed-scale`), which an environment has of its own: a deploy never creates one. */
export const SCALE_CONNECTION = 'connection:\n  name: Scale Warehouse\n  type: RDBMS_SNOWFLAKE\n  authentication_type: SERVICE_ACCOUNT\n  properties:\n  - key: password\n    value: ""\n';

/** The stage's emulator content exported once (over v1, as environment `source`) to `main` of a new bare repository on disk; returns its path. */
export async function exportedLocalRemote(stage: Pick<Stage, 'work' | 'emulator'>, committer: Identity): Promise<string> {
  const remote = join(stage.work, 'remote.git');
  await ensureBareRepo(remote);
  const source = await GitRepo.open(join(stage.work, 'source'), { remoteUrl: remote, committer });
  const exported = await runExport({ environment: { name: 'source', branch: 'main' }, thoughtspot: thoughtspotPort(clientOf('v1', stage.emulator.url)), repo: source, committer });
  if (exported.outcome !== 'ok') throw new Error(`the seed export failed: ${exported.error ?? JSON.stringify(exported.counts)}`);
  return remote;
}
