import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { thoughtspotPort } from '../../src/app/index.js';
import { listAndExport } from '../../src/sync/export/list.js';
import { listingMode, nextWatermark, OVERLAP_MS, RECONCILE_MS, refreshListing } from '../../src/sync/export/listing.js';
import type { ExportRun } from '../../src/sync/export/types.js';
import { emptyLedger, formatLedger, type Ledger } from '../../src/sync/kernel/ledger.js';
import { startRun } from '../../src/sync/kernel/report.js';
import { CONTENT_TYPES } from '../../src/sync/kernel/target.js';
import type { ContentRepo, Header, HeaderType, ThoughtSpotPort } from '../../src/sync/ports.js';
import { DOWN_MS, fakeRepo, fakeThoughtSpot, slowListing, stoppedCalls } from './fake-ports.js';
import { useHttpMock } from '../http-mock.js';
import { until, within } from '../support/net.js';
import { at, BASE, mockLogin, mockToken, testClient, testV2Client, v2at } from '../thoughtspot/fixture.js';

const http = useHttpMock();
const NOW = Date.parse('2026-12-05T10:00:00.000Z');
const listedAt = (msAgo: number): Ledger => ({ ...emptyLedger(), watermark: 5_000_000, lastFullListing: new Date(NOW - msAgo).toISOString() });

describe('the listing an export makes', () => {
  it('is incremental from the watermark less the overlap while the last full listing is recent', () => {
    expect(listingMode(listedAt(60_000), { canSort: true, now: NOW })).toEqual({ kind: 'incremental', since: 5_000_000 - OVERLAP_MS });
  });

  it('is full on the first run, with a ledger from before watermarks, when asked, when due, and when the listing cannot be sorted', () => {
    expect(listingMode(emptyLedger(), { canSort: true, now: NOW })).toEqual({ kind: 'full', reason: 'first run' });
    expect(listingMode({ ...emptyLedger(), lastFullListing: new Date(NOW).toISOString() }, { canSort: true, now: NOW })).toEqual({ kind: 'full', reason: 'first run' });
    expect(listingMode(listedAt(60_000), { canSort: true, now: NOW, full: true })).toEqual({ kind: 'full', reason: 'asked' });
    expect(listingMode(listedAt(RECONCILE_MS), { canSort: true, now: NOW })).toEqual({ kind: 'full', reason: 'reconcile due' });
    expect(listingMode(listedAt(60_000), { canSort: true, now: NOW, reconcileMs: 30_000 })).toEqual({ kind: 'full', reason: 'reconcile due' });
    expect(listingMode(listedAt(0), { canSort: true, now: NOW, reconcileMs: 0 })).toEqual({ kind: 'full', reason: 'reconcile due' });
    expect(listingMode(listedAt(60_000), { canSort: false, now: NOW })).toEqual({ kind: 'full', reason: 'listing cannot be sorted' });
  });
});

describe('the watermark a run leaves', () => {
  const header = (modified: number) => ({ id: `id-${modified}`, name: 'x', modified });

  it('is the newest modification listed, when nothing listed waits (the run finds the newest as it decides: export-phases)', () => {
    expect(nextWatermark(10, 50, [])).toBe(50);
  });

  it('stays back at the oldest object listed but not brought in step, so that the next run lists it again', () => {
    expect(nextWatermark(10, 50, [header(40), header(30)])).toBe(30);
  });

  it('is unchanged when nothing was listed', () => {
    expect(nextWatermark(10, undefined, [])).toBe(10);
    expect(nextWatermark(undefined, undefined, [])).toBeUndefined();
  });
});

describe('listing newest first through the port', () => {
  const header = (id: string, modified: number) => ({ id, name: id, author: 'u', created: 1, modified, modifiedBy: 'u', owner: id });

  it('over v1: asks for MODIFIED descending and stops at the first page that reaches back past `since`', async () => {
    const ts = http.scope(BASE);
    mockLogin(ts);
    ts.get(at('metadata/listobjectheaders')).query({ type: 'LOGICAL_TABLE', sort: 'MODIFIED', sortascending: 'false', offset: '0', batchsize: '2' }).reply(200, [header('a', 90), header('b', 80)]);
    ts.get(at('metadata/listobjectheaders')).query({ type: 'LOGICAL_TABLE', sort: 'MODIFIED', sortascending: 'false', offset: '2', batchsize: '2' }).reply(200, [header('c', 70), header('d', 40)]);
    const pages: string[][] = [];
    const port = thoughtspotPort(testClient(), { listingPage: 2 });
    const listed = await port.listHeadersSince!('LOGICAL_TABLE', 50, (page) => pages.push(page.map((h) => h.id)));
    expect(listed.map((h) => h.id)).toEqual(['a', 'b', 'c', 'd']);
    expect(pages).toEqual([['a', 'b'], ['c', 'd']]);
  });

  it('asks for a first page of 50 headers, then full pages of the listing\'s size', async () => {
    const ts = http.scope(BASE);
    mockLogin(ts);
    const newer = Array.from({ length: 50 }, (_, i) => header(`n${i}`, 1_000 - i));
    ts.get(at('metadata/listobjectheaders')).query({ type: 'LOGICAL_TABLE', sort: 'MODIFIED', sortascending: 'false', offset: '0', batchsize: '50' }).reply(200, newer);
    ts.get(at('metadata/listobjectheaders')).query({ type: 'LOGICAL_TABLE', sort: 'MODIFIED', sortascending: 'false', offset: '50', batchsize: '500' }).reply(200, [header('old', 40)]);
    const listed = await thoughtspotPort(testClient()).listHeadersSince!('LOGICAL_TABLE', 50);
    expect(listed).toHaveLength(51);
  });

  // Issue 16: an export decides page by page; the port kept a second copy of every header for it.
  it('hands a full listing over page by page and keeps none of it when asked to, all of it otherwise', async () => {
    const ts = http.scope(BASE);
    mockLogin(ts);
    for (let round = 0; round < 2; round += 1) {
      ts.get(at('metadata/listobjectheaders')).query({ type: 'LOGICAL_TABLE', offset: '0', batchsize: '2' }).reply(200, [header('a', 90), header('b', 80)]);
      ts.get(at('metadata/listobjectheaders')).query({ type: 'LOGICAL_TABLE', offset: '2', batchsize: '2' }).reply(200, [header('c', 70)]);
    }
    const port = thoughtspotPort(testClient(), { listingPage: 2 });
    const pages: string[][] = [];
    expect(await port.listHeaders('LOGICAL_TABLE', undefined, (page) => pages.push(page.map((h) => h.id)))).toEqual([]);
    expect(pages).toEqual([['a', 'b'], ['c']]);
    expect((await port.listHeaders('LOGICAL_TABLE')).map((h) => h.id)).toEqual(['a', 'b', 'c']);
  });

  it('over v2: asks metadata/search for MODIFIED DESC and stops at a short page', async () => {
    const ts = http.scope(BASE);
    mockToken(ts);
    let body: unknown;
    ts.post(v2at('metadata/search'), (b: unknown) => ((body = b), true)).reply(200, [
      { metadata_id: 'a', metadata_name: 'a', metadata_type: 'LIVEBOARD', metadata_header: header('a', 90) },
    ]);
    const listed = await thoughtspotPort(testV2Client(), { listingPage: 2 }).listHeadersSince!('PINBOARD_ANSWER_BOOK', 50);
    expect(listed.map((h) => [h.id, h.modified])).toEqual([['a', 90]]);
    expect(body).toMatchObject({ record_offset: 0, record_size: 2, sort_options: { field_name: 'MODIFIED', order: 'DESC' } });
  });
});

describe('the TML export through the port', () => {
  it('ends, under way, when its signal stops it (its answer would take a minute)', async () => {
    const ts = http.scope(BASE);
    mockLogin(ts);
    ts.post(at('metadata/tml/export')).delay(60_000).reply(200, JSON.stringify({ object: [] }));
    const stop = new AbortController();
    const exporting = thoughtspotPort(testClient()).exportTml(['ws-1'], stop.signal);
    await until(() => http.requests.length >= 2);
    stop.abort();
    await expect(exporting).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('a listing the caller made earlier in the run (a sync\'s)', () => {
  it('is listed again, newest first from its newest header less the overlap, only for the types the caller wrote to; fresh headers come first', async () => {
    const asked: [HeaderType, number][] = [];
    const fresh: Header = { id: 'w', name: 'Worksheet', modified: 9_000_000 };
    const port = {
      listHeaders: () => Promise.reject(new Error('no full listing')),
      listHeadersSince: (type: HeaderType, since: number) => (asked.push([type, since]), Promise.resolve(type === 'LOGICAL_TABLE' ? [fresh] : [])),
    };
    const listed: Header[] = [{ id: 'w', name: 'Worksheet', modified: 5_000_000 }, { id: 'a', name: 'Answer', modified: 7_000_000 }];
    const pages: string[][] = [];
    await refreshListing(port as never, listed, ['LOGICAL_TABLE'], (page) => pages.push(page.map((h) => `${h.id}@${h.modified}`)));
    expect(asked).toEqual([['LOGICAL_TABLE', 7_000_000 - OVERLAP_MS]]);
    expect(pages).toEqual([['w@9000000'], ['w@5000000', 'a@7000000']]);
  });
});

describe('the listings of an export that fails', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tmlsync-export-listing-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A first run's listing phase (every kind listed in full, and the users beside it). */
  const firstRun = (thoughtspot: ThoughtSpotPort, repo: ContentRepo): ExportRun => ({
    options: { environment: { name: 'dev', branch: 'dev' }, thoughtspot, repo, committer: { name: 'tmlsync', email: 'tmlsync@example.invalid' } },
    run: startRun('export', 'dev', {}),
    batchSize: 50,
    skip: new Set(),
    files: undefined as never,
    commits: undefined,
  });

  it('are stopped when the checkout fails, and the checkout\'s failure is reported once they have ended', async () => {
    const { repo, calls } = fakeRepo(dir);
    const failing = { ...repo, checkout: () => Promise.reject(new Error('git checkout failed: the work tree is locked')) };
    const slow = slowListing(fakeThoughtSpot([]).port, calls, DOWN_MS);
    await expect(listAndExport(firstRun(slow.port, failing))).rejects.toThrow('the work tree is locked');
    // Every content kind's listing and the users'.
    expect(slow.state).toEqual({ inFlight: 0, aborted: CONTENT_TYPES.length + 1 });
  });

  it('stop the listing started before the fetch when the fetched ledger cannot be read, and report that once it has ended', async () => {
    const ledger = { ...emptyLedger(), watermark: Date.now() - 60_000, lastFullListing: new Date().toISOString() };
    const { repo, calls } = fakeRepo(dir, { 'refs/tmlsync/dev/export': { 'ledger.json': formatLedger(ledger) } });
    // The work tree's ledger is the ref's own (the fake names a commit by its ref); the fetched one cannot be read.
    const failing = { ...repo, localTip: (ref: string) => Promise.resolve(ref), revParse: () => Promise.reject(new Error('git rev-parse failed: bad object')) };
    const users = slowListing(fakeThoughtSpot([]).port, calls, DOWN_MS);
    // Each kind's newest-first listing ends 50 ms after it is stopped, well after the users' (10 ms).
    const early = stoppedCalls(50);
    const listHeadersSince: ThoughtSpotPort['listHeadersSince'] = (_type, _since, _onPage, signal) => early.call(signal, []);
    await expect(listAndExport(firstRun({ ...(users.port as ThoughtSpotPort), listHeadersSince }, failing))).rejects.toThrow('git rev-parse failed: bad object');
    expect(early.state).toEqual({ inFlight: 0, stopped: CONTENT_TYPES.length });
    expect(users.state).toEqual({ inFlight: 0, aborted: 1 });
  });

  it('stop the exports under way when the listing fails, and report that once they have ended', async () => {
    const { repo } = fakeRepo(dir);
    const tables: Header[] = Array.from({ length: 50 }, (_, i) => ({ id: `t${i}`, name: `T${i}`, modified: 1 }));
    // A first page of tables, a full batch sent at once; then the listing fails. The export would wait for ever, and ends 20 ms after its signal stops it.
    const listHeaders: ThoughtSpotPort['listHeaders'] = async (type, _subtypes, onPage) => {
      if (type !== 'LOGICAL_TABLE') return [];
      onPage?.(tables);
      await new Promise((resolve) => setTimeout(resolve, 50));
      throw new Error('HTTP 503 listing LOGICAL_TABLE');
    };
    const exports = stoppedCalls(20);
    const exportTml: ThoughtSpotPort['exportTml'] = (_ids, signal) => exports.call(signal, []);
    const thoughtspot: ThoughtSpotPort = { ...(fakeThoughtSpot([]).port as ThoughtSpotPort), listHeaders, exportTml };
    const files = { expect: () => undefined, apply: () => undefined };
    const run = listAndExport({ ...firstRun(thoughtspot, repo), files: files as never });
    await expect(within(2_000, run, 'the export went on after the listing failed')).rejects.toThrow('HTTP 503 listing LOGICAL_TABLE');
    expect(exports.state).toEqual({ inFlight: 0, stopped: 1 });
  });

  it('stop each other: the users\' listing ends when the content\'s fails, whose failure is reported', async () => {
    const { repo, calls } = fakeRepo(dir);
    const slow = slowListing(fakeThoughtSpot([]).port, calls, DOWN_MS);
    const users: ThoughtSpotPort = slow.port;
    const listHeaders: ThoughtSpotPort['listHeaders'] = (type, ...rest) => (type === 'USER' ? users.listHeaders(type, ...rest) : Promise.reject(new Error(`HTTP 503 listing ${type}`)));
    await expect(listAndExport(firstRun({ ...users, listHeaders }, repo))).rejects.toThrow('HTTP 503 listing');
    expect(slow.state).toEqual({ inFlight: 0, aborted: 1 });
  });
});
