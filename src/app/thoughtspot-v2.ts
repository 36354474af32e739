import type { EnvironmentConfig } from '../config/index.js';
import { ThoughtSpotV2Client } from '../thoughtspot/index.js';
import { connectionOptions } from './thoughtspot-port.js';
import type { Services } from './services.js';

/**
 * The REST API v2 (`/api/rest/2.0/`) of an environment: its client. The v2
 * client gives and takes what the v1 client does, so the port over it is the
 * one both versions share (thoughtspot-port.ts), and this file only says how
 * an environment's settings become a v2 client. `connect` (thoughtspot.ts)
 * chooses the version.
 */

/**
 * The v2 client of an environment. `sessionTtlMs` has no v2 counterpart to
 * pass on: a bearer token reports its own lifetime, and the client renews it
 * before it ends.
 */
export function v2ClientFor(environment: EnvironmentConfig, services: Services): ThoughtSpotV2Client {
  return new ThoughtSpotV2Client(connectionOptions(environment, services));
}
