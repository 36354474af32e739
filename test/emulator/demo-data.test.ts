import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { DEMO_GUIDS } from '../../src/emulator/seed/demo.js';
import { pdfText } from '../support/pdf-text.js';
import { loginCookie, raw } from './raw-http.js';

let emulator: RunningEmulator;
let cookie: string;
beforeAll(async () => {
  emulator = await startEmulator();
  cookie = await loginCookie(emulator.url);
});
afterAll(async () => {
  await emulator.close();
});

const get = async (path: string, query: Record<string, string>) => {
  const res = await raw(emulator.url, 'GET', path, { cookie, query });
  return { status: res.status, body: (await res.json()) };
};
const post = async (path: string, query: Record<string, string>) => {
  const res = await raw(emulator.url, 'POST', path, { cookie, query });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe('the demo seed', () => {
  it('holds a connection, 4 tables, a worksheet, a model, a view, an SQL view, 6 answers and 3 liveboards', async () => {
    const count = async (type: string, subtypes?: string) => ((await get('metadata/listobjectheaders', { type, ...(subtypes ? { subtypes } : {}) })).body as unknown[]).length;
    expect(await count('DATA_SOURCE')).toBe(1);
    expect(await count('LOGICAL_TABLE', '["ONE_TO_ONE_LOGICAL"]')).toBe(4);
    expect(await count('LOGICAL_TABLE', "['WORKSHEET']")).toBe(2);
    expect(await count('LOGICAL_TABLE', '[AGGR_WORKSHEET, SQL_VIEW]')).toBe(2);
    expect(await count('QUESTION_ANSWER_BOOK')).toBe(6);
    expect(await count('PINBOARD_ANSWER_BOOK')).toBe(3);
    const users = (await get('metadata/listobjectheaders', { type: 'USER' })).body as { name: string; id: string }[];
    expect(users.map((u) => u.name)).toEqual(expect.arrayContaining(['tsadmin', 'dana.engineer', 'alex.analyst']));
  });

  it('lists headers with owner = own GUID, epoch-ms times, pattern, sort and paging', async () => {
    const { body } = await get('metadata/listobjectheaders', { type: 'QUESTION_ANSWER_BOOK', pattern: 'sales%', sort: 'NAME', sortascending: 'false', batchsize: '2', offset: '0' });
    const headers = body as Record<string, unknown>[];
    expect(headers.map((h) => h.name)).toEqual(['Sales by Segment', 'Sales by Region']);
    expect(headers[0]!.owner).toBe(headers[0]!.id);
    expect(headers[0]!.created).toBeGreaterThan(1_600_000_000_000);
    const skipped = await get('metadata/listobjectheaders', { type: 'QUESTION_ANSWER_BOOK', skipids: JSON.stringify(DEMO_GUIDS.answers.slice(1)) });
    expect((skipped.body as { id: string }[]).map((h) => h.id)).toEqual([DEMO_GUIDS.answers[0]]);
    expect((await get('metadata/listobjectheaders', { type: 'NOT_A_TYPE' })).status).toBe(500);
    expect((await get('metadata/listobjectheaders', { type: 'LOGICAL_TABLE', subtypes: '["NOPE"]' })).status).toBe(400);
  });

  it('lists the visualizations of the big liveboard', async () => {
    const { body } = await get('metadata/listvizheaders', { id: DEMO_GUIDS.liveboards[0] });
    const vizzes = body as Record<string, unknown>[];
    expect(vizzes.length).toBeGreaterThanOrEqual(8);
    expect(vizzes[0]).toMatchObject({ vizType: 'HEADLINE', name: 'Total Sales', owner: DEMO_GUIDS.liveboards[0] });
    expect(vizzes.map((v) => v.vizType)).toContain('TABLE');
  });

  it('answers searchdata over the model by joining the seeded tables', async () => {
    const { status, body } = await post('searchdata', { query_string: '[Region] [Sales] sort by [Region]', data_source_guid: DEMO_GUIDS.model });
    expect(status).toBe(200);
    expect(body.columnNames).toEqual(['Region', 'Total Sales']);
    expect((body.data as unknown[][]).map((r) => r[0])).toEqual(['Central', 'East', 'South', 'West']);
    expect((body.data as number[][]).every((r) => (r[1] as number) > 0)).toBe(true);
    const filtered = await post('searchdata', { query_string: "[Category] [Quantity] [Region] = 'west'", data_source_guid: DEMO_GUIDS.model, formattype: 'FULL' });
    expect((filtered.body.data as Record<string, unknown>[])[0]).toHaveProperty('Total Quantity');
  });

  it('answers 400 with the v1 error body for an unknown column or data source', async () => {
    const unknown = await post('searchdata', { query_string: '[Profit]', data_source_guid: DEMO_GUIDS.model });
    expect(unknown.status).toBe(400);
    expect(unknown.body.debug).toContain('Profit');
    expect((await post('searchdata', { query_string: '[Region]', data_source_guid: 'nope' })).status).toBe(400);
  });

  it('answers pinboarddata for every viz with vizid=[], keyed by viz GUID, with runtime filters', async () => {
    const all = await post('pinboarddata', { id: DEMO_GUIDS.liveboards[1], vizid: '[]' });
    expect(Object.keys(all.body)).toHaveLength(3);
    const west = await post('pinboarddata', { id: DEMO_GUIDS.liveboards[1], col1: 'Region', op1: 'EQ', val1: 'West' });
    const block = Object.values(west.body).find((b) => (b as { name: string }).name === 'Sales by Region') as { data: unknown[][] };
    expect(block.data.map((r) => r[0])).toEqual(['West']);
    expect((await post('pinboarddata', { id: 'nope' })).status).toBe(400);
  });

  it('renders a liveboard PDF that a PDF reader reads', async () => {
    const res = await raw(emulator.url, 'POST', 'export/pinboard/pdf', { cookie, headers: { Accept: 'application/octet-stream' }, query: { id: DEMO_GUIDS.liveboards[2], footer_text: 'Demo footer' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    const text = await pdfText(Buffer.from(await res.arrayBuffer()));
    expect(text).toContain('Product Insights');
    expect(text).toMatch(/Sales by Category[\s\S]*Category\s+Total Sales/);
    expect(text).toContain('Demo footer');
  });
});
