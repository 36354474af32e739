import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it, vi } from 'vitest';
import { backoffDelay, DEFAULT_RATE_LIMIT, HostQueue, HostQueues, parseRetryAfter, THOUGHTSPOT_PUBLISHED_LIMIT } from '../../src/thoughtspot/index.js';
import { useHttpMock } from '../http-mock.js';
import { at, BASE, mockLogin, testClient } from './fixture.js';

const http = useHttpMock();

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The most starts found in any window of `windowMs`. */
function busiestWindow(starts: readonly number[], windowMs: number): number {
  const sorted = [...starts].sort((a, b) => a - b);
  return Math.max(...sorted.map((start) => sorted.filter((t) => t >= start && t < start + windowMs).length));
}

const INTERVAL_MS = 300;

/** `count` requests run through `queue`, their answers handled and dropped: weak references to them. */
async function answeredAndDropped(queue: HostQueue, count: number): Promise<WeakRef<object>[]> {
  const answers = await Promise.all(Array.from({ length: count }, () => queue.run(() => Promise.resolve({ body: new Uint8Array(1_000) }))));
  return answers.map((answer) => new WeakRef(answer));
}

/** A full garbage collection, once the current job has let go of what its weak references were made from. */
async function collectGarbage(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  setFlagsFromString('--expose-gc');
  try {
    (runInNewContext('gc') as () => void)();
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
}

/**
 * Runs `count` tasks of `taskMs` each through the queues given, on a fake
 * clock (no real time passes, so a loaded machine cannot skew it), and says
 * when each started and how many ran at once at most.
 */
async function paced(queues: HostQueue[], count: number, taskMs: number): Promise<{ starts: number[]; mostRunning: number }> {
  vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
  try {
    const starts: number[] = [];
    let running = 0;
    let mostRunning = 0;
    const all = Promise.all(
      Array.from({ length: count }, (_, i) =>
        queues[i % queues.length]!.run(async () => {
          starts.push(Date.now());
          running += 1;
          mostRunning = Math.max(mostRunning, running);
          await sleep(taskMs);
          running -= 1;
        }),
      ),
    );
    await vi.runAllTimersAsync();
    await all;
    const first = Math.min(...starts);
    return { starts: starts.map((t) => t - first), mostRunning };
  } finally {
    vi.useRealTimers();
  }
}

describe('ThoughtSpot host queue', () => {
  it('starts no more than intervalCap requests in any interval, and no more than concurrency at once', async () => {
    const queue = new HostQueue(BASE, { concurrency: 2, intervalCap: 2, intervalMs: INTERVAL_MS });
    const { starts, mostRunning } = await paced([queue], 7, 30);
    // 7 starts, 2 per interval: at least 3 intervals from first to last (unlimited: all at 0).
    expect(busiestWindow(starts, INTERVAL_MS), `starts: ${starts.join(', ')}`).toBe(2);
    expect(Math.max(...starts)).toBeGreaterThanOrEqual(3 * INTERVAL_MS);
    expect(mostRunning).toBe(2);
  });

  it('starts a listing page before the exports queued ahead of it', async () => {
    const ts = http.scope(BASE);
    mockLogin(ts);
    const order: string[] = [];
    ts.post(at('metadata/tml/export'))
      .times(3)
      .reply(async () => {
        order.push('export');
        await sleep(20);
        return [200, { object: [] }];
      });
    ts.get(at('metadata/listobjectheaders'))
      .query(true)
      .reply(() => {
        order.push('list');
        return [200, []];
      });
    const client = testClient({ rateLimit: { concurrency: 1 } });
    await client.login();
    const exports = ['a', 'b', 'c'].map((id) => client.exportTml([id]));
    const listing = client.listObjectHeaders({ type: 'PINBOARD_ANSWER_BOOK' });
    await Promise.all([...exports, listing]);
    expect(order).toEqual(['export', 'list', 'export', 'export']);
  });

  it('runs up to the concurrency limit in parallel, never more', async () => {
    const ts = http.scope(BASE);
    mockLogin(ts);
    let running = 0;
    let mostRunning = 0;
    ts.get(at('metadata/listvizheaders'))
      .query(true)
      .times(8)
      .reply(async () => {
        running += 1;
        mostRunning = Math.max(mostRunning, running);
        await sleep(40);
        running -= 1;
        return [200, []];
      });
    const client = testClient({ rateLimit: { concurrency: 3, intervalCap: 100, intervalMs: 1_000 } });
    await Promise.all(Array.from({ length: 8 }, (_, i) => client.listVizHeaders(`lb-${i}`)));
    expect(mostRunning).toBe(3);
  });

  it('shares one queue, and its limits, between clients of the same host', async () => {
    const queues = new HostQueues();
    const rateLimit = { concurrency: 4, intervalCap: 2, intervalMs: INTERVAL_MS };
    const first = testClient({ queues, rateLimit });
    const second = testClient({ queues, rateLimit, username: 'deployer' });
    const elsewhere = testClient({ queues, rateLimit, url: 'https://other.example.com' });
    expect(first.queue).toBe(second.queue);
    expect(elsewhere.queue).not.toBe(first.queue);

    // Both clients' calls go through that one queue...
    const ts = http.scope(BASE);
    mockLogin(ts);
    mockLogin(ts, 'session-2');
    ts.get(at('user/list')).times(4).reply(200, []);
    await Promise.all([first.listUsers(), first.listUsers(), second.listUsers(), second.listUsers()]);
    expect(http.requests).toHaveLength(6);
    // ...so its limits hold for their calls together: 2 per interval, not 2 each.
    const { starts } = await paced([first.queue, second.queue], 6, 10);
    expect(busiestWindow(starts, INTERVAL_MS), `starts: ${starts.join(', ')}`).toBe(2);
    expect(Math.max(...starts)).toBeGreaterThanOrEqual(2 * INTERVAL_MS);
  });

  it('keeps no answer its caller has, while later requests still wait', async () => {
    const queue = new HostQueue(BASE, { concurrency: 1, intervalCap: 1_000, intervalMs: 1_000 });
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    // 100 answered, then 200 that wait: p-queue keeps its spent tasks until half its array is spent.
    const answered = answeredAndDropped(queue, 100);
    const waiting = Array.from({ length: 200 }, () => queue.run(() => gate));
    const handled = await answered;
    await collectGarbage();
    expect(handled.filter((answer) => answer.deref() !== undefined)).toHaveLength(0);
    open();
    await Promise.all(waiting);
  });

  it('holds a host for the longest Retry-After it was given', async () => {
    const queue = new HostQueue(BASE, { concurrency: 1, intervalCap: 10, intervalMs: 1_000 });
    const started = Date.now();
    queue.holdFor(150);
    queue.holdFor(20);
    const startedAfter = await queue.run(() => Promise.resolve(Date.now() - started));
    expect(startedAfter).toBeGreaterThanOrEqual(140);
  });

  it('keeps the process alive for a hold only while a request waits for it', async () => {
    const queue = new HostQueue(BASE, { concurrency: 1, intervalCap: 10, intervalMs: 1_000 });
    const timers = () => process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;
    const before = timers();
    queue.holdFor(60_000);
    expect(timers()).toBe(before);
    const stop = new AbortController();
    const stopped = queue.run(() => Promise.resolve('sent'), 0, stop.signal);
    const kept = new AbortController();
    const waiting = queue.run(() => Promise.resolve('sent'), 0, kept.signal);
    expect(timers()).toBe(before + 1);
    stop.abort(new Error('stopped'));
    await expect(stopped).rejects.toThrow('stopped');
    // One request still waits for the hold.
    expect(timers()).toBe(before + 1);
    kept.abort(new Error('stopped too'));
    await expect(waiting).rejects.toThrow('stopped too');
    expect(timers()).toBe(before);
  });

  it('defaults to half the published rate of ThoughtSpot', () => {
    expect(THOUGHTSPOT_PUBLISHED_LIMIT).toEqual({ requestsPerSecond: 100, burst: 10 });
    expect(DEFAULT_RATE_LIMIT.intervalCap / (DEFAULT_RATE_LIMIT.intervalMs / 1000)).toBeLessThanOrEqual(THOUGHTSPOT_PUBLISHED_LIMIT.requestsPerSecond);
  });
});

describe('backoff and Retry-After', () => {
  const retry = { baseDelayMs: 100, maxDelayMs: 1_000 };

  it('backs off exponentially with full jitter, capped', () => {
    expect(backoffDelay(0, retry, () => 0)).toBe(0);
    expect(backoffDelay(0, retry, () => 0.999)).toBe(99);
    expect(backoffDelay(3, retry, () => 0.5)).toBe(400);
    expect(backoffDelay(10, retry, () => 0.999)).toBe(999);
    for (let attempt = 0; attempt < 6; attempt += 1) {
      const delay = backoffDelay(attempt, retry);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(Math.min(1_000, 100 * 2 ** attempt));
    }
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('Sat, 28 Nov 2026 12:00:00 GMT');
    expect(parseRetryAfter('1', now)).toBe(1_000);
    expect(parseRetryAfter(' 30 ', now)).toBe(30_000);
    expect(parseRetryAfter('Sat, 28 Nov 2026 12:00:03 GMT', now)).toBe(3_000);
    expect(parseRetryAfter('Sat, 28 Nov 2026 11:59:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('1.5', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});
