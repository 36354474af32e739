import type { ApiCaller } from '../http.js';
import type { DataBlock, DataFormat, Guid, PinboardData, RuntimeFilter } from '../types.js';
import { bool, filterFields, int, jsonList, parseJson } from './encode.js';

interface Paging {
  /** Rows per page; -1 (default) is the server's cap (100 000 rows). */
  batchSize?: number;
  /** From 1; when > 0 it overrides `offset`. */
  pageNumber?: number;
  offset?: number;
  formatType?: DataFormat;
  filters?: readonly RuntimeFilter[];
}

function pagingFields(params: Paging): Record<string, string | string[] | undefined> {
  return {
    batchsize: int(params.batchSize),
    pagenumber: int(params.pageNumber),
    offset: int(params.offset),
    formattype: params.formatType,
    ...filterFields(params.filters),
  };
}

export interface SearchDataParams extends Paging {
  /** Search tokens, e.g. `[Region] [Sales] top 5` (reference §2.12 grammar). */
  queryString: string;
  /** A table, worksheet/model or view. */
  dataSourceGuid: Guid;
}

/** `POST searchdata`: every parameter in the query string, no body (reference §2.12). A read. */
export async function searchData(api: ApiCaller, params: SearchDataParams): Promise<DataBlock> {
  const response = await api.send({
    endpoint: 'searchdata',
    method: 'POST',
    query: { query_string: params.queryString, data_source_guid: params.dataSourceGuid, ...pagingFields(params) },
    accept: 'json',
    success: [200],
    idempotent: true,
  });
  return parseJson<DataBlock>('searchdata', response, 'object');
}

export interface PinboardDataParams extends Paging {
  /** The liveboard. */
  id: Guid;
  /** Some of its visualizations; all of them when omitted. */
  vizIds?: readonly Guid[];
}

/** `POST pinboarddata`: query string, no body; one data block per visualization GUID (reference §2.13). A read. */
export async function pinboardData(api: ApiCaller, params: PinboardDataParams): Promise<PinboardData> {
  const response = await api.send({
    endpoint: 'pinboarddata',
    method: 'POST',
    query: { id: params.id, vizid: jsonList(params.vizIds), ...pagingFields(params) },
    accept: 'json',
    success: [200],
    idempotent: true,
  });
  return parseJson<PinboardData>('pinboarddata', response, 'object');
}

export interface PinboardPdfParams {
  id: Guid;
  /** Only with `layoutType: 'VISUALIZATION'`. */
  visualizationIds?: readonly Guid[];
  layoutType?: 'PINBOARD' | 'VISUALIZATION';
  orientation?: 'PORTRAIT' | 'LANDSCAPE';
  truncateTables?: boolean;
  includeLogo?: boolean;
  footerText?: string;
  includePageNumber?: boolean;
  includeCoverPage?: boolean;
  includeFilterPage?: boolean;
  /** Unsaved liveboard state from the embed SDK. */
  transientContent?: string;
  filters?: readonly RuntimeFilter[];
}

/**
 * `POST export/pinboard/pdf`, `Accept: application/octet-stream`; the body is
 * the PDF (reference §2.14). The docs specify multipart form fields and the
 * official Python client sends query parameters; we follow the docs, which
 * also keeps a long `transient_pinboard_content` out of the URL. Runtime
 * filters are query parameters in both. A read.
 */
export async function exportPinboardPdf(api: ApiCaller, params: PinboardPdfParams): Promise<Buffer> {
  const response = await api.send({
    endpoint: 'export/pinboard/pdf',
    method: 'POST',
    query: filterFields(params.filters),
    multipart: {
      id: params.id,
      visualization_ids: jsonList(params.visualizationIds),
      transient_pinboard_content: params.transientContent,
      layout_type: params.layoutType,
      orientation: params.orientation,
      truncate_tables: bool(params.truncateTables),
      include_logo: bool(params.includeLogo),
      footer_text: params.footerText,
      include_page_number: bool(params.includePageNumber),
      include_cover_page: bool(params.includeCoverPage),
      include_filter_page: bool(params.includeFilterPage),
    },
    accept: 'pdf',
    success: [200],
    idempotent: true,
  });
  return response.body;
}
