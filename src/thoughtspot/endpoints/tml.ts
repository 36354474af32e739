import { ThoughtSpotResponseError } from '../errors.js';
import type { ApiCaller } from '../http.js';
import type { Endpoint, Guid, ImportPolicy, TmlExportResponse, TmlFormat, TmlImportResponse, TmlSchemaVersion } from '../types.js';
import { bool, jsonList, parseJson } from './encode.js';

export interface ExportTmlParams {
  ids: readonly Guid[];
  /** YAML (the server's default) or JSON text in each `edoc`. */
  formatType?: TmlFormat;
  exportAssociated?: boolean;
  exportFqn?: boolean;
  /** `v2` (our default) exports models as `model:` TML, so they round-trip as models (reference §2.15). */
  schemaVersion?: TmlSchemaVersion;
  exportDependent?: boolean;
  exportConnectionAsDependent?: boolean;
  allOrgsOverride?: boolean;
}

/**
 * `POST metadata/tml/export`: form fields, `Accept: text/plain`, a JSON body
 * with one entry per object, in request order; HTTP 200 even when objects
 * failed (reference §2.15). A read. `signal` ends it (`ApiRequest.signal`).
 */
export async function exportTml(api: ApiCaller, params: ExportTmlParams, signal?: AbortSignal): Promise<TmlExportResponse> {
  const response = await api.send({
    endpoint: 'metadata/tml/export',
    signal,
    method: 'POST',
    form: {
      export_ids: jsonList(params.ids),
      formattype: params.formatType ?? 'YAML',
      export_associated: bool(params.exportAssociated ?? false),
      export_fqn: bool(params.exportFqn ?? false),
      export_schema_version: params.schemaVersion ?? 'v2',
      export_dependent: bool(params.exportDependent),
      export_connection_as_dependent: bool(params.exportConnectionAsDependent),
      all_orgs_override: bool(params.allOrgsOverride),
    },
    accept: 'text',
    success: [200],
    idempotent: true,
  });
  return withObjects('metadata/tml/export', parseJson<TmlExportResponse>('metadata/tml/export', response, 'object'));
}

export interface ImportTmlParams {
  /** TML documents as text (YAML or JSON), sent as a JSON array of strings. */
  documents: readonly string[];
  policy: ImportPolicy;
  forceCreate: boolean;
  allOrgsOverride?: boolean;
  skipCdwValidationForTables?: boolean;
  skipDiffCheck?: boolean;
}

/**
 * `POST metadata/tml/import`: form fields, `Accept: text/plain`; one result
 * per document, same order, HTTP 200 even when documents failed (reference
 * §2.16). A write, never re-sent after a 5xx or a lost connection — except
 * `VALIDATE_ONLY`, which persists nothing.
 */
export async function importTml(api: ApiCaller, params: ImportTmlParams): Promise<TmlImportResponse> {
  const response = await api.send({
    endpoint: 'metadata/tml/import',
    method: 'POST',
    form: {
      import_objects: JSON.stringify(params.documents),
      import_policy: params.policy,
      force_create: bool(params.forceCreate),
      all_orgs_override: bool(params.allOrgsOverride),
      skip_cdw_validation_for_tables: bool(params.skipCdwValidationForTables),
      skip_diff_check: bool(params.skipDiffCheck),
    },
    accept: 'text',
    success: [200],
    idempotent: params.policy === 'VALIDATE_ONLY',
  });
  return withObjects('metadata/tml/import', parseJson<TmlImportResponse>('metadata/tml/import', response, 'object'));
}

/** Both answers carry their per-object results in an `object` list (reference §2.15, §2.16). */
function withObjects<T extends { object: unknown[] }>(endpoint: Endpoint, body: T): T {
  if (!Array.isArray(body.object)) throw new ThoughtSpotResponseError(endpoint, 200, 'no "object" list');
  return body;
}
