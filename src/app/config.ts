import { loadConfig, type LoadedConfig } from '../config/index.js';
import { InvalidInputError } from '../errors/index.js';
import { isTracked } from '../git/index.js';
import type { Host } from './services.js';

/**
 * Loads the configuration file (the one named, else $TMLSYNC_CONFIG),
 * refusing literal secrets in tracked files, and tells the redactor every
 * secret it holds before anything is logged. With `environment` (a command's
 * `--env`), the variables of the other environments need not be set.
 */
export async function configFrom(file: string | undefined, host: Pick<Host, 'env' | 'redactor'>, environment?: string): Promise<LoadedConfig> {
  const path = file ?? host.env.TMLSYNC_CONFIG;
  if (!path) throw new InvalidInputError('--config is required (or set TMLSYNC_CONFIG)');
  const tracked = await isTracked(path);
  const config = loadConfig(path, { env: host.env, isTracked: () => tracked, ...(environment !== undefined ? { environments: [environment] } : {}) });
  for (const e of config.environments) {
    host.redactor.add(e.password);
    host.redactor.add(e.secretKey);
  }
  host.redactor.add(config.server.webhookSecret);
  host.redactor.add(config.server.apiToken);
  return config;
}
