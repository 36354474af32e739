/**
 * v2 data: `searchdata`, `metadata/liveboard/data` and `report/liveboard`,
 * over the same query engine and PDF renderer as v1 `searchdata`,
 * `pinboarddata` and `export/pinboard/pdf`.
 *
 * Contract notes:
 * - CONFIRMED (SDK `ThoughtSpotRestApi.md` searchData, fetchLiveboardData,
 *   exportLiveboardReport): the paths and answers: SDK `SearchDataResponse`
 *   (`contents[]` of `AnswerContent`: `column_names`, `data_rows`,
 *   `available_data_row_count`, `returned_data_row_count`, `record_offset`,
 *   `record_size`, `sampling_ratio`), `LiveboardDataResponse`
 *   (`metadata_id`, `metadata_name`, `contents[]` with `visualization_id`,
 *   `visualization_name`), a file for the report. Request fields:
 *   `SearchDataRequest` (`query_string`, `logical_table_identifier`,
 *   `data_format` FULL | COMPACT, `record_offset`, `record_size`,
 *   `runtime_filter` as `{col1, op1, val1}`), `FetchLiveboardDataRequest`
 *   (`metadata_identifier`, `visualization_identifiers`, ...),
 *   `ExportLiveboardReportRequest` (`file_format` PDF | PNG | CSV | XLSX,
 *   `pdf_options`: `include_cover_page`, `include_filter_page`,
 *   `include_page_number`, `page_orientation`, `truncate_table`,
 *   `page_footer_text`).
 * - CONFIRMED (reference §6): `data_format` COMPACT and `record_size` 10 by
 *   default; `page_orientation` PORTRAIT by default.
 * - UNCONFIRMED, our choices: identifiers may be names as well as GUIDs
 *   (a liveboard by name, a visualization by its name); only PDF reports are
 *   rendered (PNG, CSV and XLSX are a 400 naming `file_format`); the PDF
 *   comes as `application/pdf`; selected visualizations are laid out one per
 *   page, as v1's VISUALIZATION layout.
 */
import { json, type HandlerContext, type Reply, type Route } from '../../context.js';
import type { DataBlock, Paging } from '../../data/engine.js';
import { parseQuery } from '../../data/query.js';
import { invalidParameter } from '../../errors.js';
import type { JsonBody } from '../../json-body.js';
import type { ContentRecord } from '../../state.js';
import { liveboardPdf, runtimeFilters, runViz, searchSource, vizzesOf, type Viz } from '../data.js';
import { objectOf, v2Route } from './common.js';

const FORMATS = ['COMPACT', 'FULL'] as const;

function paging(body: JsonBody): Paging {
  const offset = body.int('record_offset', 0);
  const size = body.int('record_size', 10);
  if (offset < 0) throw invalidParameter('record_offset', 'must be 0 or more');
  return { batchsize: size, offset, pagenumber: -1 };
}

function filters(body: JsonBody) {
  const fields = new Map(body.object('runtime_filter').entries());
  return runtimeFilters((name) => fields.get(name) ?? []);
}

function content(block: DataBlock): Record<string, unknown> {
  return {
    column_names: block.columnNames,
    data_rows: block.data,
    available_data_row_count: block.totalRowCount,
    returned_data_row_count: block.rowCount,
    record_offset: block.offset,
    record_size: block.pageSize,
    sampling_ratio: block.samplingRatio,
  };
}

function searchData(context: HandlerContext): Reply {
  const { body, state } = context;
  const query = parseQuery(body.required('query_string'));
  const source = objectOf(state, body.required('logical_table_identifier'), 'LOGICAL_TABLE', 'logical_table_identifier');
  return json({ contents: [content(searchSource(state, source, query, filters(body), paging(body), body.oneOf('data_format', FORMATS, 'COMPACT')))] });
}

function liveboard(context: HandlerContext): ContentRecord {
  return objectOf(context.state, context.body.required('metadata_identifier'), 'LIVEBOARD', 'metadata_identifier');
}

/** The visualizations asked for (all without `visualization_identifiers`), by GUID or name. */
function selectedVizzes(body: JsonBody, record: ContentRecord): Viz[] {
  const wanted = body.strings('visualization_identifiers') ?? [];
  const vizzes = vizzesOf(record);
  const unknown = wanted.find((id) => !vizzes.some((v) => v.guid === id || v.name === id));
  if (unknown) throw invalidParameter('visualization_identifiers', `no visualization ${unknown} on liveboard ${record.name}`);
  return vizzes.filter((v) => wanted.length === 0 || wanted.includes(v.guid) || wanted.includes(v.name));
}

function liveboardData(context: HandlerContext): Reply {
  const { body } = context;
  const record = liveboard(context);
  const extra = filters(body);
  const format = body.oneOf('data_format', FORMATS, 'COMPACT');
  const page = paging(body);
  return json({
    metadata_id: record.id,
    metadata_name: record.name,
    contents: selectedVizzes(body, record).map((viz) => ({
      ...content(runViz(context, viz, extra, page, format)),
      visualization_id: viz.guid,
      visualization_name: viz.name,
    })),
  });
}

async function liveboardReport(context: HandlerContext): Promise<Reply> {
  const { body } = context;
  const record = liveboard(context);
  const fileFormat = body.oneOf('file_format', ['PDF', 'PNG', 'CSV', 'XLSX'] as const, 'PDF');
  if (fileFormat !== 'PDF') throw invalidParameter('file_format', `${fileFormat} reports are not rendered by the emulator; ask for PDF`);
  const options = body.object('pdf_options');
  const footer = options.string('page_footer_text');
  const pdf = await liveboardPdf(context, record, selectedVizzes(body, record), filters(body), {
    layoutType: body.has('visualization_identifiers') ? 'VISUALIZATION' : 'PINBOARD',
    orientation: options.oneOf('page_orientation', ['PORTRAIT', 'LANDSCAPE'] as const, 'PORTRAIT'),
    truncateTables: options.bool('truncate_table', false),
    includeLogo: options.bool('include_custom_logo', true),
    includePageNumber: options.bool('include_page_number', true),
    includeCoverPage: options.bool('include_cover_page', true),
    includeFilterPage: options.bool('include_filter_page', true),
    ...(footer ? { footerText: footer } : {}),
  });
  return { status: 200, bytes: pdf, contentType: 'application/pdf' };
}

export const v2DataRoutes: Route[] = [
  v2Route('POST', 'searchdata', searchData),
  v2Route('POST', 'metadata/liveboard/data', liveboardData),
  v2Route('POST', 'report/liveboard', liveboardReport),
];
