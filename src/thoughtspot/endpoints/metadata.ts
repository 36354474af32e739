import type { ApiCaller } from '../http.js';
import { QUEUE_PRIORITY } from '../limits.js';
import type { Guid, HeaderCategory, HeaderSort, LogicalTableSubtype, MetadataType, ObjectHeader, VizHeader } from '../types.js';
import { bool, int, jsonList, parseJson } from './encode.js';
import { shareGuids } from '../headers.js';

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

/** `GET metadata/listobjectheaders`: query parameters; a bare JSON array of headers (reference §2.10). `signal` ends it (`ApiRequest.signal`). */
export async function listObjectHeaders(api: ApiCaller, params: ListObjectHeadersParams, signal?: AbortSignal): Promise<ObjectHeader[]> {
  const response = await api.send({
    signal,
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
  return shareGuids(parseJson<ObjectHeader[]>('metadata/listobjectheaders', response, 'array'));
}

/** `GET metadata/listvizheaders?id=`: the visualizations of a liveboard or answer (reference §2.11). */
export async function listVizHeaders(api: ApiCaller, id: Guid): Promise<VizHeader[]> {
  const response = await api.send({ endpoint: 'metadata/listvizheaders', method: 'GET', query: { id }, accept: 'json', success: [200], idempotent: true });
  return parseJson<VizHeader[]>('metadata/listvizheaders', response, 'array');
}

/**
 * The types `metadata/delete` takes: content objects only (connections belong to each environment).
 * LOGICAL_COLUMN is how cohorts (Sets) are listed (UNCONFIRMED, tml/kinds/cohort.ts); v2's delete
 * takes it (SDK `DeleteMetadataTypeInputTypeEnum`), so a pruned cohort is deleted under that type.
 */
export type DeletableType = 'LOGICAL_TABLE' | 'QUESTION_ANSWER_BOOK' | 'PINBOARD_ANSWER_BOOK' | 'LOGICAL_COLUMN';

export interface DeleteObjectsParams {
  type: DeletableType;
  ids: readonly Guid[];
}

/**
 * `POST metadata/delete`: form fields `type` and `id` (a JSON array of
 * GUIDs), all of one type. UNCONFIRMED: the v1 reference (§2) lists no delete
 * endpoint; this is the call ThoughtSpot's own tools make (cs_tools posts the
 * same two fields to the internal `callosum/v1/metadata/delete`). The
 * documented alternative is v2's `POST /api/rest/2.0/metadata/delete`
 * (`{"metadata": [{"identifier", "type"}]}`). Success: 200 or 204, body
 * ignored. A write: after a 5xx or a broken connection it is not re-sent but
 * fails with `ThoughtSpotUncertainWriteError`, and the caller lists what is
 * still there before sending anything again.
 */
export async function deleteObjects(api: ApiCaller, params: DeleteObjectsParams): Promise<void> {
  await api.send({
    endpoint: 'metadata/delete',
    method: 'POST',
    form: { type: params.type, id: jsonList(params.ids) },
    accept: 'json',
    success: [200, 204],
    idempotent: false,
  });
}
