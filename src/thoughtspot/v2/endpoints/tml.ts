/**
 * v2 TML export and import, synchronous and asynchronous.
 *
 * Contract notes:
 * - CONFIRMED `POST metadata/tml/export` `{metadata: [{identifier, type?}],
 *   export_associated, export_fqn, edoc_format: JSON | YAML,
 *   export_schema_version: DEFAULT | V1 | V2, export_dependent,
 *   export_connection_as_dependent, all_orgs_override, export_options}` → 200
 *   with an array (SDK exportMetadataTML; models/ExportMetadataTMLRequest.ts,
 *   ExportMetadataTypeInput.ts, ExportOptions.ts). The SDK's example
 *   `edoc_format` is JSON, `export_schema_version` DEFAULT; we always send both.
 * - UNCONFIRMED (SDK: `Array<any>`): each entry is v1's `{info: {name,
 *   filename, status: {status_code, error_message, error_code}, type, id}, edoc}`,
 *   a bare array without v1's `object` wrapper (reference §6), so v1's result
 *   handling applies unchanged.
 * - CONFIRMED `POST metadata/tml/import` `{metadata_tmls: [string],
 *   import_policy: PARTIAL | ALL_OR_NONE | VALIDATE_ONLY | PARTIAL_OBJECT,
 *   create_new, all_orgs_override, skip_diff_check,
 *   enable_large_metadata_validation}` → 200 with an array (SDK
 *   importMetadataTML, models/ImportMetadataTMLRequest.ts). `create_new` is
 *   v1's `force_create` (reference §6).
 * - UNCONFIRMED (SDK: `Array<any>`): each entry is `{request_index, response:
 *   {status, header, diff}}`, one per document (reference §6, observed); we
 *   order by `request_index` when every entry has one.
 * - CONFIRMED `POST metadata/tml/async/import` (10.4.0.cl+) takes the import's
 *   fields and answers an `ImportEPackAsyncTaskStatus` with a `task_id`;
 *   `POST metadata/tml/async/status` `{task_ids, include_import_response,
 *   record_offset, record_size, …}` → `{status_list: [task], last_batch}`,
 *   `task_status` IN_QUEUE | IN_PROGRESS | COMPLETED | FAILED (SDK
 *   importMetadataTMLAsync, fetchAsyncImportTaskStatus; models/
 *   ImportMetadataTMLAsyncRequest.ts, ImportEPackAsyncTaskStatus.ts, GetAsyncImportStatusResponse.ts).
 * - UNCONFIRMED (SDK: `import_response: any`): a finished task's
 *   `import_response` holds the synchronous import's per-document entries,
 *   bare or in an `object` list; both are read.
 */
import { ThoughtSpotResponseError } from '../../errors.js';
import type { ApiCaller } from '../../http.js';
import { parseJson } from '../../endpoints/encode.js';
import type { Guid, TmlExportItem, TmlFormat, TmlImportItem } from '../../types.js';
import type { V2AsyncImportStatus, V2AsyncImportTask, V2ImportPolicy, V2MetadataType, V2SchemaVersion } from '../types.js';

export interface ExportTmlParams {
  /** GUIDs (or names, with `type`). */
  ids: readonly Guid[];
  type?: V2MetadataType;
  /** YAML (our default, as v1's) or JSON text in each `edoc`. */
  edocFormat?: TmlFormat;
  exportAssociated?: boolean;
  exportFqn?: boolean;
  /** `V2` (our default) exports models as `model:` TML, so they round-trip as models. */
  schemaVersion?: V2SchemaVersion;
  exportDependent?: boolean;
  exportConnectionAsDependent?: boolean;
  allOrgsOverride?: boolean;
  /** SDK `ExportOptions`: `include_obj_id`, `include_obj_id_ref`, `include_guid`, … */
  exportOptions?: Readonly<Record<string, boolean>>;
}

/** `POST metadata/tml/export`: one entry per object, HTTP 200 even when objects failed. A read. `signal` ends it (`ApiRequest.signal`). */
export async function exportTml(api: ApiCaller, params: ExportTmlParams, signal?: AbortSignal): Promise<TmlExportItem[]> {
  const response = await api.send({
    endpoint: 'metadata/tml/export',
    signal,
    method: 'POST',
    json: {
      metadata: params.ids.map((identifier) => ({ identifier, type: params.type })),
      edoc_format: params.edocFormat ?? 'YAML',
      export_associated: params.exportAssociated ?? false,
      export_fqn: params.exportFqn ?? false,
      export_schema_version: params.schemaVersion ?? 'V2',
      export_dependent: params.exportDependent,
      export_connection_as_dependent: params.exportConnectionAsDependent,
      all_orgs_override: params.allOrgsOverride,
      export_options: params.exportOptions,
    },
    accept: 'json',
    success: [200],
    idempotent: true,
  });
  return parseJson<TmlExportItem[]>('metadata/tml/export', response, 'array');
}

export interface ImportTmlParams {
  /** TML documents as text (YAML or JSON). */
  documents: readonly string[];
  policy: V2ImportPolicy;
  /** v1's `force_create`: new GUIDs for every object. */
  createNew: boolean;
  allOrgsOverride?: boolean;
  skipDiffCheck?: boolean;
  enableLargeMetadataValidation?: boolean;
}

/** One entry of an import answer. */
export type V2ImportItem = TmlImportItem & { request_index?: number };

function importBody(params: ImportTmlParams): Record<string, unknown> {
  return {
    metadata_tmls: params.documents,
    import_policy: params.policy,
    create_new: params.createNew,
    all_orgs_override: params.allOrgsOverride,
    skip_diff_check: params.skipDiffCheck,
    enable_large_metadata_validation: params.enableLargeMetadataValidation,
  };
}

/**
 * `POST metadata/tml/import`: one entry per document, HTTP 200 even when
 * documents failed. A write, never re-sent after a 5xx or a lost connection —
 * except `VALIDATE_ONLY`, which persists nothing.
 */
export async function importTml(api: ApiCaller, params: ImportTmlParams): Promise<V2ImportItem[]> {
  const response = await api.send({
    endpoint: 'metadata/tml/import',
    method: 'POST',
    json: importBody(params),
    accept: 'json',
    success: [200],
    idempotent: params.policy === 'VALIDATE_ONLY',
  });
  return inRequestOrder(parseJson<V2ImportItem[]>('metadata/tml/import', response, 'array'));
}

/**
 * `POST metadata/tml/async/import`: schedules the import and answers with its
 * task. Sending it twice would schedule two imports, so it is a write like the
 * synchronous one (a `VALIDATE_ONLY` task persists nothing and may be re-sent).
 */
export async function importTmlAsync(api: ApiCaller, params: ImportTmlParams): Promise<V2AsyncImportTask & { task_id: string }> {
  const response = await api.send({
    endpoint: 'metadata/tml/async/import',
    method: 'POST',
    json: importBody(params),
    accept: 'json',
    success: [200],
    idempotent: params.policy === 'VALIDATE_ONLY',
  });
  const task = parseJson<V2AsyncImportTask>('metadata/tml/async/import', response, 'object');
  if (typeof task.task_id !== 'string' || task.task_id === '') throw new ThoughtSpotResponseError('metadata/tml/async/import', response.status, 'no "task_id"');
  return { ...task, task_id: task.task_id };
}

/** `POST metadata/tml/async/status` for some tasks, with their import results. A read. */
export async function asyncImportStatus(api: ApiCaller, taskIds: readonly string[]): Promise<V2AsyncImportTask[]> {
  const response = await api.send({
    endpoint: 'metadata/tml/async/status',
    method: 'POST',
    json: { task_ids: taskIds, include_import_response: true, record_offset: 0, record_size: taskIds.length },
    accept: 'json',
    success: [200],
    idempotent: true,
  });
  return parseJson<V2AsyncImportStatus>('metadata/tml/async/status', response, 'object').status_list ?? [];
}

/** A finished task's per-document entries, bare or in an `object` list. */
export function importResponseItems(task: V2AsyncImportTask): V2ImportItem[] {
  const value = task.import_response;
  const items = Array.isArray(value) ? value : value !== null && typeof value === 'object' && Array.isArray((value as { object?: unknown }).object) ? (value as { object: unknown[] }).object : undefined;
  if (!items) throw new ThoughtSpotResponseError('metadata/tml/async/status', 200, `task ${task.task_id ?? '?'} has no import_response list`);
  return inRequestOrder(items as V2ImportItem[]);
}

/** Entries in the order of the documents sent, when the answer numbers them. */
function inRequestOrder(items: V2ImportItem[]): V2ImportItem[] {
  if (!items.every((item) => typeof item.request_index === 'number')) return items;
  return [...items].sort((a, b) => (a.request_index ?? 0) - (b.request_index ?? 0));
}
