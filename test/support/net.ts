import { createServer as createHttpServer } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { vi } from 'vitest';

/** A port free on 127.0.0.1 at the time of asking (for servers a test starts in another process). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A request a silent ThoughtSpot took: its path, and whether the client has closed it. */
export interface SilentRequest {
  readonly path: string;
  readonly closed: boolean;
}

/**
 * A ThoughtSpot that takes every request and answers none (one down behind its load balancer):
 * it notes each request's path, and whether the client closed it (its socket ended). `closedAll`
 * resolves once every request taken so far is closed (the test's timeout bounds the wait).
 */
export async function silentThoughtSpot() {
  const requests: SilentRequest[] = [];
  const server = createHttpServer((req) => {
    requests.push({
      path: req.url?.split('?')[0] ?? '',
      get closed() {
        return req.socket.destroyed;
      },
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const close = () => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  };
  const closedAll = () => until(() => requests.every((request) => request.closed));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, close, closedAll };
}

export type SilentThoughtSpot = Awaited<ReturnType<typeof silentThoughtSpot>>;

/** Runs `test` against a silent ThoughtSpot, closed afterwards. */
export async function withSilent(test: (ts: SilentThoughtSpot) => Promise<void>): Promise<void> {
  const ts = await silentThoughtSpot();
  try {
    await test(ts);
  } finally {
    await ts.close();
  }
}

/**
 * Resolves once `what` holds, asked every 5 ms; fails after 15 s, inside a test's 20 s, so that no
 * poll outlives the test that started it (the workers share their files' timers: isolate is off).
 */
export async function until(what: () => boolean): Promise<void> {
  await vi.waitUntil(what, { timeout: 15_000, interval: 5 });
}

/** `work`, or a failure saying `what` once `ms` have passed: a wait that must end is seen failing at once, not at the test's timeout. */
export function within<T>(ms: number, work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(what)), ms)));
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
