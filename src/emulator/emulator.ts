import { silentLogger, type Logger } from '../log/index.js';
import type { EmulatorSettings, Route } from './context.js';
import { dataRoutes } from './handlers/data.js';
import { deleteRoutes } from './handlers/delete.js';
import { metadataRoutes } from './handlers/metadata.js';
import { orgRoutes } from './handlers/orgs.js';
import { principalRoutes } from './handlers/principals.js';
import { tmlRoutes } from './handlers/tml.js';
import { seedDemo, seedScale, type SeedName } from './seed/index.js';
import { sessionRoutes } from './handlers/session.js';
import { v2AuthRoutes } from './handlers/v2/auth.js';
import { v2DataRoutes } from './handlers/v2/data.js';
import { v2MetadataRoutes } from './handlers/v2/metadata.js';
import { v2OrgRoutes } from './handlers/v2/orgs.js';
import { v2PrincipalRoutes } from './handlers/v2/principals.js';
import { v2TmlRoutes } from './handlers/v2/tml.js';
import { startServer, type RunningServer, type ServerOptions } from './server.js';
import { EmulatorInstance, type EmulatorState } from './state.js';
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
  /** `--orgs "Dev,Prod"`: Orgs created at start-up (empty but for the built-in principals) unless they exist already. */
  orgs?: readonly string[];
  logger?: Logger;
}

export interface RunningEmulator extends RunningServer {
  /** The Primary Org's state. */
  state: EmulatorState;
  /** Every Org. */
  instance: EmulatorInstance;
}

/** Every route of both API versions: thin handlers over one state and one implementation of each operation. */
export const ROUTES: readonly Route[] = [
  ...sessionRoutes, ...orgRoutes, ...principalRoutes, ...metadataRoutes, ...tmlRoutes, ...deleteRoutes, ...dataRoutes,
  ...v2AuthRoutes, ...v2OrgRoutes, ...v2PrincipalRoutes, ...v2MetadataRoutes, ...v2TmlRoutes, ...v2DataRoutes,
];

/**
 * Loads (or seeds) the state, then binds the port: a client that can connect
 * finds the data ready.
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const log = options.logger ?? silentLogger();
  const instance = new EmulatorInstance(options.dataDir ? new FileStore(options.dataDir) : new MemoryStore());
  const state = instance.primary;
  const settings: EmulatorSettings = {
    guidPolicy: options.guidPolicy ?? 'keep',
    ...(options.trustedAuthSecret ? { trustedAuthSecret: options.trustedAuthSecret } : {}),
    ...(options.failingVisualizations ? { failingVisualizations: options.failingVisualizations } : {}),
  };
  if (!instance.restore()) {
    state.seedPrincipals(options.adminPassword ?? 'admin');
    if ((options.seed ?? 'demo') === 'demo') seedDemo(state, settings);
    if (options.seedScale) seedScale(state, settings, options.seedScale);
    state.commit();
  }
  createMissingOrgs(instance, options.orgs ?? []);
  const server = await startServer([...ROUTES], instance, settings, { ...options, logger: log });
  return { ...server, state, instance };
}

/** The `--orgs` Orgs a restored data dir does not have yet (by name, without case). */
function createMissingOrgs(instance: EmulatorInstance, names: readonly string[]): void {
  const missing = names.map((name) => name.trim()).filter((name) => name !== '' && !instance.findOrg(name));
  for (const name of missing) instance.createOrg(name);
  if (missing.length > 0) instance.commit();
}
