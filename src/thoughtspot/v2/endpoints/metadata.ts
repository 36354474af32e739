/**
 * v2 metadata: listing headers, deleting objects.
 *
 * Contract notes:
 * - CONFIRMED `POST metadata/search` `{metadata: [{type, subtypes,
 *   identifier, name_pattern}], record_offset, record_size, sort_options:
 *   {field_name, order}, include_headers, include_details,
 *   include_visualization_headers, include_hidden_objects,
 *   include_auto_created_objects, tag_identifiers, …}` → an array of
 *   `MetadataSearchResponse` `{metadata_id, metadata_name, metadata_type,
 *   metadata_obj_id, metadata_header, metadata_detail, visualization_headers, …}`
 *   (SDK searchMetadata; models/SearchMetadataRequest.ts, MetadataListItemInput.ts,
 *   MetadataSearchSortOptions.ts, MetadataSearchResponse.ts).
 * - CONFIRMED paging by `record_offset`/`record_size` holds when filtering by
 *   `type`, `subtypes`, tags, authors and a few more; other filters need
 *   `record_size: -1` (SDK searchMetadata usage notes). The SDK's example
 *   values are `record_offset: 0`, `record_size: 10`, `include_headers: true`,
 *   `include_details: false`; the reference §6 gives 10 as the server's default page.
 * - UNCONFIRMED (SDK: `metadata_header: any`): the header has v1's
 *   `listobjectheaders` fields (`id`, `name`, `author`, `authorName`, `created`,
 *   `modified`, `modifiedBy`, `owner`, `type`, …), as recorded from live
 *   answers by ThoughtSpot-authored tooling; `include_headers` is all we need
 *   for `modified`, the author and the owner, so `include_details` (heavy) stays off.
 * - UNCONFIRMED (SDK: `visualization_headers: any[]`): a visualization header
 *   has v1's `listvizheaders` fields (`id`, `name`, `vizType`, …).
 * - UNCONFIRMED: an `identifier` no object has is a search that finds nothing,
 *   200 with `[]` (the SDK lists 400 only for an invalid request, and public
 *   clients of real instances read an empty answer as "no liveboard found"),
 *   where v1's `listvizheaders` answers 400 (documented, reference §2.11). The
 *   client gives one answer for both: `listVizHeaders` refuses an id that is not
 *   a liveboard or answer (a data check of a liveboard gone fails, over either).
 * - CONFIRMED `POST metadata/delete` `{metadata: [{identifier, type}],
 *   delete_disabled_objects?}` → 204; delete types `LIVEBOARD`, `ANSWER`,
 *   `LOGICAL_TABLE`, `LOGICAL_COLUMN`, `LOGICAL_RELATIONSHIP`
 *   (SDK deleteMetadata, models/DeleteMetadataRequest.ts, DeleteMetadataTypeInput.ts).
 * - CONFIRMED `POST metadata/update-obj-id` (10.8.0.cl+) `{metadata: [{metadata_identifier?,
 *   type?, current_obj_id?, new_obj_id}]}` → 204; an object is named by
 *   `current_obj_id` alone, or by `metadata_identifier` (a GUID, or a name
 *   with `type`); `type` is ANSWER | LOGICAL_TABLE | LOGICAL_COLUMN | LIVEBOARD |
 *   ACTION_OBJECT | DATA_SOURCE | USER | USER_GROUP (note: DATA_SOURCE, not
 *   CONNECTION); needs DATAMANAGEMENT or ADMINISTRATION (SDK
 *   updateMetadataObjId; models/UpdateMetadataObjIdRequest.ts, UpdateObjIdInput.ts).
 * - CONFIRMED `metadata/search` items take `obj_identifier` ("CustomObjectId of
 *   the metadata", models/MetadataListItemInput.ts) and answers name each
 *   object's `metadata_obj_id`; an `obj_id` is unique per Org, not per
 *   instance (developer docs, "ThoughtSpot objects" → Object identifiers).
 */
import type { ApiCaller } from '../../http.js';
import { QUEUE_PRIORITY } from '../../limits.js';
import { parseJson } from '../../endpoints/encode.js';
import type { Guid, LogicalTableSubtype } from '../../types.js';
import type { V2MetadataItem, V2MetadataType } from '../types.js';

export interface MetadataFilter {
  type?: V2MetadataType;
  /** An object's GUID or name. */
  identifier?: string;
  /** Case-insensitive, `%` as wildcard. */
  namePattern?: string;
  subtypes?: readonly LogicalTableSubtype[];
}

/** SDK `MetadataSearchSortOptionsFieldNameEnum`. */
export type MetadataSortField = 'NAME' | 'DISPLAY_NAME' | 'AUTHOR' | 'CREATED' | 'MODIFIED' | 'VIEWS' | 'FAVORITES' | 'LAST_ACCESSED';

export interface SearchMetadataParams {
  metadata?: readonly MetadataFilter[];
  recordOffset?: number;
  /** Page size; -1 is "all". */
  recordSize?: number;
  sort?: { field: MetadataSortField; order: 'ASC' | 'DESC' };
  includeHeaders?: boolean;
  includeDetails?: boolean;
  includeVisualizationHeaders?: boolean;
  includeHiddenObjects?: boolean;
  includeAutoCreatedObjects?: boolean;
  tagIdentifiers?: readonly string[];
}

/** `POST metadata/search`. A read, and a listing: it goes before exports in the host's queue. */
export async function searchMetadata(api: ApiCaller, params: SearchMetadataParams, signal?: AbortSignal): Promise<V2MetadataItem[]> {
  const response = await api.send({
    signal,
    endpoint: 'metadata/search',
    method: 'POST',
    json: {
      metadata: params.metadata?.map((filter) => ({ type: filter.type, identifier: filter.identifier, name_pattern: filter.namePattern, subtypes: filter.subtypes })),
      record_offset: params.recordOffset,
      record_size: params.recordSize,
      sort_options: params.sort ? { field_name: params.sort.field, order: params.sort.order } : undefined,
      include_headers: params.includeHeaders,
      include_details: params.includeDetails,
      include_visualization_headers: params.includeVisualizationHeaders,
      include_hidden_objects: params.includeHiddenObjects,
      include_auto_created_objects: params.includeAutoCreatedObjects,
      tag_identifiers: params.tagIdentifiers,
    },
    accept: 'json',
    success: [200],
    idempotent: true,
    priority: QUEUE_PRIORITY.listing,
  });
  return parseJson<V2MetadataItem[]>('metadata/search', response, 'array');
}

/** SDK `DeleteMetadataTypeInputTypeEnum`. */
export type V2DeletableType = 'LIVEBOARD' | 'ANSWER' | 'LOGICAL_TABLE' | 'LOGICAL_COLUMN' | 'LOGICAL_RELATIONSHIP';

export interface DeleteMetadataParams {
  metadata: readonly { identifier: Guid; type?: V2DeletableType }[];
}

/**
 * `POST metadata/delete` → 204. A write: after a 5xx or a broken connection
 * it is not re-sent but fails with `ThoughtSpotUncertainWriteError`, and the
 * caller lists what is still there.
 */
export async function deleteMetadata(api: ApiCaller, params: DeleteMetadataParams): Promise<void> {
  await api.send({
    endpoint: 'metadata/delete',
    method: 'POST',
    json: { metadata: params.metadata.map((item) => ({ identifier: item.identifier, type: item.type })) },
    accept: 'json',
    success: [204, 200],
    idempotent: false,
  });
}

/** SDK `UpdateObjIdInputTypeEnum`, the types whose `obj_id` can be set. */
export type V2ObjIdType = 'ANSWER' | 'LOGICAL_TABLE' | 'LOGICAL_COLUMN' | 'LIVEBOARD' | 'ACTION_OBJECT' | 'DATA_SOURCE' | 'USER' | 'USER_GROUP';

/** One object's new `obj_id`, the object named by its GUID (or name with `type`). */
export interface ObjIdUpdate {
  identifier?: Guid;
  type?: V2ObjIdType;
  newObjId: string;
}

/**
 * `POST metadata/update-obj-id` → 204. A write; setting the same ids again
 * changes nothing, yet it is not re-sent after a lost answer (the rule for
 * every write): the caller lists the objects to see what took effect.
 */
export async function updateObjIds(api: ApiCaller, updates: readonly ObjIdUpdate[]): Promise<void> {
  await api.send({
    endpoint: 'metadata/update-obj-id',
    method: 'POST',
    json: { metadata: updates.map((u) => ({ metadata_identifier: u.identifier, type: u.type, new_obj_id: u.newObjId })) },
    accept: 'json',
    success: [204, 200],
    idempotent: false,
  });
}
