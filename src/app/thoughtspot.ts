import type { EnvironmentConfig, LoadedConfig } from '../config/index.js';
import type { ContentRepo, ThoughtSpotPort } from '../sync/ports.js';
import { ThoughtSpotApiError } from '../thoughtspot/index.js';
import { signInName } from './environments.js';
import { repoFor } from './repository.js';
import { withSession, type Session } from './session.js';
import type { Services } from './services.js';
import { thoughtspotPort, type PortClient } from './thoughtspot-port.js';
import { clientFor } from './thoughtspot-v1.js';
import { v2ClientFor } from './thoughtspot-v2.js';

/** An environment's ThoughtSpot as the workflows and the daemon see it, whatever API version speaks to it. */
export interface ThoughtSpotConnection extends Session {
  /** What the workflows call. */
  readonly port: ThoughtSpotPort;
  /** The queue of the environment's host, shared by every connection to it: its depth is a metric. */
  readonly queue: { readonly waiting: number };
  /** The REST API version in use, once the first call has chosen it (`auto` asks the instance). */
  readonly api: ApiVersion | undefined;
  /** Signs in now, whatever the version (the first call would otherwise): a refused sign-in is its `ThoughtSpotApiError`. */
  login(): Promise<void>;
}

type ApiVersion = 'v1' | 'v2';
type Client = PortClient & Session & { login(signal?: AbortSignal): Promise<void>; readonly queue: { readonly waiting: number } };

/**
 * Connects to an environment's ThoughtSpot: the one place where its adapter
 * is chosen, by the environment's `api`. Nothing is sent until the first
 * call: then `auto` asks v2 for a token, and uses v1 only if the instance
 * has no v2. The version in use is logged once, when it is known.
 */
export function connect(environment: EnvironmentConfig, services: Services): ThoughtSpotConnection {
  // The client of the version asked for (v2 for auto); a v1 client is made only if auto falls back.
  const asked: Client = environment.api === 'v1' ? clientFor(environment, services) : v2ClientFor(environment, services);
  let client: Client | undefined;
  let chosen: ThoughtSpotPort | undefined;
  let api: ApiVersion | undefined;
  /**
   * The port, once chosen. Each call that finds none probes with its own signal: the probe is the
   * v2 client's login, which its callers share, each waiting only as long as its signal, and which
   * is abandoned once none waits (ThoughtSpotHttp). A failed choice (ThoughtSpot unreachable, a
   * wrong password, a probe abandoned) is not remembered: the next call tries again.
   */
  const port = async (signal?: AbortSignal): Promise<ThoughtSpotPort> => {
    if (chosen) return chosen;
    const version = environment.api === 'auto' ? await probe(asked, signal) : environment.api;
    // Calls that shared the probe end it together: the first chooses.
    if (chosen) return chosen;
    client = environment.api === 'auto' && version === 'v1' ? clientFor(environment, services) : asked;
    api = version;
    services.log.info({ environment: environment.name, api: version }, `ThoughtSpot REST API ${version} in use${environment.api === 'auto' ? ' (api: auto)' : ''}`);
    chosen = thoughtspotPort(client, { username: signInName(environment) });
    return chosen;
  };
  return {
    port: deferredPort(port),
    // Every client of a host shares the host's queue (services.queues): either version's is the same queue.
    queue: asked.queue,
    get api() {
      return api;
    },
    login: async () => {
      await port();
      await client!.login();
    },
    logout: async () => client?.logout(),
  };
}

/**
 * Whether the instance speaks v2: a token is asked for (the session v2 then
 * goes on with). Only a 404 there means it has no v2 (an older ThoughtSpot
 * Software release); any other failure is the run's, as it would be on v2.
 */
async function probe(v2: Client, signal?: AbortSignal): Promise<ApiVersion> {
  try {
    await v2.login(signal);
    return 'v2';
  } catch (error) {
    if (error instanceof ThoughtSpotApiError && error.status === 404) return 'v1';
    throw error;
  }
}

/** Every method of the port, for `deferredPort` to forward (the compiler checks the list is complete). */
const PORT_METHODS = {
  listHeaders: true, listHeadersSince: true, listPrincipals: true, listGroupPrivileges: true, syncPrincipals: true, changePrivilege: true, exportTml: true, importTml: true,
  deleteObjects: true, transferOwnership: true, listVisualizations: true, liveboardData: true, searchData: true, liveboardPdf: true,
  sessionUser: true, changePassword: true, speaksObjIds: true, setObjIds: true,
} satisfies Record<keyof ThoughtSpotPort, true>;

/** A port whose every call waits for the port it forwards to (chosen on first use); a call given an `AbortSignal` (a listing's) waits only as long as it. */
function deferredPort(port: (signal?: AbortSignal) => Promise<ThoughtSpotPort>): ThoughtSpotPort {
  const forward = (name: keyof ThoughtSpotPort) => async (...args: unknown[]) => {
    const signal = args.find((arg): arg is AbortSignal => arg instanceof AbortSignal);
    return ((await port(signal))[name] as (...args: unknown[]) => Promise<unknown>)(...args);
  };
  return Object.fromEntries(Object.keys(PORT_METHODS).map((name) => [name, forward(name as keyof ThoughtSpotPort)])) as unknown as ThoughtSpotPort;
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
