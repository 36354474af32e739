import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { EnvironmentConfig, LoadedConfig } from '../config/index.js';
import { GitRepo } from '../git/index.js';
import type { Logger, Redactor } from '../log/index.js';
import type { ContentRepo, Header, HeaderType, ImportedObject, ThoughtSpotPort } from '../sync/ports.js';
import type { HostQueues } from '../thoughtspot/index.js';
import { ThoughtSpotClient, ThoughtSpotUncertainWriteError } from '../thoughtspot/index.js';
import { slugify } from '../tml/index.js';

/** What composing needs from the process: one logger, one redactor, one queue registry. */
export interface Services {
  log: Logger;
  redactor: Redactor;
  queues: HostQueues;
  env: NodeJS.ProcessEnv;
  /** Told the outcome of every ThoughtSpot call (the daemon counts them). */
  onApiCall?: (endpoint: string, result: 'ok' | 'error') => void;
}

export function clientFor(environment: EnvironmentConfig, services: Services): ThoughtSpotClient {
  const { rateLimit } = environment;
  return new ThoughtSpotClient({
    url: environment.url,
    username: environment.username ?? 'tsadmin',
    ...(environment.password ? { password: environment.password } : {}),
    ...(environment.secretKey ? { secretKey: environment.secretKey } : {}),
    ...(environment.caFile ? { caFile: environment.caFile } : {}),
    timeoutMs: environment.timeoutMs,
    rateLimit: {
      ...(rateLimit?.concurrency ? { concurrency: rateLimit.concurrency } : {}),
      ...(rateLimit?.requestsPerSecond ? { intervalCap: Math.max(1, Math.round(rateLimit.requestsPerSecond)), intervalMs: 1000 } : {}),
    },
    logger: services.log.child({ environment: environment.name }),
    redactor: services.redactor,
    queues: services.queues,
    env: services.env,
    ...(services.onApiCall ? { onCall: services.onApiCall } : {}),
  });
}

/**
 * The export loop's view of ThoughtSpot: every page of headers, principals,
 * and TML as the repository keeps it (YAML, fqns on every reference so that
 * names never have to be guessed, models as `model:`).
 */
export function thoughtspotPort(client: ThoughtSpotClient): ThoughtSpotPort {
  return {
    async listHeaders(type: HeaderType, subtypes?: string[], onPage?: (page: Header[]) => void) {
      const headers: Header[] = [];
      await client.listAllObjectHeaders({ type, ...(subtypes ? { subtypes: subtypes as never } : {}) }, undefined, (page) => {
        const mapped = page.map((h): Header => ({ id: h.id, name: h.name, modified: h.modified, ...(h.modifiedBy ? { modifiedBy: h.modifiedBy } : {}), ...(h.author ? { author: h.author } : {}) }));
        headers.push(...mapped);
        onPage?.(mapped);
      });
      return headers;
    },
    async listPrincipals() {
      return (await client.listUsers()).map((p) => ({ ...p }));
    },
    async exportTml(ids) {
      const results = await client.exportTml(ids, { formatType: 'YAML', exportFqn: true, schemaVersion: 'v2' });
      return results.map((r) => (r.ok ? { id: r.id, type: r.type, name: r.name, edoc: r.edoc } : { id: r.id ?? '', ...(r.name ? { name: r.name } : {}), error: r.error.message }));
    },
    async importTml(documents, policy) {
      try {
        const results = await client.importTml(documents, { policy, forceCreate: false });
        return {
          answered: true,
          results: results.map((r): ImportedObject => {
            if (!r.ok) return { ok: false, error: r.error.message };
            // VALIDATE_ONLY answers OK without an id: nothing was written.
            return { ok: true, id: r.id ?? '' };
          }),
        };
      } catch (error) {
        if (error instanceof ThoughtSpotUncertainWriteError) return { answered: false, error: error.message };
        throw error;
      }
    },
  };
}

/** A local path (not a URL, not scp-like `host:path`) is resolved from the current directory. */
export function remoteUrl(url: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) || /^[^/\\]+@[^:]+:/.test(url)) return url;
  return isAbsolute(url) ? url : resolve(url);
}

/** The working tree of one environment under the work dir. */
export async function repoFor(config: LoadedConfig, environment: EnvironmentConfig, services: Services): Promise<ContentRepo> {
  const url = remoteUrl(config.repository.url);
  if (url.startsWith('/') && !existsSync(url)) throw new Error(`the git remote ${url} does not exist (repository.url)`);
  const token = config.repository.tokenEnv ? services.env[config.repository.tokenEnv] : undefined;
  if (config.repository.tokenEnv && !token) throw new Error(`repository.tokenEnv names ${config.repository.tokenEnv}, which is not set`);
  services.redactor.add(token);
  return GitRepo.open(join(config.workDir, slugify(environment.name), 'repo'), {
    remoteUrl: url,
    committer: config.repository.committer,
    logger: services.log,
    ...(config.repository.sshKeyFile ? { sshKeyFile: config.repository.sshKeyFile } : {}),
    ...(token ? { httpsToken: token } : {}),
  });
}
