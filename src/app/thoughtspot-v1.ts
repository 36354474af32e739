import type { EnvironmentConfig } from '../config/index.js';
import { ThoughtSpotClient } from '../thoughtspot/index.js';
import { connectionOptions } from './thoughtspot-port.js';
import type { Services } from './services.js';

/**
 * The public REST API v1 (`/callosum/v1/tspublic/v1/`) of an environment:
 * its client. The port over it is the one both versions share
 * (thoughtspot-port.ts); `connect` (thoughtspot.ts) chooses the version.
 */

/** The v1 client of an environment: its credentials, limits and logger, and the process's queue for its host. */
export function clientFor(environment: EnvironmentConfig, services: Services): ThoughtSpotClient {
  return new ThoughtSpotClient({
    ...connectionOptions(environment, services),
    ...(environment.sessionTtlMs ? { sessionTtlMs: environment.sessionTtlMs } : {}),
  });
}
