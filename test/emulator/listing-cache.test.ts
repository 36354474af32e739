import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { cachedListing, type ListingQuery } from '../../src/emulator/listing-cache.js';
import { TSADMIN_ID } from '../../src/emulator/principals.js';
import { scaleBatches, storeDirectly } from '../../src/emulator/seed/scale.js';
import { EmulatorInstance } from '../../src/emulator/state.js';
import { MemoryStore } from '../../src/emulator/store.js';
import { loginCookie, raw } from './raw-http.js';
import { ok, v2, v2Token } from './v2-http.js';
import { API_VERSIONS, type ApiVersion } from '../support/api.js';

/** An emulator holding `scale` batches of generated objects, and a session on it over each API. */
async function seeded(scale: number): Promise<{ emulator: RunningEmulator; cookie: string; token: string }> {
  const emulator = await startEmulator({ seed: 'none' });
  storeDirectly(emulator.state, TSADMIN_ID, [...scaleBatches(scale)].flat());
  const [cookie, token] = await Promise.all([loginCookie(emulator.url), v2Token(emulator.url)]);
  return { emulator, cookie, token };
}

let emulator: RunningEmulator;
let cookie: string;
let token: string;
beforeAll(async () => {
  ({ emulator, cookie, token } = await seeded(3));
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
  it('builds a query once, then reads only the records that changed; a change to a principal rebuilds it', () => {
    const state = new EmulatorInstance(new MemoryStore()).primary;
    state.seedPrincipals('admin');
    storeDirectly(state, TSADMIN_ID, [...scaleBatches(1)].flat());
    const read: string[] = [];
    const byName: ListingQuery<string> = {
      key: 'by name',
      sign: 1,
      entryOf: (seen) => (read.push(seen.name), { item: seen.name, key: seen.name, tie: seen.id, group: 0, rank: seen.rank, record: seen.record }),
      principalEntries: () => [],
    };
    const names = () => cachedListing(state, byName).map((entry) => entry.item);
    const everyName = [...state.objects.values()].map((o) => o.name);
    expect(names()).toEqual([...everyName].sort());
    expect(read).toHaveLength(state.objects.size);

    read.length = 0;
    names();
    expect(read).toEqual([]);
    const table = [...state.objects.values()].find((o) => o.kind === 'table')!;
    state.objects.set(table.id, { ...table, name: 'A renamed table' });
    expect(names()).toEqual(['A renamed table', ...everyName.filter((name) => name !== table.name)].sort());
    // The table as the listing saw it (to find its entry), and as it is now.
    expect(read).toEqual([table.name, 'A renamed table']);

    read.length = 0;
    state.users.get('tsadmin')!.displayName = 'Admin renamed';
    names();
    expect(read).toHaveLength(state.objects.size);
  });
});

describe('a listing kept up to date after a change answers as one built afresh', () => {
  let source: RunningEmulator;
  let sourceCookie: string;
  let sourceToken: string;
  beforeAll(async () => {
    // One batch: every object has the same creation and modification time, so ties decide much of each order.
    ({ emulator: source, cookie: sourceCookie, token: sourceToken } = await seeded(12));
  });
  afterAll(() => source.close());

  /** Queries of both APIs, fewer than the listings an Org keeps, so that each is kept (and patched) from one test to the next. */
  const V1_QUERIES: Record<string, string>[] = [
    { type: 'QUESTION_ANSWER_BOOK', sort: 'MODIFIED', sortascending: 'false' },
    { type: 'QUESTION_ANSWER_BOOK', sort: 'MODIFIED', sortascending: 'true' },
    { type: 'QUESTION_ANSWER_BOOK', sort: 'NAME' },
    { type: 'QUESTION_ANSWER_BOOK', sort: 'NAME', sortascending: 'false' },
    { type: 'QUESTION_ANSWER_BOOK', sort: 'CREATED', sortascending: 'false' },
    { type: 'QUESTION_ANSWER_BOOK', tagname: '["t1"]' },
    { type: 'QUESTION_ANSWER_BOOK', pattern: '%Answer 1%' },
    { type: 'QUESTION_ANSWER_BOOK', category: 'MY', sort: 'MODIFIED', sortascending: 'false' },
    { type: 'LOGICAL_TABLE', subtypes: '["WORKSHEET"]', sort: 'MODIFIED', sortascending: 'false' },
    { type: 'LOGICAL_TABLE', sort: 'AUTHOR' },
  ];
  const V2_QUERIES: Record<string, unknown>[] = [
    { metadata: [{ type: 'ANSWER' }], sort_options: { field_name: 'MODIFIED', order: 'DESC' } },
    { sort_options: { field_name: 'CREATED', order: 'ASC' } },
    { metadata: [{ type: 'ANSWER' }, { type: 'LOGICAL_TABLE', subtypes: ['WORKSHEET'] }, { type: 'ANSWER' }], sort_options: { field_name: 'NAME', order: 'DESC' } },
    { metadata: [{ type: 'ANSWER' }], tag_identifiers: ['t1'] },
    { metadata: [{ type: 'LOGICAL_TABLE', name_pattern: 'Scale%' }], sort_options: { field_name: 'AUTHOR' } },
  ];
  const PAGE = 4;

  /** Every page of a v1 listing, PAGE headers at a time. */
  async function v1Paged(base: string, cookie: string, query: Record<string, string>): Promise<unknown[]> {
    const all: unknown[] = [];
    for (let offset = 0; ; offset += PAGE) {
      const res = await raw(base, 'GET', 'metadata/listobjectheaders', { cookie, query: { ...query, offset: String(offset), batchsize: String(PAGE) } });
      const page = (await res.json()) as unknown[];
      all.push(...page);
      if (page.length < PAGE) return all;
    }
  }

  async function v2Paged(base: string, token: string, query: Record<string, unknown>): Promise<unknown[]> {
    const all: unknown[] = [];
    for (let offset = 0; ; offset += PAGE) {
      const page = await ok<unknown[]>(v2(base, 'POST', 'metadata/search', { ...query, record_offset: offset, record_size: PAGE }, token));
      all.push(...page);
      if (page.length < PAGE) return all;
    }
  }

  /** What every query answers, page by page. */
  async function answers(base: string, cookie: string, token: string): Promise<unknown[][]> {
    return [...(await Promise.all(V1_QUERIES.map((q) => v1Paged(base, cookie, q)))), ...(await Promise.all(V2_QUERIES.map((q) => v2Paged(base, token, q))))];
  }

  /** What every query answers from a new emulator holding a copy of the source's Org, in the same order: listings built afresh. */
  async function freshAnswers(): Promise<unknown[][]> {
    const twin = await startEmulator({ seed: 'none' });
    try {
      twin.state.users.clear();
      twin.state.groups.clear();
      twin.state.load(structuredClone(source.state.content()));
      const [cookie, token] = await Promise.all([loginCookie(twin.url), v2Token(twin.url)]);
      return await answers(twin.url, cookie, token);
    } finally {
      await twin.close();
    }
  }

  const answersNamed = (name: string) => [...source.state.objects.values()].find((o) => o.name === name)!;

  /** Lists every query (kept from then on), makes the change, and compares. */
  async function expectFreshAfter(change: () => Promise<void> | void): Promise<void> {
    await answers(source.url, sourceCookie, sourceToken);
    await change();
    const kept = await answers(source.url, sourceCookie, sourceToken);
    expect(kept).toEqual(await freshAnswers());
  }

  it('after an import that changes an answer', async () => {
    await expectFreshAfter(async () => {
      const { id } = answersNamed('Scale Answer 3');
      const exported = await (await raw(source.url, 'POST', 'metadata/tml/export', { cookie: sourceCookie, form: { export_ids: JSON.stringify([id]), export_fqn: 'true' } })).json() as { object: { edoc: string }[] };
      const edoc = exported.object[0]!.edoc.replace('answer:\n', 'answer:\n  description: changed\n');
      const imported = await (await raw(source.url, 'POST', 'metadata/tml/import', { cookie: sourceCookie, form: { import_objects: JSON.stringify([edoc]) } })).json() as { object: { response: { status: { status_code: string } } }[] };
      expect(imported.object[0]!.response.status.status_code).toBe('OK');
    });
    expect(answersNamed('Scale Answer 3').description).toBe('changed');
  });

  it('after an import that creates an answer', async () => {
    await expectFreshAfter(async () => {
      const { id } = answersNamed('Scale Answer 4');
      const exported = await (await raw(source.url, 'POST', 'metadata/tml/export', { cookie: sourceCookie, form: { export_ids: JSON.stringify([id]), export_fqn: 'true' } })).json() as { object: { edoc: string }[] };
      const edoc = exported.object[0]!.edoc.replace(/^guid: .*\n/, '').replace('name: Scale Answer 4', 'name: Scale Answer 10 again');
      await raw(source.url, 'POST', 'metadata/tml/import', { cookie: sourceCookie, form: { import_objects: JSON.stringify([edoc]) } });
    });
    expect(answersNamed('Scale Answer 10 again')).toBeDefined();
  });

  it('after a delete', async () => {
    const { id } = answersNamed('Scale Answer 5');
    await expectFreshAfter(async () => {
      const res = await raw(source.url, 'POST', 'metadata/delete', { cookie: sourceCookie, form: { type: 'QUESTION_ANSWER_BOOK', id: JSON.stringify([id]) } });
      expect(res.status).toBe(204);
    });
    expect(source.state.objects.has(id)).toBe(false);
  });

  it('after an ownership transfer', async () => {
    const moved = ['Scale Answer 6', 'Scale Model 2', 'Scale Worksheet 7'].map((name) => answersNamed(name).id);
    await expectFreshAfter(async () => {
      const res = await raw(source.url, 'POST', 'user/transfer/ownership', { cookie: sourceCookie, query: { fromUserName: 'tsadmin', toUserName: 'su', objectsID: JSON.stringify(moved) } });
      expect(res.status).toBe(204);
    });
    expect(moved.map((id) => source.state.objects.get(id)!.author)).not.toContain(TSADMIN_ID);
  });

  it("after edits in place of records' modification times, names and tags", async () => {
    await expectFreshAfter(() => {
      answersNamed('Scale Answer 7').modified -= 60_000;
      answersNamed('Scale Answer 8').name = 'A first answer';
      answersNamed('Scale Answer 9').tags = ['t1'];
      answersNamed('Scale Answer 11').tags.push('t1');
      answersNamed('Scale Worksheet 1').modified += 60_000;
    });
    expect(answersNamed('A first answer')).toBeDefined();
  });

  it('after a record is deleted and set again, which moves it last among its ties', async () => {
    await expectFreshAfter(() => {
      for (const name of ['Scale Answer 0', 'Scale Worksheet 0']) {
        const record = answersNamed(name);
        source.state.objects.delete(record.id);
        source.state.objects.set(record.id, record);
      }
    });
  });
});
