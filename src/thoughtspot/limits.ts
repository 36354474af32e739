/**
 * Every number that limits or paces calls to ThoughtSpot, in one table, with
 * where it comes from (renovate's `lib/util/http/` keeps its vendor limits
 * the same way). All of them are defaults: `ThoughtSpotClientOptions`
 * overrides each.
 */

/**
 * ThoughtSpot's published limit: "a global rate limit of 100 requests per
 * second per client IP is enforced at the cluster level for all public APIs
 * … across all public APIs combined, not per endpoint", with "a burst of 10
 * additional API requests" before `HTTP 429: Too Many Requests` (instances
 * on 26.2.0.cl and later).
 * Source: ThoughtSpot developer docs, page "ThoughtSpot REST APIs", section
 * "Rate limits for API requests": https://developers.thoughtspot.com/docs/rest-apis
 * (read in the 26.2.0.cl edition, https://developer-docs-26-2-0-cl.vercel.app/docs/rest-apis).
 * No concurrency limit is published.
 */
export const THOUGHTSPOT_PUBLISHED_LIMIT = { requestsPerSecond: 100, burst: 10 } as const;

export interface RateLimit {
  /** Requests in flight at once, per host. */
  concurrency: number;
  /** Requests started in any rolling window of `intervalMs`, per host. */
  intervalCap: number;
  intervalMs: number;
}

/**
 * Half the published rate, because that limit counts every request from the
 * client's IP address: other tools and users behind the same address, and
 * other tmlsync environments on the same machine, share it. The window is
 * sliding (p-queue `strict`), so there are no bursts at window edges that
 * the server's limiter would see as twice the rate. Concurrency 4: TML export
 * and import are heavy on the server, and ThoughtSpot advises batching many
 * objects per call (reference §2.15) rather than many calls in parallel.
 */
export const DEFAULT_RATE_LIMIT: RateLimit = {
  concurrency: 4,
  intervalCap: THOUGHTSPOT_PUBLISHED_LIMIT.requestsPerSecond / 2,
  intervalMs: 1000,
};

/**
 * Queue priorities, higher first. A retry goes before new work, so a host
 * that was held does not starve what it already started. A listing page goes
 * before an export or import: the export loop hands out batches while later
 * pages are still to come, and behind a backlog of batches each page would
 * wait for all of them (the rate limit is the bottleneck at 10,000 objects,
 * so the listing would end only with the exports).
 */
export const QUEUE_PRIORITY = { normal: 0, listing: 1, retry: 2 } as const;

export interface RetryOptions {
  /** Tries per call for a retryable failure, the first one included. */
  attempts: number;
  /** Backoff before retry n (from 0): a random delay in [0, min(maxDelayMs, baseDelayMs * 2 ** n)) ("full jitter"). */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A 429 asking to wait longer than this is not retried: the error goes to the caller. */
  maxRetryAfterMs: number;
}

/**
 * Four tries spread over about 0.5 + 1 + 2 s of backoff ride out a restarting
 * node or a load balancer hiccup without stalling a run for minutes; a
 * Retry-After beyond one minute means the cluster is shedding load, and the
 * run is better failed and rescheduled.
 */
export const DEFAULT_RETRY: RetryOptions = {
  attempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 60_000,
};

/**
 * Every call has a deadline. TML export with associated objects and TML
 * import of a 50-object batch take tens of seconds on large models (the
 * docs call `export_associated` "slow", reference §3.4), hence two minutes.
 */
export const DEFAULT_TIMEOUT_MS = 120_000;

/** Establishing a TCP/TLS connection (or a proxy tunnel) gets its own, shorter deadline. */
export const CONNECT_TIMEOUT_MS = 10_000;

/**
 * With a configured session lifetime (`sessionTtlMs`), the client logs in
 * again once a session is this close to it: a tenth of the lifetime, at most
 * one minute. The margin covers a call that waits in the host's queue or on
 * the network after the check, and clocks that disagree a little; renewing a
 * session the server would have kept costs one login per lifetime. Whether
 * the cluster counts the lifetime from the login or from the last call does
 * not matter: the age since login is never shorter than the idle time.
 */
export const SESSION_RENEW_MARGIN = { share: 0.1, maxMs: 60_000 } as const;

/** The age at which a session with this lifetime is renewed before its next call. */
export function sessionRenewAfterMs(ttlMs: number): number {
  return ttlMs - Math.min(SESSION_RENEW_MARGIN.maxMs, ttlMs * SESSION_RENEW_MARGIN.share);
}

/**
 * How long a v2 bearer token is asked to last (`validity_time_in_sec`).
 * ThoughtSpot's default is 5 minutes (SDK getFullAccessToken); a long export
 * would renew it dozens of times. Half an hour keeps the token's exposure
 * short and costs one `auth/token/full` per half hour; the client renews
 * before the expiry the token reports (`SESSION_RENEW_MARGIN`), whatever the
 * cluster grants. UNCONFIRMED whether clusters cap the validity.
 */
export const DEFAULT_TOKEN_VALIDITY_SEC = 1800;

/**
 * Polling an asynchronous v2 TML import (`metadata/tml/async/status`): every
 * 2 s, a small share of the host's rate for an operation that takes tens of
 * seconds, and at most 30 minutes before its outcome is reported as unknown.
 */
export const ASYNC_IMPORT_POLL = { intervalMs: 2_000, maxWaitMs: 30 * 60_000 } as const;
