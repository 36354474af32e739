import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_GUIDS } from '../../src/emulator/seed/demo.js';
import { loginCookie, raw } from './raw-http.js';
import { ok, useV2Emulator, v2, v2Error } from './v2-http.js';

type Content = { column_names: string[]; data_rows: unknown[][]; available_data_row_count: number; returned_data_row_count: number; record_offset: number; record_size: number; sampling_ratio: number };

const stage = useV2Emulator({ failingVisualizations: ['Units Sold'] });
let cookie: string;
beforeAll(async () => {
  cookie = await loginCookie(stage.url);
});

describe('v2 searchdata', () => {
  it('answers the same rows as v1 searchdata, in the v2 envelope, 10 rows by default', async () => {
    const v1 = await raw(stage.url, 'POST', 'searchdata', { cookie, query: { query_string: '[Product] [Sales]', data_source_guid: DEMO_GUIDS.model, batchsize: '-1' } });
    const v1Block = (await v1.json()) as { columnNames: string[]; data: unknown[][]; totalRowCount: number };
    const { contents } = await ok<{ contents: Content[] }>(v2(stage.url, 'POST', 'searchdata', { query_string: '[Product] [Sales]', logical_table_identifier: DEMO_GUIDS.model }, stage.token));
    expect(contents[0]!.column_names).toEqual(v1Block.columnNames);
    expect(contents[0]!.data_rows).toEqual(v1Block.data.slice(0, 10));
    expect(contents[0]).toMatchObject({ available_data_row_count: v1Block.totalRowCount, returned_data_row_count: Math.min(10, v1Block.totalRowCount), record_offset: 0, sampling_ratio: 1 });
    const second = await ok<{ contents: Content[] }>(v2(stage.url, 'POST', 'searchdata', { query_string: '[Product] [Sales]', logical_table_identifier: DEMO_GUIDS.model, record_offset: 2, record_size: 3 }, stage.token));
    expect(second.contents[0]!.data_rows).toEqual(v1Block.data.slice(2, 5));
  });

  it('applies runtime_filter, and names an unknown data source', async () => {
    const { contents } = await ok<{ contents: Content[] }>(
      v2(stage.url, 'POST', 'searchdata', { query_string: '[Region] [Sales]', logical_table_identifier: DEMO_GUIDS.model, runtime_filter: { col1: 'Region', op1: 'EQ', val1: 'West' } }, stage.token),
    );
    expect(contents[0]!.data_rows.map((row) => row[0])).toEqual(['West']);
    const res = await v2(stage.url, 'POST', 'searchdata', { query_string: '[Region]', logical_table_identifier: '00000000-0000-4000-8000-000000000000' }, stage.token);
    expect(await v2Error(res)).toMatchObject({ status: 400, message: expect.stringContaining('logical_table_identifier') });
  });
});

describe('v2 metadata/liveboard/data', () => {
  it('answers one content per visualization, chosen by GUID or name, for a liveboard by GUID or name', async () => {
    const all = await ok<{ metadata_id: string; metadata_name: string; contents: (Content & { visualization_name: string })[] }>(
      v2(stage.url, 'POST', 'metadata/liveboard/data', { metadata_identifier: 'Store Performance' }, stage.token),
    );
    expect(all).toMatchObject({ metadata_id: DEMO_GUIDS.liveboards[1], metadata_name: 'Store Performance' });
    expect(all.contents).toHaveLength(3);
    const one = await ok<{ contents: (Content & { visualization_name: string })[] }>(
      v2(stage.url, 'POST', 'metadata/liveboard/data', { metadata_identifier: DEMO_GUIDS.liveboards[1], visualization_identifiers: [all.contents[1]!.visualization_name] }, stage.token),
    );
    expect(one.contents.map((c) => c.visualization_name)).toEqual([all.contents[1]!.visualization_name]);
  });

  it('fails when a visualization query fails in the warehouse', async () => {
    const res = await v2(stage.url, 'POST', 'metadata/liveboard/data', { metadata_identifier: DEMO_GUIDS.liveboards[0] }, stage.token);
    expect(await v2Error(res)).toMatchObject({ status: 400, message: expect.stringContaining('Units Sold') });
  });
});

describe('v2 report/liveboard', () => {
  it('renders a PDF, and refuses formats the emulator does not render', async () => {
    const res = await v2(stage.url, 'POST', 'report/liveboard', { metadata_identifier: DEMO_GUIDS.liveboards[2], file_format: 'PDF', pdf_options: { page_footer_text: 'v2 report' } }, stage.token);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await res.arrayBuffer()).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const png = await v2(stage.url, 'POST', 'report/liveboard', { metadata_identifier: DEMO_GUIDS.liveboards[2], file_format: 'PNG' }, stage.token);
    expect(await v2Error(png)).toMatchObject({ status: 400, message: expect.stringContaining('file_format') });
  });
});
