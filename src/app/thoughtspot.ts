import type { EnvironmentConfig, LoadedConfig } from '../config/index.js';
import type { ContentRepo, ThoughtSpotPort } from '../sync/ports.js';
import { repoFor } from './repository.js';
import { withSession, type Session } from './session.js';
import type { Services } from './services.js';
import { clientFor, thoughtspotPort } from './thoughtspot-v1.js';

/** An environment's ThoughtSpot as the workflows and the daemon see it, whatever API version speaks to it. */
export interface ThoughtSpotConnection extends Session {
  /** What the workflows call. */
  readonly port: ThoughtSpotPort;
  /** The queue of the environment's host, shared by every connection to it: its depth is a metric. */
  readonly queue: { readonly waiting: number };
}

/**
 * Connects to an environment's ThoughtSpot: the one place where its adapter
 * is chosen. Only v1 exists; the v2 adapter (issue 12) plugs in here, chosen
 * by the environment's API version. Nothing is sent until the first call
 * (the client logs in lazily).
 */
export function connect(environment: EnvironmentConfig, services: Services): ThoughtSpotConnection {
  const client = clientFor(environment, services);
  return { port: thoughtspotPort(client), queue: client.queue, logout: () => client.logout() };
}

/** The two sides a workflow works between. */
export interface Sides {
  thoughtspot: ThoughtSpotPort;
  repo: ContentRepo;
}

/**
 * Runs a workflow against one environment: its ThoughtSpot (a session ended
 * however the work ends) and its working tree.
 */
export async function withEnvironment<T>(config: LoadedConfig, environment: EnvironmentConfig, services: Services, work: (sides: Sides) => Promise<T>): Promise<T> {
  return withSession(connect(environment, services), async (connection) => work({ thoughtspot: connection.port, repo: await repoFor(config, environment, services) }));
}
