import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, servicesOf, thoughtspotPort } from '../../src/app/index.js';
import type { EnvironmentConfig } from '../../src/config/index.js';
import { API_PREFIX, API_V2_PREFIX, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { Redactor, silentLogger } from '../../src/log/index.js';
import type { ThoughtSpotPort } from '../../src/sync/ports.js';
import { API_VERSIONS, clientOf, endpointOf, requestLog, type ApiVersion, type RequestLog } from '../support/api.js';
import { until, withSilent, type SilentThoughtSpot } from '../support/net.js';

/**
 * A listing told to stop (`AbortSignal`, issue 16: a deploy lists its target beside reading its
 * files, and files that stop it must stop the listing too): nothing of it is sent after the
 * signal, what is under way is closed, nothing is retried, and the client goes on as before.
 */

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Retries a few milliseconds apart: a call that retried after its signal would be seen at once. */
const FAST_RETRY = { attempts: 4, baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 5_000 };

/** Lists through `port` with a signal, stops it once `ts` has the listing's first request, and waits until that request is closed. */
async function stopOnFirstRequest(port: ThoughtSpotPort, ts: SilentThoughtSpot): Promise<void> {
  const seen = ts.requests.length;
  const stop = new AbortController();
  const listing = port.listHeaders('LOGICAL_TABLE', undefined, undefined, stop.signal);
  await until(() => ts.requests.length > seen);
  stop.abort();
  await expect(listing).rejects.toMatchObject({ name: 'AbortError' });
  await until(() => ts.requests[seen]!.closed);
}

const loginPath = (api: ApiVersion) => `${api === 'v1' ? API_PREFIX : API_V2_PREFIX}${endpointOf(api, 'login')}`;

let emulator: RunningEmulator;
let log: RequestLog;
beforeAll(async () => {
  log = requestLog();
  // Each answer 50 ms late: long enough to be told to stop while another call holds the queue.
  emulator = await startEmulator({ logger: log.logger, latencyMs: 50 });
});
afterAll(() => emulator.close());

describe.each(API_VERSIONS)('a listing told to stop (%s)', (api) => {
  it('while its login hangs: it rejects with the signal\'s reason; the login is abandoned, its request closed and not sent again', () => withSilent(async (ts) => {
    const results: string[] = [];
    await stopOnFirstRequest(thoughtspotPort(clientOf(api, ts.url, { retry: FAST_RETRY, onCall: (endpoint, result) => void results.push(`${endpoint} ${result}`) })), ts);
    await sleep(50);
    expect(ts.requests).toEqual([{ path: loginPath(api), closed: true }]);
    // Stopped, which the daemon's metrics do not count as ThoughtSpot's errors: the login, and the listing that waited for it.
    expect(results.sort()).toEqual([`${endpointOf(api, 'login')} stopped`, `${api === 'v1' ? 'metadata/listobjectheaders' : 'metadata/search'} stopped`].sort());
  }));

  it('between its pages: no page is asked for after the signal, and the client lists as before afterwards', async () => {
    const port = thoughtspotPort(clientOf(api, emulator.url), { listingPage: 1 });
    await port.listPrincipals();
    const before = log.count(api, 'listing');
    const stop = new AbortController();
    const pages: unknown[] = [];
    const listing = port.listHeaders('LOGICAL_TABLE', undefined, (page) => {
      pages.push(page);
      stop.abort();
    }, stop.signal);
    await expect(listing).rejects.toMatchObject({ name: 'AbortError' });
    expect(pages).toHaveLength(1);
    expect(log.count(api, 'listing') - before).toBe(1);
    // The demo holds several tables: listed whole, one page each.
    expect((await port.listHeaders('LOGICAL_TABLE')).length).toBeGreaterThan(1);
  });

  it('while it waits in the host\'s queue: it is never sent, and the call ahead of it goes on', async () => {
    const port = thoughtspotPort(clientOf(api, emulator.url, { rateLimit: { concurrency: 1 } }));
    await port.listPrincipals();
    const before = log.count(api, 'listing');
    let aheadEnded = false;
    const ahead = port.listHeaders('LOGICAL_TABLE').finally(() => (aheadEnded = true));
    const stop = new AbortController();
    const queued = port.listHeaders('PINBOARD_ANSWER_BOOK', undefined, undefined, stop.signal);
    stop.abort();
    await expect(queued).rejects.toMatchObject({ name: 'AbortError' });
    // It left the queue: it did not wait for the call ahead to end, to be stopped only then.
    expect(aheadEnded).toBe(false);
    expect((await ahead).length).toBeGreaterThan(1);
    expect(log.count(api, 'listing') - before).toBe(1);
  });
});

describe('a listing told to stop while `api: auto` asks which version the instance speaks', () => {
  const environment: EnvironmentConfig = {
    // A deadline past the test's own: only the signal can close the probe's request in time.
    name: 'dev', branch: 'dev', username: 'tsadmin', password: 'admin', direction: 'export', schedule: '*/10 * * * *', timeoutMs: 60_000,
    importPolicy: 'ALL_OR_NONE', dataChecks: { enabled: true }, prune: false, maxDeletions: 10, conflictPolicy: 'manual', watch: false, url: '', api: 'auto',
  };
  const autoPort = (ts: SilentThoughtSpot) => connect({ ...environment, url: ts.url }, servicesOf({ log: silentLogger(), redactor: new Redactor(), env: {} })).port;

  it('sends nothing for a call whose signal has aborted already', () => withSilent(async (ts) => {
    const port = autoPort(ts);
    await expect(port.listHeaders('LOGICAL_TABLE', undefined, undefined, AbortSignal.abort())).rejects.toMatchObject({ name: 'AbortError' });
    await sleep(50);
    expect(ts.requests).toEqual([]);
  }));

  it('stops a call waiting for a probe another call started, and the probe goes on for that one', () => withSilent(async (ts) => {
    const port = autoPort(ts);
    const first = new AbortController();
    let firstEnded = false;
    const started = port.listHeaders('LOGICAL_TABLE', undefined, undefined, first.signal).finally(() => (firstEnded = true));
    await until(() => ts.requests.length === 1);
    const second = new AbortController();
    const waiting = port.listHeaders('PINBOARD_ANSWER_BOOK', undefined, undefined, second.signal);
    second.abort();
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
    expect([firstEnded, ts.requests[0]!.closed]).toEqual([false, false]);
    first.abort();
    await expect(started).rejects.toMatchObject({ name: 'AbortError' });
    await until(() => ts.requests[0]!.closed);
    expect(ts.requests).toHaveLength(1);
  }));

  it('rejects with the signal\'s reason and closes the probe\'s login; the next call asks again', () => withSilent(async (ts) => {
    const port = autoPort(ts);
    await stopOnFirstRequest(port, ts);
    expect(ts.requests.map((r) => r.path)).toEqual([loginPath('v2')]);
    // Not remembered as the choice: the next call probes again.
    await stopOnFirstRequest(port, ts);
    expect(ts.requests.map((r) => r.path)).toEqual([loginPath('v2'), loginPath('v2')]);
  }));
});
