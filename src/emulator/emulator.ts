import { silentLogger, type Logger } from '../log/index.js';
import type { EmulatorSettings, Route } from './context.js';
import { principalRoutes } from './handlers/principals.js';
import { sessionRoutes } from './handlers/session.js';
import { startServer, type RunningServer, type ServerOptions } from './server.js';
import { EmulatorState } from './state.js';
import { FileStore, MemoryStore } from './store.js';

export interface EmulatorOptions extends ServerOptions, Partial<EmulatorSettings> {
  /** Persist here (`--data-dir`); in memory without. */
  dataDir?: string;
  /** `tsadmin`'s password on a fresh data dir; `admin` by default. */
  adminPassword?: string;
  logger?: Logger;
}

export interface RunningEmulator extends RunningServer {
  state: EmulatorState;
}

export const ROUTES: readonly Route[] = [...sessionRoutes, ...principalRoutes];

/**
 * Loads (or seeds) the state, then binds the port: a client that can connect
 * finds the data ready.
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const log = options.logger ?? silentLogger();
  const state = new EmulatorState(options.dataDir ? new FileStore(options.dataDir) : new MemoryStore());
  if (!state.restore()) {
    state.seedPrincipals(options.adminPassword ?? 'admin');
    state.commit();
  }
  const settings: EmulatorSettings = {
    guidPolicy: options.guidPolicy ?? 'keep',
    ...(options.trustedAuthSecret ? { trustedAuthSecret: options.trustedAuthSecret } : {}),
  };
  const server = await startServer([...ROUTES], state, settings, { ...options, logger: log });
  return { ...server, state };
}
