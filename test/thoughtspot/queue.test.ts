import { describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_RATE_LIMIT, HostQueue, HostQueues, parseRetryAfter, THOUGHTSPOT_PUBLISHED_LIMIT } from '../../src/thoughtspot/index.js';
import { useHttpMock } from '../http-mock.js';
import { at, BASE, mockLogin, testClient } from './fixture.js';

const http = useHttpMock();

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The most request starts found in any window of `windowMs`. */
function busiestWindow(starts: readonly number[], windowMs: number): number {
  const sorted = [...starts].sort((a, b) => a - b);
  return Math.max(...sorted.map((start) => sorted.filter((t) => t >= start && t < start + windowMs).length));
}

/**
 * Request starts are stamped when nock sees them, some ms after the queue
 * released them (more on a loaded machine): a window this much shorter than
 * the interval is what the stamps can be held to.
 */
const CLOCK_SLACK_MS = 100;
const INTERVAL_MS = 300;

function relative(starts: readonly number[]): string {
  const first = Math.min(...starts);
  return `request starts (ms): ${[...starts].sort((a, b) => a - b).map((t) => t - first).join(', ')}`;
}

describe('ThoughtSpot host queue', () => {
  it('starts no more than intervalCap requests in any interval, and no more than concurrency at once', async () => {
    const ts = http.scope(BASE);
    mockLogin(ts);
    let running = 0;
    let mostRunning = 0;
    ts.get(at('metadata/listvizheaders'))
      .query(true)
      .times(7)
      .reply(async () => {
        running += 1;
        mostRunning = Math.max(mostRunning, running);
        await sleep(30);
        running -= 1;
        return [200, []];
      });
    const client = testClient({ rateLimit: { concurrency: 2, intervalCap: 2, intervalMs: INTERVAL_MS } });
    await Promise.all(Array.from({ length: 7 }, (_, i) => client.listVizHeaders(`lb-${i}`)));

    // Login and 7 calls: 8 starts, 2 per interval, so at least 3 intervals from first to last (unlimited: about 120 ms).
    const starts = http.requests.map((request) => request.at);
    expect(starts).toHaveLength(8);
    expect(busiestWindow(starts, INTERVAL_MS - CLOCK_SLACK_MS), relative(starts)).toBeLessThanOrEqual(2);
    expect(Math.max(...starts) - Math.min(...starts), relative(starts)).toBeGreaterThanOrEqual(3 * INTERVAL_MS - CLOCK_SLACK_MS);
    expect(mostRunning).toBeLessThanOrEqual(2);
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

    const ts = http.scope(BASE);
    mockLogin(ts);
    mockLogin(ts, 'session-2');
    ts.get(at('user/list')).times(4).reply(200, []);
    await Promise.all([first.listUsers(), first.listUsers(), second.listUsers(), second.listUsers()]);
    const starts = http.requests.map((request) => request.at);
    expect(busiestWindow(starts, INTERVAL_MS - CLOCK_SLACK_MS), relative(starts)).toBeLessThanOrEqual(2);
    expect(Math.max(...starts) - Math.min(...starts), relative(starts)).toBeGreaterThanOrEqual(2 * INTERVAL_MS - CLOCK_SLACK_MS);
  });

  it('holds a host for the longest Retry-After it was given', async () => {
    const queue = new HostQueue(BASE, { concurrency: 1, intervalCap: 10, intervalMs: 1_000 });
    const started = Date.now();
    queue.holdFor(150);
    queue.holdFor(20);
    const startedAfter = await queue.run(() => Promise.resolve(Date.now() - started));
    expect(startedAfter).toBeGreaterThanOrEqual(140);
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
