import PQueue from 'p-queue';
import type { RateLimit, RetryOptions } from './limits.js';

/**
 * One host's queue: every request to that ThoughtSpot host, from every
 * client that shares it, starts here (DESIGN "The queue"). p-queue's strict
 * mode counts starts in a sliding window, as the server's own limiter does
 * (see `limits.ts`). A 429's Retry-After holds the whole host, not just the
 * call that got it: the server's limit is per client, so every other call
 * would meet the same answer.
 */
export class HostQueue {
  readonly #queue: PQueue;
  #resumeAt = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    readonly origin: string,
    readonly limits: RateLimit,
  ) {
    this.#queue = new PQueue({
      concurrency: limits.concurrency,
      intervalCap: limits.intervalCap,
      interval: limits.intervalMs,
      strict: true,
    });
  }

  /**
   * Runs one request when the host's limits allow it. Retries pass a higher priority, to go before
   * new work. A request still waiting when `signal` aborts leaves the queue and rejects with its
   * reason; one under way is the request's to end (the transport gets the same signal).
   */
  run<T>(request: () => Promise<T>, priority = 0, signal?: AbortSignal): Promise<T> {
    // Only `job` is reachable from the task p-queue keeps (see `startJob`): neither `request` nor the answer.
    const job: Job<T> = { request };
    const answer = new Promise<T>((resolve, reject) => {
      job.settle = { resolve, reject };
    });
    // `startJob` never rejects: p-queue's promise rejects only when the signal aborts.
    this.#queue.add(() => startJob(job), { priority, signal }).catch((reason: unknown) => {
      dropUnstarted(job, reason);
      this.#holdWhileWaited();
    });
    this.#holdWhileWaited();
    return answer;
  }

  /** Starts nothing more on this host for `ms` (a 429's Retry-After); requests already running go on. */
  holdFor(ms: number): void {
    const until = Date.now() + ms;
    if (until <= this.#resumeAt) return;
    this.#resumeAt = until;
    this.#queue.pause();
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#queue.start();
    }, ms);
    this.#holdWhileWaited();
  }

  /**
   * A hold keeps the process alive while a request waits for it (its caller must not be left
   * unanswered), and not once none does: a CLI run whose last waiting call was stopped (its signal
   * aborted) exits when it ends, where it waited out the rest of a Retry-After of up to a minute.
   */
  #holdWhileWaited(): void {
    if (this.#queue.size > 0) this.#timer?.ref();
    else this.#timer?.unref();
  }

  /** Requests waiting to start (those running are `running`). */
  get waiting(): number {
    return this.#queue.size;
  }

  get running(): number {
    return this.#queue.pending;
  }
}

/** A request waiting in a host's queue, and how to settle its caller's promise; both let go once it starts. */
interface Job<T> {
  request?: () => Promise<T>;
  settle?: { resolve: (value: T) => void; reject: (error: unknown) => void };
}

/**
 * Runs a job's request and settles its answer, keeping nothing of either: p-queue (9.3,
 * `PriorityQueue`) keeps every task it has started in its array until half the array is spent,
 * and with it whatever the task reaches. While the 2,000 export calls of a 100,003-object export
 * waited, that held hundreds of answers already handled: a heap snapshot mid-export found 276
 * bodies, 10 MB at the bench's 43 kB each, and a real instance's TML makes each up to a MB (issue 16).
 */
async function startJob<T>(job: Job<T>): Promise<void> {
  const { request, settle } = job;
  delete job.request;
  delete job.settle;
  try {
    settle!.resolve(await request!());
  } catch (error) {
    settle!.reject(error);
  }
}

/** Rejects a job that never started (its signal aborted while it waited); one that started settles by its request. */
function dropUnstarted<T>(job: Job<T>, reason: unknown): void {
  const { settle } = job;
  delete job.request;
  delete job.settle;
  settle?.reject(reason);
}

/**
 * The per-host queues of a process, keyed by origin. Whoever creates clients
 * owns one and passes it to each (renovate shares its per-host throttles the
 * same way); a client given none gets its own. The first request for a host
 * fixes that host's limits.
 */
export class HostQueues {
  readonly #queues = new Map<string, HostQueue>();

  for(url: string | URL, limits: RateLimit): HostQueue {
    const origin = new URL(url).origin;
    let queue = this.#queues.get(origin);
    if (!queue) {
      queue = new HostQueue(origin, limits);
      this.#queues.set(origin, queue);
    }
    return queue;
  }
}

/** Exponential backoff with full jitter: a random delay in [0, min(max, base * 2 ** attempt)). */
export function backoffDelay(attempt: number, retry: Pick<RetryOptions, 'baseDelayMs' | 'maxDelayMs'>, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** attempt));
}

/** `Retry-After` as milliseconds from `now`: delay-seconds or an HTTP-date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP-date always names a day or month; this keeps Date.parse from reading "1.5" as a date.
  const date = /[a-z]/i.test(text) ? Date.parse(text) : Number.NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** `promise`, or the reason of `signal` once it aborts (what `promise` does then is its own affair). */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Waits `ms`, or until `signal` aborts: then rejects with its reason. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
