import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { EnvironmentConfig, LoadedConfig } from '../config/index.js';
import { GitRepo } from '../git/index.js';
import type { ContentRepo } from '../sync/ports.js';
import { slugify } from '../tml/index.js';
import type { Services } from './services.js';
import { checkWorkDir } from './work-dir.js';

/** A local path (not a URL, not scp-like `host:path`) is resolved from the current directory. */
export function remoteUrl(url: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) || /^[^/\\]+@[^:]+:/.test(url)) return url;
  return isAbsolute(url) ? url : resolve(url);
}

/**
 * Where an environment's working tree lives, under the work dir: keyed by the
 * environment's name and its remote, so that two configurations (another
 * remote under the same environment name) never share one, nor do two names
 * whose readable slugs collide (`ab`, `ab-`). The key is a hash of the name and
 * the URL without credentials (never written to disk); the slug keeps it readable.
 */
export function workTree(config: LoadedConfig, environment: EnvironmentConfig): string {
  const key = createHash('sha256').update(`${environment.name}\0${withoutCredentials(remoteUrl(config.repository.url))}`).digest('hex').slice(0, 12);
  return join(config.workDir, `${slugify(environment.name)}-${key}`, 'repo');
}

/** A URL with its user-info part removed; anything that is not a URL (a path, `git@host:repo`) as it is. */
function withoutCredentials(url: string): string {
  if (!URL.canParse(url)) return url;
  const parsed = new URL(url);
  parsed.username = '';
  parsed.password = '';
  return parsed.href;
}

/** The working tree of one environment under the work dir. */
export async function repoFor(config: LoadedConfig, environment: EnvironmentConfig, services: Services): Promise<ContentRepo> {
  // Every command's work tree comes through here, the daemon's too: a workDir it cannot use is named (under /proc a
  // recursive mkdir never returns), where a command hung or printed Node's ENOTDIR (a fresh-user trial).
  checkWorkDir(config.workDir);
  const url = remoteUrl(config.repository.url);
  if (url.startsWith('/') && !existsSync(url)) throw new Error(`the git remote ${url} does not exist (repository.url)`);
  return GitRepo.open(workTree(config, environment), { remoteUrl: url, committer: config.repository.committer, logger: services.log, ...repositoryAccess(config, services) });
}

/**
 * How git reaches the repository: the key file, or the token from the environment variable
 * `repository.tokenEnv` names (registered with the redactor). Every git client of the
 * repository (the work tree, the daemon's leases) gets its access here.
 */
export function repositoryAccess(config: LoadedConfig, services: Pick<Services, 'env' | 'redactor'>): { sshKeyFile?: string; httpsToken?: string } {
  const { tokenEnv, sshKeyFile } = config.repository;
  const token = tokenEnv ? services.env[tokenEnv] : undefined;
  if (tokenEnv && !token) throw new Error(`repository.tokenEnv names ${tokenEnv}, which is not set`);
  services.redactor.add(token);
  return { ...(sshKeyFile ? { sshKeyFile } : {}), ...(token ? { httpsToken: token } : {}) };
}
