import { readFileSync } from 'node:fs';
import { silentLogger, type Logger, type Redactor } from '../log/index.js';
import { ThoughtSpotHttp, type ApiCaller, type CallResult, type SessionLifetime } from './http.js';
import { DEFAULT_RATE_LIMIT, DEFAULT_RETRY, DEFAULT_TIMEOUT_MS, type RateLimit, type RetryOptions } from './limits.js';
import type { ProxyEnv } from './proxy.js';
import { HostQueues, type HostQueue } from './queue.js';
import { logout } from './endpoints/session.js';
import { Transport, type TransportOptions } from './transport.js';

/** What a client of either API version is configured with. */
export interface ConnectionOptions {
  /** The cluster, e.g. `https://my.thoughtspot.cloud`. */
  url: string;
  /** The user to log in as (and, with trusted authentication, to request a token for unless `trustedAuthUser` says otherwise). */
  username: string;
  /** Password login. */
  password?: string;
  /** Trusted authentication; takes precedence over `password`. */
  secretKey?: string;
  trustedAuthUser?: string;
  orgId?: number;
  /**
   * The Org every call works in (config `environments.<name>.org`): a name
   * or a numeric id, looked up among the user's Orgs at the first login; the
   * user's default Org without one.
   */
  org?: string;
  /** PEM certificate authorities to trust besides Node's bundled ones (read once, here). */
  caFile?: string;
  /** Deadline of every call. */
  timeoutMs?: number;
  rateLimit?: Partial<RateLimit>;
  retry?: Partial<RetryOptions>;
  logger?: Logger;
  /** Receives the password, secret key, tokens and session cookies, to scrub them from every log line. */
  redactor?: Redactor;
  /** The process's per-host queues, shared by every client of a host (v1 and v2 alike); a private registry otherwise. */
  queues?: HostQueues;
  /** Default `tmlsync/<version>`. */
  userAgent?: string;
  /** Where `HTTPS_PROXY`, `HTTP_PROXY` and `NO_PROXY` are read; `process.env` by default. */
  env?: ProxyEnv;
  /** Told the outcome of every call (after retries), for metrics. */
  onCall?: (endpoint: string, result: CallResult) => void;
}

/** What differs between the API versions below the endpoint functions. */
export interface ApiFlavour {
  api: 'v1' | 'v2';
  basePath: string;
  /** v1 keeps a cookie session; v2 sends a bearer token instead. */
  cookies: boolean;
  /** The `Authorization` header of the current session, if it has one. */
  authorization?: () => string | undefined;
  authenticate: (api: ApiCaller) => Promise<SessionLifetime | void>;
  /** Drops the flavour's own credential (the token); cookies are always dropped. */
  forgetSession?: () => void;
  /** How to end a session an early renewal replaces (the token's revocation); a cookie session is logged out with its cookies. */
  replacedSession?: () => ((api: ApiCaller) => Promise<void>) | undefined;
  sessionTtlMs?: number;
}

/** A client's view of its host: the API base, the shared queue, and the one path every call takes. */
export interface Connection {
  baseUrl: string;
  queue: HostQueue;
  http: ThoughtSpotHttp;
}

/**
 * The layers under both clients: one transport, this host's queue from the
 * shared registry, the retry policy and the session handling. Every secret
 * the options hold is registered with the redactor before the first call.
 */
export function openConnection(options: ConnectionOptions, flavour: ApiFlavour): Connection {
  if (!options.password && !options.secretKey) throw new TypeError('ThoughtSpot client needs a password or a trusted-authentication secret key');
  const { redactor } = options;
  redactor?.add(options.password);
  redactor?.add(options.secretKey);
  const logger = (options.logger ?? silentLogger()).child({ component: 'thoughtspot', api: flavour.api });
  const transportOptions = {
    url: options.url,
    basePath: flavour.basePath,
    cookies: flavour.cookies,
    ...(flavour.authorization ? { authorization: flavour.authorization } : {}),
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    userAgent: options.userAgent ?? `tmlsync/${packageVersion()}`,
    caFile: options.caFile,
    env: options.env,
    onCookie: (_name: string, value: string) => redactor?.add(value),
  };
  const transport = new Transport(transportOptions);
  if (transport.proxy) redactor?.add(decodeURIComponent(transport.proxy.password));
  const queue = (options.queues ?? new HostQueues()).for(options.url, withDefaults(DEFAULT_RATE_LIMIT, options.rateLimit));
  const http = new ThoughtSpotHttp({
    transport,
    queue,
    retry: withDefaults(DEFAULT_RETRY, options.retry),
    logger: logger.child({ host: new URL(options.url).host }),
    redactor,
    authenticate: flavour.authenticate,
    forgetSession: () => {
      transport.cookies.clear();
      flavour.forgetSession?.();
    },
    replacedSession: () => (flavour.cookies ? cookieSessionEnd(transport, transportOptions) : flavour.replacedSession?.()),
    ...(flavour.sessionTtlMs ? { sessionTtlMs: flavour.sessionTtlMs } : {}),
    ...(options.onCall ? { onCall: options.onCall } : {}),
  });
  return { baseUrl: transport.baseUrl, queue, http };
}

/** The cookie that names a v1 session (reference §1.4); the others do not identify it. */
const SESSION_COOKIE = 'JSESSIONID';

/**
 * How to log out a cookie session a renewal replaces: with its own cookies, through a transport
 * of its own, so that the logout's answer (which clears cookies) never reaches the jar of the
 * session that replaced it. It skips the host's queue: one call, at most once per renewal.
 */
function cookieSessionEnd(transport: Transport, options: TransportOptions): ((api: ApiCaller) => Promise<void>) | undefined {
  const cookies = transport.cookies.snapshot();
  if (cookies.length === 0) return undefined;
  return async () => {
    // A server that kept the session across the login (same JSESSIONID) has nothing to end; other
    // cookies, such as a load balancer's, may keep their value while the session changes.
    const session = cookies.find(([name]) => name === SESSION_COOKIE)?.[1];
    if (session && transport.cookies.get(SESSION_COOKIE) === session.value) return;
    const own = new Transport(options);
    own.cookies.restore(cookies);
    await logout(own);
  };
}

/** The defaults with every given value on top; an undefined one (an unset config key) keeps its default. */
function withDefaults<T extends object>(defaults: T, given: Partial<T> | undefined): T {
  const set = Object.entries(given ?? {}).filter(([, value]) => value !== undefined);
  return { ...defaults, ...(Object.fromEntries(set) as Partial<T>) };
}

/** This package's version, from the package.json beside `src/` or `dist/`. */
function packageVersion(): string {
  try {
    const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
    return (JSON.parse(text) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}
