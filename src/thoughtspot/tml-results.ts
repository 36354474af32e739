import { TmlBatchError, TmlObjectError, ThoughtSpotResponseError, tmlMessageText } from './errors.js';
import type { Guid, MetadataType, TmlExportResponse, TmlImportHeader, TmlImportResponse, TmlStatus } from './types.js';

/** One object of an export: its document, or why there is none. */
export type TmlExportResult =
  | {
      ok: true;
      index: number;
      id: Guid;
      name: string;
      /** The TML kind (`table`, `model`, `liveboard`, … — `pinboard` on some builds, reference §2.15). */
      type: string;
      filename: string | undefined;
      /** The document text, untouched. */
      edoc: string;
      status: 'OK' | 'WARNING';
      warning: string | undefined;
    }
  | { ok: false; index: number; id: Guid | undefined; name: string | undefined; error: TmlObjectError };

/** A document to import: its text, with the name and GUID to report it by when it fails. */
export type TmlImportDocument = string | { edoc: string; name?: string; guid?: Guid };

/** One document of an import, in input order. */
export type TmlImportResult =
  | {
      ok: true;
      index: number;
      status: 'OK' | 'WARNING';
      /** The object's GUID after import (a new one on create, reference §3.5). */
      id: Guid | undefined;
      name: string | undefined;
      metadataType: MetadataType | undefined;
      header: TmlImportHeader | undefined;
      diff: Record<string, number> | undefined;
      warning: string | undefined;
    }
  | { ok: false; index: number; error: TmlObjectError };

function warningOf(status: TmlStatus): string | undefined {
  return status.status_code === 'WARNING' ? tmlMessageText(status.error_message) || undefined : undefined;
}

export function exportResults(response: TmlExportResponse, requested: readonly Guid[]): TmlExportResult[] {
  const results = response.object.map((item, index): TmlExportResult => {
    const { info } = item;
    const status = info.status;
    const fail = (detail: string): TmlExportResult => ({
      ok: false,
      index,
      id: info.id,
      name: info.name,
      error: new TmlObjectError('metadata/tml/export', { index, name: info.name, guid: info.id, statusCode: 'ERROR', errorCode: status.error_code, detail }),
    });
    if (status.status_code === 'ERROR') return fail(tmlMessageText(status.error_message) || 'export failed without a message');
    // On failure the edoc is to be treated as absent (reference §2.15); on success it must be there.
    if (typeof item.edoc !== 'string' || info.id === undefined) return fail('exported without a document or id');
    return {
      ok: true,
      index,
      id: info.id,
      name: info.name ?? info.id,
      type: info.type ?? 'unknown',
      filename: info.filename,
      edoc: item.edoc,
      status: status.status_code,
      warning: warningOf(status),
    };
  });
  // Whether an unknown id comes back as an ERROR or not at all is UNCONFIRMED (reference §7.9): both end as a failure.
  const answered = new Set(results.map((result) => result.id));
  for (const id of new Set(requested)) {
    if (answered.has(id)) continue;
    const index = results.length;
    const detail = 'not in the export response';
    results.push({ ok: false, index, id, name: undefined, error: new TmlObjectError('metadata/tml/export', { index, guid: id, statusCode: 'ERROR', detail }) });
  }
  return results;
}

export function importResults(response: TmlImportResponse, documents: readonly TmlImportDocument[]): TmlImportResult[] {
  if (response.object.length !== documents.length) {
    throw new ThoughtSpotResponseError('metadata/tml/import', 200, `${documents.length} documents sent, ${response.object.length} results received`);
  }
  return response.object.map((item, index): TmlImportResult => {
    const result = item.response ?? item.info;
    const document = documents[index];
    const given = typeof document === 'object' ? document : undefined;
    const header = result?.header;
    const status: TmlStatus = result?.status ?? { status_code: 'ERROR', error_message: 'no status in the response' };
    if (status.status_code === 'ERROR') {
      const detail = tmlMessageText(status.error_message) || 'import failed without a message';
      const name = given?.name ?? header?.name;
      const guid = given?.guid ?? header?.id_guid;
      return { ok: false, index, error: new TmlObjectError('metadata/tml/import', { index, name, guid, statusCode: 'ERROR', errorCode: status.error_code, detail }) };
    }
    return {
      ok: true,
      index,
      status: status.status_code,
      id: header?.id_guid,
      name: header?.name ?? given?.name,
      metadataType: header?.metadata_type,
      header,
      diff: result?.diff,
      warning: warningOf(status),
    };
  });
}

export function documentText(document: TmlImportDocument): string {
  return typeof document === 'string' ? document : document.edoc;
}

/** Throws every failed object at once, for callers that asked for all or nothing. */
export function throwIfFailed(endpoint: 'metadata/tml/export' | 'metadata/tml/import', results: readonly (TmlExportResult | TmlImportResult)[]): void {
  const errors = results.flatMap((result) => (result.ok ? [] : [result.error]));
  if (errors.length > 0) throw new TmlBatchError(endpoint, errors);
}
