import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { cachedListing } from '../../src/emulator/listing-cache.js';
import { TSADMIN_ID } from '../../src/emulator/principals.js';
import { scaleBatches, storeDirectly } from '../../src/emulator/seed/scale.js';
import { EmulatorInstance } from '../../src/emulator/state.js';
import { MemoryStore } from '../../src/emulator/store.js';
import { loginCookie, raw } from './raw-http.js';
import { ok, v2, v2Token } from './v2-http.js';
import { API_VERSIONS, type ApiVersion } from '../support/api.js';

let emulator: RunningEmulator;
let cookie: string;
let token: string;
beforeAll(async () => {
  emulator = await startEmulator({ seed: 'none' });
  storeDirectly(emulator.state, TSADMIN_ID, [...scaleBatches(3)].flat());
  [cookie, token] = await Promise.all([loginCookie(emulator.url), v2Token(emulator.url)]);
});
afterAll(() => emulator.close());

/** One page of the answers by name, over either API. */
async function answerPage(api: ApiVersion, offset: number, size: number): Promise<string[]> {
  if (api === 'v2') {
    const found = await ok<{ metadata_name: string }[]>(v2(emulator.url, 'POST', 'metadata/search', { metadata: [{ type: 'ANSWER' }], sort_options: { field_name: 'NAME' }, record_offset: offset, record_size: size }, token));
    return found.map((f) => f.metadata_name);
  }
  const query = { type: 'QUESTION_ANSWER_BOOK', sort: 'NAME', offset: String(offset), batchsize: String(size) };
  const res = await raw(emulator.url, 'GET', 'metadata/listobjectheaders', { cookie, query });
  return ((await res.json()) as { name: string }[]).map((h) => h.name);
}

const answerNamed = (name: string) => [...emulator.state.objects.values()].find((o) => o.kind === 'answer' && o.name === name)!;

describe.each(API_VERSIONS)('a listing paged over %s, sorted once', (api) => {
  it('sees a write made between two pages', async () => {
    const renamed = answerNamed('Scale Answer 1');
    const removed = answerNamed('Scale Answer 2');
    try {
      expect(await answerPage(api, 0, 1)).toEqual(['Scale Answer 0']);
      // Edited in place, as some tests do, and deleted from the map without a commit: both are seen.
      renamed.name = 'AAA Answer 1';
      emulator.state.objects.delete(removed.id);
      expect(await answerPage(api, 1, 1)).toEqual(['Scale Answer 0']);
      expect(await answerPage(api, 2, 1)).toEqual([]);
    } finally {
      renamed.name = 'Scale Answer 1';
      emulator.state.objects.set(removed.id, removed);
    }
    expect(await answerPage(api, 0, 5)).toEqual(['Scale Answer 0', 'Scale Answer 1', 'Scale Answer 2']);
  });
});

describe('cachedListing', () => {
  it('builds a query once while the Org is unchanged, again after any change to its objects or principals', () => {
    const state = new EmulatorInstance(new MemoryStore()).primary;
    state.seedPrincipals('admin');
    storeDirectly(state, TSADMIN_ID, [...scaleBatches(1)].flat());
    let builds = 0;
    const list = () => cachedListing(state, 'q', () => [(builds += 1)]);
    list();
    list();
    expect(builds).toBe(1);
    const table = [...state.objects.values()].find((o) => o.kind === 'table')!;
    state.objects.set(table.id, { ...table, modified: table.modified + 1 });
    list();
    expect(builds).toBe(2);
    state.users.get('tsadmin')!.displayName = 'Admin renamed';
    list();
    list();
    expect(builds).toBe(3);
  });
});
