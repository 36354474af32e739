import { silentLogger, type Logger } from '../log/index.js';
import type { EmulatorSettings, Route } from './context.js';
import { dataRoutes } from './handlers/data.js';
import { deleteRoutes } from './handlers/delete.js';
import { metadataRoutes } from './handlers/metadata.js';
import { principalRoutes } from './handlers/principals.js';
import { tmlRoutes } from './handlers/tml.js';
import { seedDemo, seedScale, type SeedName } from './seed/index.js';
import { sessionRoutes } from './handlers/session.js';
import { startServer, type RunningServer, type ServerOptions } from './server.js';
import { EmulatorState } from './state.js';
import { FileStore, MemoryStore } from './store.js';

export interface EmulatorOptions extends ServerOptions, Partial<EmulatorSettings> {
  /** Persist here (`--data-dir`); in memory without. */
  dataDir?: string;
  /** What a fresh data dir starts with: the demo content (default) or only the built-in principals. */
  seed?: SeedName;
  /** `--seed-scale N`: N generated objects of every kind on top of the seed, for benchmarks. */
  seedScale?: number;
  /** `tsadmin`'s password on a fresh data dir; `admin` by default. */
  adminPassword?: string;
  logger?: Logger;
}

export interface RunningEmulator extends RunningServer {
  state: EmulatorState;
}

export const ROUTES: readonly Route[] = [...sessionRoutes, ...principalRoutes, ...metadataRoutes, ...tmlRoutes, ...deleteRoutes, ...dataRoutes];

/**
 * Loads (or seeds) the state, then binds the port: a client that can connect
 * finds the data ready.
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const log = options.logger ?? silentLogger();
  const state = new EmulatorState(options.dataDir ? new FileStore(options.dataDir) : new MemoryStore());
  const settings: EmulatorSettings = {
    guidPolicy: options.guidPolicy ?? 'keep',
    ...(options.trustedAuthSecret ? { trustedAuthSecret: options.trustedAuthSecret } : {}),
    ...(options.failingVisualizations ? { failingVisualizations: options.failingVisualizations } : {}),
  };
  if (!state.restore()) {
    state.seedPrincipals(options.adminPassword ?? 'admin');
    if ((options.seed ?? 'demo') === 'demo') seedDemo(state, settings);
    if (options.seedScale) seedScale(state, settings, options.seedScale);
    state.commit();
  }
  const server = await startServer([...ROUTES], state, settings, { ...options, logger: log });
  return { ...server, state };
}
