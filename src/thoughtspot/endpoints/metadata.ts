import type { ApiCaller } from '../http.js';
import { QUEUE_PRIORITY } from '../limits.js';
import type { Guid, HeaderCategory, HeaderSort, LogicalTableSubtype, MetadataType, ObjectHeader, VizHeader } from '../types.js';
import { bool, int, jsonList, parseJson } from './encode.js';

export interface ListObjectHeadersParams {
  /** Required here: the default when omitted is UNCONFIRMED (reference §2.10). */
  type: MetadataType;
  subtypes?: readonly (LogicalTableSubtype | 'FORMULA' | 'CALENDAR_TYPE' | 'CALENDAR_TABLE')[];
  category?: HeaderCategory;
  sort?: HeaderSort;
  sortAscending?: boolean;
  /** Objects to skip; -1 (the server's default) is "from the first". */
  offset?: number;
  /** Page size; -1 (the server's default) is "all". */
  batchSize?: number;
  tagNames?: readonly string[];
  /** Case-insensitive name match, `%` as wildcard. */
  pattern?: string;
  skipIds?: readonly Guid[];
  fetchIds?: readonly Guid[];
  autoCreated?: boolean;
}

/** `GET metadata/listobjectheaders`: query parameters; a bare JSON array of headers (reference §2.10). */
export async function listObjectHeaders(api: ApiCaller, params: ListObjectHeadersParams): Promise<ObjectHeader[]> {
  const response = await api.send({
    endpoint: 'metadata/listobjectheaders',
    method: 'GET',
    query: {
      type: params.type,
      subtypes: jsonList(params.subtypes),
      category: params.category,
      sort: params.sort,
      sortascending: bool(params.sortAscending),
      offset: int(params.offset),
      batchsize: int(params.batchSize),
      tagname: jsonList(params.tagNames),
      pattern: params.pattern,
      skipids: jsonList(params.skipIds),
      fetchids: jsonList(params.fetchIds),
      auto_created: bool(params.autoCreated),
    },
    accept: 'json',
    success: [200],
    idempotent: true,
    priority: QUEUE_PRIORITY.listing,
  });
  return parseJson<ObjectHeader[]>('metadata/listobjectheaders', response, 'array');
}

/** `GET metadata/listvizheaders?id=`: the visualizations of a liveboard or answer (reference §2.11). */
export async function listVizHeaders(api: ApiCaller, id: Guid): Promise<VizHeader[]> {
  const response = await api.send({ endpoint: 'metadata/listvizheaders', method: 'GET', query: { id }, accept: 'json', success: [200], idempotent: true });
  return parseJson<VizHeader[]>('metadata/listvizheaders', response, 'array');
}
