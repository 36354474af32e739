import { list, text, type TmlMap, type TmlValue } from '../../tml/index.js';
import { json, type HandlerContext, type Reply, type Route } from '../context.js';
import { datasetFor, sourceOf } from '../data/datasets.js';
import { runQuery, type DataBlock, type Paging } from '../data/engine.js';
import { renderLiveboardPdf, type PdfOptions } from '../data/pdf.js';
import { parseQuery, type FilterOperator, type ParsedQuery, type QueryFilter } from '../data/query.js';
import { CODE, V1Error, invalidParameter } from '../errors.js';
import type { Params } from '../params.js';
import type { ContentRecord, EmulatorState } from '../state.js';
import { bodyOf } from './metadata.js';

const FORMATS = ['COMPACT', 'FULL'] as const;

/** Runtime filter operators (reference §2.13) as query operators; BW* become two bounds. */
const RUNTIME_OPERATORS: Record<string, FilterOperator | [FilterOperator, FilterOperator]> = {
  EQ: '=', NE: '!=', LT: '<', LE: '<=', GT: '>', GE: '>=', CONTAINS: 'contains', BEGINS_WITH: 'begins with', ENDS_WITH: 'ends with', IN: '=',
  BW_INC: ['>=', '<='], BW: ['>', '<'], BW_INC_MIN: ['>=', '<'], BW_INC_MAX: ['>', '<='],
};

/** A runtime filter's fields by name (`col1`, `op1`, `val1`…), each with all its values. */
export type FilterFields = (name: string) => string[];

/** v1: from the query string (where `valN` may repeat) or the body. */
function v1FilterFields(params: Params, url: URLSearchParams): FilterFields {
  return (name) => {
    const repeated = url.getAll(name);
    if (repeated.length > 0) return repeated;
    const value = params.string(name);
    return value === undefined ? [] : [value];
  };
}

/**
 * `col1`/`op1`/`val1`… (`valN` repeated for IN), case-insensitive
 * operators: v1 parameters, or the v2 `runtime_filter` object with the same
 * keys (SDK `SearchDataRequest.runtime_filter`).
 */
export function runtimeFilters(fields: FilterFields): QueryFilter[] {
  const filters: QueryFilter[] = [];
  for (let n = 1; fields(`col${n}`).length > 0; n += 1) {
    const column = fields(`col${n}`)[0]!;
    if (column === '') throw invalidParameter(`col${n}`, 'required');
    const operator = (fields(`op${n}`)[0] ?? 'EQ').toUpperCase();
    const mapped = RUNTIME_OPERATORS[operator];
    if (!mapped) throw invalidParameter(`op${n}`, `unknown operator ${operator}`);
    const raw = fields(`val${n}`);
    const values = (raw.length > 0 ? raw : ['']).map((v) => (/^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v));
    if (Array.isArray(mapped)) {
      if (values.length < 2) throw invalidParameter(`val${n}`, `${operator} needs two values`);
      filters.push({ column, operator: mapped[0], values: [values[0]!] }, { column, operator: mapped[1], values: [values[1]!] });
    } else {
      filters.push({ column, operator: mapped, values });
    }
  }
  return filters;
}

function paging(params: Params): Paging {
  return { batchsize: params.int('batchsize', -1), offset: params.int('offset', -1), pagenumber: params.int('pagenumber', -1) };
}

function filtersOf(context: HandlerContext): QueryFilter[] {
  return runtimeFilters(v1FilterFields(context.params, new URL(context.req.url ?? '/', 'http://emulator.invalid').searchParams));
}

/** `searchdata` (reference §2.12): the query over a table, model, worksheet or view. */
function searchData(context: HandlerContext): Reply {
  const { params, state } = context;
  const query = parseQuery(params.required('query_string'));
  const id = params.required('data_source_guid');
  const source = state.objects.get(id);
  if (!source) throw invalidParameter('data_source_guid', `no data source with id ${id}`);
  return json(searchSource(state, source, query, filtersOf(context), paging(params), params.oneOf('formattype', FORMATS, 'COMPACT')));
}

/**
 * The one engine call path of every data endpoint, v1 and v2 alike (a search,
 * a visualization's query): the parsed query with the request's runtime
 * filters, over the source's dataset. The handlers only read their wire's
 * parameters and shape its answer.
 */
export function searchSource(state: EmulatorState, source: ContentRecord, query: ParsedQuery, filters: QueryFilter[], page: Paging, format: 'COMPACT' | 'FULL'): DataBlock {
  query.filters.push(...filters);
  return runQuery(datasetFor(source, state), query, page, format);
}

export interface Viz {
  guid: string;
  name: string;
  answer: TmlMap;
}

function liveboardOf(context: HandlerContext, id: string): ContentRecord {
  const record = context.state.objects.get(id);
  if (!record || record.kind !== 'liveboard') throw invalidParameter('id', `no liveboard with id ${id}`);
  return record;
}

export function vizzesOf(record: ContentRecord): Viz[] {
  const vizzes = (bodyOf(record).visualizations ?? []) as TmlValue[];
  return vizzes.flatMap((value) => {
    const viz = value as TmlMap;
    const answer = viz.answer as TmlMap | undefined;
    if (!answer || typeof viz.viz_guid !== 'string') return [];
    return [{ guid: viz.viz_guid, name: text(answer.name) ?? text(viz.id) ?? viz.viz_guid, answer }];
  });
}

export function runViz(context: HandlerContext, viz: Viz, extra: QueryFilter[], page: Paging, format: 'COMPACT' | 'FULL'): DataBlock {
  // The injected fault: the whole call fails, as it does when one visualization's query does (UNCONFIRMED, §2.13).
  if (context.settings.failingVisualizations?.includes(viz.name)) throw new V1Error(400, CODE.generic, `Query of visualization ${viz.name} failed in the warehouse (injected fault)`);
  const query = parseQuery(typeof viz.answer.search_query === 'string' ? viz.answer.search_query : '');
  return searchSource(context.state, sourceOf(viz.answer, context.state), query, extra, page, format);
}

/**
 * `pinboarddata` (reference §2.13): one data block per visualization, keyed
 * by viz GUID; `vizid=[]` (the Python client's default) means all of them.
 */
function pinboardData(context: HandlerContext): Reply {
  const { params } = context;
  const record = liveboardOf(context, params.required('id'));
  const wanted = params.list('vizid') ?? [];
  const vizzes = vizzesOf(record);
  const unknown = wanted.find((id) => !vizzes.some((v) => v.guid === id));
  if (unknown) throw invalidParameter('vizid', `no visualization ${unknown} on liveboard ${record.name}`);
  const filters = filtersOf(context);
  const format = params.oneOf('formattype', FORMATS, 'COMPACT');
  const out: Record<string, unknown> = {};
  for (const viz of vizzes.filter((v) => wanted.length === 0 || wanted.includes(v.guid))) {
    out[viz.guid] = { ...runViz(context, viz, filters, paging(params), format), name: viz.name };
  }
  return json(out);
}

function filterLines(record: ContentRecord): string[] {
  const filters = (bodyOf(record).filters ?? []) as TmlMap[];
  const words = (value: TmlValue | undefined) => list(value).map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join(', ');
  return filters.map((f) => `${words(f.column)} ${text(f.oper) ?? 'in'} ${words(f.values)}`.trim());
}

/**
 * `export/pinboard/pdf` (reference §2.14): parameters from the query (the
 * Python client) or a multipart body (the docs); the PDF is `liveboardPdf`'s.
 */
async function exportPdf(context: HandlerContext): Promise<Reply> {
  const { params } = context;
  const record = liveboardOf(context, params.required('id'));
  const layoutType = params.oneOf('layout_type', ['PINBOARD', 'VISUALIZATION'] as const, 'PINBOARD');
  const selected = params.list('visualization_ids') ?? [];
  if (selected.length > 0 && layoutType !== 'VISUALIZATION') throw invalidParameter('visualization_ids', 'only with layout_type VISUALIZATION');
  const vizzes = vizzesOf(record).filter((v) => selected.length === 0 || selected.includes(v.guid));
  if (selected.length > vizzes.length) throw invalidParameter('visualization_ids', `not all are visualizations of ${record.name}`);
  const footer = params.string('footer_text');
  const pdf = await liveboardPdf(context, record, vizzes, filtersOf(context), {
    layoutType,
    orientation: params.oneOf('orientation', ['PORTRAIT', 'LANDSCAPE'] as const, 'LANDSCAPE'),
    truncateTables: params.bool('truncate_tables', false),
    includeLogo: params.bool('include_logo', true),
    includePageNumber: params.bool('include_page_number', true),
    includeCoverPage: params.bool('include_cover_page', true),
    includeFilterPage: params.bool('include_filter_page', true),
    ...(footer ? { footerText: footer } : {}),
  });
  return { status: 200, bytes: pdf, contentType: 'application/octet-stream' };
}

/** A real PDF made by pdfkit, every visualization's whole data (for v1 `export/pinboard/pdf` and v2 `report/liveboard`). */
export async function liveboardPdf(
  context: HandlerContext,
  record: ContentRecord,
  vizzes: Viz[],
  filters: QueryFilter[],
  options: Omit<PdfOptions, 'filters'>,
): Promise<Uint8Array> {
  const all = { batchsize: -1, offset: -1, pagenumber: -1 };
  return renderLiveboardPdf(
    record.name,
    vizzes.map((viz) => ({ name: viz.name, block: runViz(context, viz, filters, all, 'COMPACT') })),
    { ...options, filters: filterLines(record) },
  );
}

export const dataRoutes: Route[] = [
  { method: 'POST', path: 'searchdata', auth: 'session', body: 'query', handle: searchData },
  { method: 'POST', path: 'pinboarddata', auth: 'session', body: 'form', handle: pinboardData },
  { method: 'POST', path: 'export/pinboard/pdf', auth: 'session', body: 'form', handle: exportPdf },
];
