import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Reply } from './context.js';
import { CODE, V1Error } from './errors.js';

/** The reliability knobs (`--latency-ms`, `--fail-rate`, `--rate-limit`, `--drop-rate`). */
export interface FaultOptions {
  latencyMs?: number;
  /** Share of requests answered 503, 0..1. */
  failRate?: number;
  /** Requests per second beyond which the answer is 429 with `Retry-After`. */
  rateLimit?: number;
  /** Share of requests whose connection is reset mid-response, 0..1. */
  dropRate?: number;
  /** Injected for deterministic tests. */
  random?: () => number;
}

export class Faults {
  readonly #starts: number[] = [];
  readonly #random: () => number;

  constructor(private readonly options: FaultOptions) {
    this.#random = options.random ?? Math.random;
  }

  /**
   * Applies the knobs to one request: a reply (429, 503) with the error body
   * of the request's API version (`errorBody`), 'dropped', or undefined to go on.
   */
  async before(_req: IncomingMessage, res: ServerResponse, errorBody: (error: V1Error) => unknown): Promise<Reply | 'dropped' | undefined> {
    const { latencyMs = 0, failRate = 0, rateLimit = 0, dropRate = 0 } = this.options;
    if (latencyMs > 0) await sleep(latencyMs);
    if (rateLimit > 0) {
      const now = Date.now();
      while (this.#starts.length > 0 && this.#starts[0]! <= now - 1000) this.#starts.shift();
      if (this.#starts.length >= rateLimit) {
        const waitMs = this.#starts[0]! + 1000 - now;
        return {
          status: 429,
          headers: { 'retry-after': String(Math.max(1, Math.ceil(waitMs / 1000))) },
          json: errorBody(new V1Error(429, CODE.generic, `Rate limit of ${rateLimit} requests per second exceeded`)),
        };
      }
      this.#starts.push(now);
    }
    if (dropRate > 0 && this.#random() < dropRate) {
      // Reset mid-response: a status line and part of a body, then the socket dies.
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1024' });
      res.write('{"object":[');
      res.socket?.destroy();
      return 'dropped';
    }
    if (failRate > 0 && this.#random() < failRate) {
      return { status: 503, json: errorBody(new V1Error(503, CODE.generic, 'Service temporarily unavailable (injected fault)')) };
    }
    return undefined;
  }
}
