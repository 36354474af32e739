import type { Logger, Redactor } from '../log/index.js';
import { apiErrorDetails, ThoughtSpotApiError, ThoughtSpotNetworkError, ThoughtSpotUncertainWriteError } from './errors.js';
import { QUEUE_PRIORITY, sessionRenewAfterMs, type RetryOptions } from './limits.js';
import { backoffDelay, parseRetryAfter, sleep, untilAborted, type HostQueue } from './queue.js';
import type { ApiRequest, ApiResponse, Transport } from './transport.js';

/** How long a session lasts from the moment its login started. */
export interface SessionLifetime {
  ttlMs: number;
}

/** What endpoint functions need: send one request, get a success response or a typed error. */
export interface ApiCaller {
  send(request: ApiRequest): Promise<ApiResponse>;
}

export interface ThoughtSpotHttpOptions {
  transport: Transport;
  queue: HostQueue;
  retry: RetryOptions;
  logger: Logger;
  redactor?: Redactor;
  /**
   * Establishes a session with anonymous calls through the given caller
   * (v1: password or trusted-auth login; v2: a bearer token). It may say how
   * long the new session lasts (a v2 token says so); that wins over `sessionTtlMs`.
   */
  authenticate: (api: ApiCaller) => Promise<SessionLifetime | void>;
  /** Drops the session's credential (v1: the cookies; v2: the token), after a 401 or a logout. */
  forgetSession: () => void;
  /**
   * Before an early renewal: takes hold of the current session's credential and returns how to
   * end that session once the new one is in use (v1: log out with its cookies; v2: revoke its
   * token), so that every renewal does not leave a live session behind on the cluster.
   */
  replacedSession?: () => ((api: ApiCaller) => Promise<void>) | undefined;
  /**
   * How long the cluster keeps a session. When set, a session this old (less
   * the margin of `sessionRenewAfterMs`) is renewed before the next call
   * instead of waiting for a 401.
   */
  sessionTtlMs?: number;
  /** Told the outcome of every call, for metrics. */
  onCall?: (endpoint: string, result: CallResult) => void;
}

/** How a call ended, for metrics: answered, failed, or stopped by its caller (its signal), which is no failure of ThoughtSpot's. */
export type CallResult = 'ok' | 'error' | 'stopped';

/**
 * Every call goes through here: the session (log in before the first call;
 * with a known session lifetime, log in again before a call once the session
 * nears it; on a 401, log in again once, shared by all calls that saw it,
 * and replay),
 * the host's queue, and the retry policy (DESIGN "The queue"):
 * - 429: wait Retry-After (holding the whole host), then send again, for
 *   every call: the server did not process it;
 * - 5xx and network errors: idempotent calls retry with exponential backoff
 *   and full jitter; writes are not re-sent, unless the connection was never
 *   made, and fail with `ThoughtSpotUncertainWriteError`.
 */
export class ThoughtSpotHttp implements ApiCaller {
  readonly #options: ThoughtSpotHttpOptions;
  /** Sessions established so far; a 401 from an older session than the current one just replays. */
  #generation = 0;
  #active = false;
  /** When the current session's login started (`Date.now()`): its age is measured from there. */
  #sessionStartedAt = 0;
  /** The current session's lifetime: the one its login reported, else the configured one. */
  #sessionTtlMs: number | undefined;
  #renewal: Renewal | undefined;

  constructor(options: ThoughtSpotHttpOptions) {
    this.#options = options;
  }

  async send(request: ApiRequest): Promise<ApiResponse> {
    try {
      const response = await this.#send(request);
      this.#options.onCall?.(request.endpoint, 'ok');
      return response;
    } catch (error) {
      this.#options.onCall?.(request.endpoint, request.signal?.aborted ? 'stopped' : 'error');
      throw error;
    }
  }

  async #send(request: ApiRequest): Promise<ApiResponse> {
    request.signal?.throwIfAborted();
    if (request.anonymous) return this.#checked(request, await this.#attempts(request));
    if (!this.#active) {
      await this.#renew(this.#generation, request.signal);
    } else if (this.#nearsLifetime()) {
      // One line per renewal: calls that find one under way just wait for it.
      if (!this.#renewal) this.#options.logger.info({ endpoint: request.endpoint, sessionAgeMs: Date.now() - this.#sessionStartedAt }, 'ThoughtSpot session nears its lifetime, logging in again');
      await this.#renew(this.#generation, request.signal, true);
    }
    const generation = this.#generation;
    let response = await this.#attempts(request);
    if (response.status === 401) {
      this.#options.logger.info({ endpoint: request.endpoint }, 'ThoughtSpot session rejected, logging in again');
      await this.#renew(generation, request.signal);
      response = await this.#attempts(request);
    }
    return this.#checked(request, response);
  }

  /** Logs in now, if no session is active; `signal` ends the wait (`#renew`). */
  async ensureSession(signal?: AbortSignal): Promise<void> {
    if (!this.#active) await this.#renew(this.#generation, signal);
  }

  get hasSession(): boolean {
    return this.#active;
  }

  /** Forgets the session (after logout): the next call logs in again. */
  endSession(): void {
    this.#active = false;
    this.#options.forgetSession();
  }

  #nearsLifetime(): boolean {
    const ttlMs = this.#sessionTtlMs;
    return ttlMs !== undefined && Date.now() - this.#sessionStartedAt >= sessionRenewAfterMs(ttlMs);
  }

  /**
   * Logs in, once for every caller that asks while a login is under way.
   * `keepCurrent` (renewal before expiry): the current session stays in use
   * until the new one's cookies or token replace it, so calls already under
   * way are not sent without a session; after a 401 there is nothing worth keeping.
   * A caller whose `signal` aborts stops waiting; the login itself is abandoned
   * (its requests end, no retry) once no caller waits for it: with ThoughtSpot
   * down, its retries would otherwise go on for minutes after the run that
   * started it had stopped.
   */
  #renew(seen: number, signal?: AbortSignal, keepCurrent = false): Promise<void> {
    if (this.#active && this.#generation !== seen) return Promise.resolve();
    // Before a login starts: one started for a caller already gone would have nobody to abandon it.
    signal?.throwIfAborted();
    this.#renewal ??= this.#login(keepCurrent);
    return waitFor(this.#renewal, signal);
  }

  #login(keepCurrent: boolean): Renewal {
    const abandon = new AbortController();
    const done = (async () => {
      const started = Date.now();
      if (!keepCurrent) {
        this.#active = false;
        this.#options.forgetSession();
      }
      const endReplaced = keepCurrent ? this.#options.replacedSession?.() : undefined;
      const lifetime = await this.#options.authenticate({ send: (request) => this.send({ ...request, signal: abandon.signal }) });
      this.#sessionTtlMs = lifetime ? lifetime.ttlMs : this.#options.sessionTtlMs;
      this.#sessionStartedAt = started;
      this.#generation += 1;
      this.#active = true;
      if (endReplaced) await this.#endReplaced(endReplaced);
    })().finally(() => {
      if (this.#renewal === renewal) this.#renewal = undefined;
    });
    // An abandoned login's failure has no caller left to take it.
    done.catch(() => undefined);
    const renewal = { done, waiting: 0, abandon };
    // A call that comes once it is abandoned logs in anew, rather than share its end.
    abandon.signal.addEventListener('abort', () => {
      if (this.#renewal === renewal) this.#renewal = undefined;
    });
    return renewal;
  }

  /** Ends the session a renewal replaced; a failure only costs a session that runs out by itself, never the run. */
  async #endReplaced(end: (api: ApiCaller) => Promise<void>): Promise<void> {
    try {
      await end(this);
    } catch (error) {
      this.#options.logger.warn({ err: error }, 'could not end the ThoughtSpot session a renewal replaced; it ends when its lifetime does');
    }
  }

  async #attempts(request: ApiRequest): Promise<ApiResponse> {
    const { queue, retry, transport, logger } = this.#options;
    for (let attempt = 0; ; attempt += 1) {
      const started = Date.now();
      const last = attempt + 1 >= retry.attempts;
      const wait = { ms: 0 };
      let response: ApiResponse;
      try {
        // An aborted signal rejects here at once (p-queue drops a task whose signal aborted), a retry's too.
        response = await queue.run(async () => {
          const answer = await transport.send(request);
          if (answer.status === 429) {
            wait.ms = parseRetryAfter(header(answer, 'retry-after')) ?? backoffDelay(attempt, retry);
            // Held before this task ends, or the queue would already have started the next request.
            if (wait.ms <= retry.maxRetryAfterMs) queue.holdFor(wait.ms);
          }
          return answer;
        }, attempt === 0 ? (request.priority ?? QUEUE_PRIORITY.normal) : QUEUE_PRIORITY.retry, request.signal);
      } catch (error) {
        // An abort (the signal's reason) is no network error: it is not retried.
        if (!(error instanceof ThoughtSpotNetworkError)) throw error;
        const safe = request.idempotent || !error.sent;
        if (!safe) throw new ThoughtSpotUncertainWriteError(request.endpoint, error);
        if (last) throw error;
        const delayMs = backoffDelay(attempt, retry);
        logger.warn({ endpoint: request.endpoint, code: error.code, attempt: attempt + 1, delayMs }, 'ThoughtSpot request failed, retrying');
        await sleep(delayMs, request.signal);
        continue;
      }
      logger.debug({ endpoint: request.endpoint, method: request.method, status: response.status, attempt: attempt + 1, ms: Date.now() - started }, 'ThoughtSpot request');
      if (response.status === 429) {
        if (last || wait.ms > retry.maxRetryAfterMs) return response;
        // The host is held (above): the retry re-enters the queue and starts when the wait is over.
        logger.warn({ endpoint: request.endpoint, status: 429, attempt: attempt + 1, delayMs: wait.ms }, 'ThoughtSpot rate limit hit, waiting');
        continue;
      }
      if (response.status >= 500 && request.idempotent && !last) {
        const delayMs = backoffDelay(attempt, retry);
        logger.warn({ endpoint: request.endpoint, status: response.status, attempt: attempt + 1, delayMs }, 'ThoughtSpot server error, retrying');
        await sleep(delayMs, request.signal);
        continue;
      }
      return response;
    }
  }

  #checked(request: ApiRequest, response: ApiResponse): ApiResponse {
    if (request.success.includes(response.status)) return response;
    const text = this.#options.redactor?.scrubText(response.body.toString('utf8')) ?? response.body.toString('utf8');
    const details = apiErrorDetails(response.status, text, response.headers);
    if (response.status === 429) details.retryAfterMs = parseRetryAfter(header(response, 'retry-after'));
    const error = new ThoughtSpotApiError(request.endpoint, details);
    if (response.status >= 500 && !request.idempotent) throw new ThoughtSpotUncertainWriteError(request.endpoint, error);
    throw error;
  }
}

/** A login under way: what its callers wait for, how many wait (one without a signal, for good), and how to abandon it once none is left. */
interface Renewal {
  done: Promise<void>;
  waiting: number;
  abandon: AbortController;
}

/**
 * A caller's wait for a login. Without a signal it waits to the end, and the login is never
 * abandoned; with one, it stops when the signal aborts, and the last caller to stop abandons it.
 */
function waitFor(renewal: Renewal, signal: AbortSignal | undefined): Promise<void> {
  // A caller without a signal is counted for good: no abort of another caller's can bring the count to none.
  renewal.waiting += 1;
  if (!signal) return renewal.done;
  const leave = () => {
    renewal.waiting -= 1;
    if (renewal.waiting === 0) renewal.abandon.abort(signal.reason);
  };
  signal.addEventListener('abort', leave, { once: true });
  renewal.done.finally(() => signal.removeEventListener('abort', leave)).catch(() => undefined);
  return untilAborted(renewal.done, signal);
}

function header(response: ApiResponse, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
