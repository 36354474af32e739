/**
 * v2 data: search data, liveboard data, liveboard reports.
 *
 * Contract notes:
 * - CONFIRMED `POST searchdata` `{query_string, logical_table_identifier,
 *   data_format: FULL | COMPACT, record_offset, record_size, runtime_filter,
 *   runtime_sort, runtime_param_override}` → `{contents: [AnswerContent]}`
 *   with `column_names`, `data_rows`, `available_data_row_count`,
 *   `returned_data_row_count`, `record_offset`, `record_size`,
 *   `sampling_ratio` (SDK searchData; models/SearchDataRequest.ts,
 *   SearchDataResponse.ts, AnswerContent.ts). The SDK's example page is
 *   `record_offset: 0`, `record_size: 10`.
 * - CONFIRMED `POST metadata/liveboard/data` `{metadata_identifier,
 *   visualization_identifiers, transient_content, data_format, record_offset,
 *   record_size, runtime_filter, …}` → `{metadata_id, metadata_name,
 *   contents: [LiveboardContent]}`, each content with its `visualization_id`
 *   (SDK fetchLiveboardData; models/FetchLiveboardDataRequest.ts, LiveboardDataResponse.ts, LiveboardContent.ts).
 * - CONFIRMED runtime filters are one JSON object `{"col1": …, "op1": …,
 *   "val1": …}`, numbered from 1 (SDK SearchDataRequest `runtime_filter`).
 *   UNCONFIRMED: several values for one filter (`IN`, `BW`) go as an array.
 * - CONFIRMED `POST report/liveboard` `{metadata_identifier, file_format: PDF |
 *   PNG | CSV | XLSX (default CSV), visualization_identifiers,
 *   transient_content, runtime_filter, pdf_options: {page_orientation,
 *   truncate_table, include_custom_logo, page_footer_text, include_page_number,
 *   include_cover_page, include_filter_page, page_size}}` → the file's bytes,
 *   `Accept: application/octet-stream, application/json` (SDK
 *   exportLiveboardReport; models/ExportLiveboardReportRequest.ts,
 *   ExportLiveboardReportRequestPdfOptions.ts). We always ask for PDF.
 */
import type { ApiCaller } from '../../http.js';
import type { PinboardPdfParams } from '../../endpoints/data.js';
import { parseJson } from '../../endpoints/encode.js';
import type { Guid, RuntimeFilter } from '../../types.js';
import type { V2DataFormat, V2LiveboardDataResponse, V2SearchDataResponse } from '../types.js';

interface Paging {
  recordOffset?: number;
  /** Rows per page; -1 is all the server allows. */
  recordSize?: number;
  dataFormat?: V2DataFormat;
  filters?: readonly RuntimeFilter[];
}

/** Runtime filters as one object of `col<n>`, `op<n>`, `val<n>`, n from 1; undefined when there are none. */
export function runtimeFilter(filters: readonly RuntimeFilter[] | undefined): Record<string, unknown> | undefined {
  if (!filters?.length) return undefined;
  const fields: Record<string, unknown> = {};
  filters.forEach((filter, index) => {
    fields[`col${index + 1}`] = filter.column;
    fields[`op${index + 1}`] = filter.operator;
    fields[`val${index + 1}`] = filter.values.length === 1 ? filter.values[0] : filter.values;
  });
  return fields;
}

function pagingFields(params: Paging): Record<string, unknown> {
  return { data_format: params.dataFormat, record_offset: params.recordOffset, record_size: params.recordSize, runtime_filter: runtimeFilter(params.filters) };
}

export interface SearchDataParams extends Paging {
  queryString: string;
  /** A table, worksheet/model or view. */
  dataSourceGuid: Guid;
}

/** `POST searchdata`. A read. */
export async function searchData(api: ApiCaller, params: SearchDataParams): Promise<V2SearchDataResponse> {
  const response = await api.send({
    endpoint: 'searchdata',
    method: 'POST',
    json: { query_string: params.queryString, logical_table_identifier: params.dataSourceGuid, ...pagingFields(params) },
    accept: 'json',
    success: [200],
    idempotent: true,
  });
  return parseJson<V2SearchDataResponse>('searchdata', response, 'object');
}

export interface LiveboardDataParams extends Paging {
  id: Guid;
  /** Some of its visualizations; all of them when omitted. */
  vizIds?: readonly Guid[];
  transientContent?: string;
}

/** `POST metadata/liveboard/data`. A read. */
export async function liveboardData(api: ApiCaller, params: LiveboardDataParams): Promise<V2LiveboardDataResponse> {
  const response = await api.send({
    endpoint: 'metadata/liveboard/data',
    method: 'POST',
    json: { metadata_identifier: params.id, visualization_identifiers: params.vizIds, transient_content: params.transientContent, ...pagingFields(params) },
    accept: 'json',
    success: [200],
    idempotent: true,
  });
  return parseJson<V2LiveboardDataResponse>('metadata/liveboard/data', response, 'object');
}

/**
 * What a liveboard PDF is asked with: v1's parameters (endpoints/data.ts) less
 * the layout type, which has no v2 counterpart (the visualizations given are the layout).
 */
export type LiveboardPdfParams = Omit<PinboardPdfParams, 'layoutType'>;

/** `POST report/liveboard` as a PDF: the body is the file. A read. */
export async function liveboardPdf(api: ApiCaller, params: LiveboardPdfParams): Promise<Buffer> {
  const response = await api.send({
    endpoint: 'report/liveboard',
    method: 'POST',
    json: {
      metadata_identifier: params.id,
      file_format: 'PDF',
      visualization_identifiers: params.visualizationIds,
      transient_content: params.transientContent,
      runtime_filter: runtimeFilter(params.filters),
      pdf_options: {
        page_orientation: params.orientation,
        truncate_table: params.truncateTables,
        include_custom_logo: params.includeLogo,
        page_footer_text: params.footerText,
        include_page_number: params.includePageNumber,
        include_cover_page: params.includeCoverPage,
        include_filter_page: params.includeFilterPage,
      },
    },
    accept: 'file',
    success: [200],
    idempotent: true,
  });
  return response.body;
}
