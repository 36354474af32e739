import { randomUUID } from 'node:crypto';
import {
  carryNumberForms, copyTml, dependencyOrder, fromData, numberFormsOf, restoreNumberForms, format, handlerFor, parse, resolveReferences, TmlParseError, toJson, validate,
  type TargetIndex, type TmlDocument, type TmlMap, type TmlValue,
} from '../../tml/index.js';
import { currentUser, json, type EmulatorSettings, type HandlerContext, type Reply, type Route } from '../context.js';
import { invalidParameter } from '../errors.js';
import { knownIndex } from '../known-index.js';
import type { UserRecord } from '../principals.js';
import type { ContentRecord, EmulatorState } from '../state.js';
import { bodyOf, subtypeOf } from './metadata.js';
import { searchProblems } from './search-check.js';
import { requirePrivilege } from './principals.js';

/**
 * TML codes (reference §3.6). 14500 for a document that cannot be read at
 * all is ours: the real code for malformed YAML is not published.
 */
const CODE = { unreadable: 14500, tableExists: 14501, reference: 14502, search: 14516, invalid: 14528, wrongKind: 14009, skipped: 14000 } as const;

type Status = { status_code: 'OK' | 'WARNING' | 'ERROR'; error_message?: string; error_code?: number };

/** Only DATAMANAGEMENT or ADMINISTRATION may export or import TML (reference §2.15, §2.16). */
export function requireDataManagement(context: HandlerContext): void {
  requirePrivilege(context, 'DATAMANAGEMENT', 'ADMINISTRATION');
}

/** The stored document as a TmlDocument to read (stored documents were validated on import); not a copy: callers do not change it. */
export function documentOf(record: ContentRecord): TmlDocument {
  return fromData(record.document);
}

// ---------------------------------------------------------------- export

function valueAt(root: TmlValue, path: readonly (string | number)[]): TmlValue | undefined {
  let node: TmlValue | undefined = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = Array.isArray(node) ? node[key as number] : node[key as string];
  }
  return node;
}

/**
 * The documents with every `fqn` removed, or filled in from the stored
 * objects (`export_fqn`). All references of one export call are resolved
 * in one pass: per object, it would cost a scan of the instance each.
 */
function withFqns(records: ContentRecord[], known: TargetIndex, exportFqn: boolean): Map<ContentRecord, TmlMap> {
  const documents = new Map(records.map((r) => [r, copyTml(storedDocument(r))]));
  const docs = records.map(documentOf);
  const byDoc = new Map(docs.map((d, i) => [d, records[i]!]));
  for (const { from, reference, resolution } of resolveReferences(docs, { known })) {
    const holder = valueAt(documents.get(byDoc.get(from)!)!, reference.path.slice(0, -1));
    if (!holder || typeof holder !== 'object' || Array.isArray(holder)) continue;
    if (!exportFqn) delete holder.fqn;
    else if (resolution.status === 'resolved' && resolution.target.guid) holder.fqn = resolution.target.guid;
  }
  return documents;
}

/**
 * `export_schema_version=v1` writes a model in the interim worksheet form
 * with `schema:` (the corpus's DUMMY_MODEL.worksheet.tml); v2 keeps `model:`.
 */
function asWorksheet(document: TmlMap): TmlMap {
  const model = document.model as TmlMap;
  const { model_tables: tables, columns, ...rest } = model;
  const worksheet: TmlMap = {};
  for (const [key, value] of Object.entries(rest)) {
    worksheet[key] = value;
    if (key === 'description' || (key === 'name' && !('description' in rest))) worksheet.schema = { tables: tables ?? [] };
  }
  worksheet.worksheet_columns = columns ?? [];
  carryNumberForms(model, worksheet);
  return { ...(document.guid ? { guid: document.guid } : {}), worksheet };
}

/** The associated objects of an export: what the object depends on, transitively, requested first. */
function associated(record: ContentRecord, state: EmulatorState, known: TargetIndex, withConnections: boolean): ContentRecord[] {
  const seen = new Set<string>([record.id]);
  const out: ContentRecord[] = [];
  const visit = (current: ContentRecord) => {
    const resolved = resolveReferences([documentOf(current)], { known });
    for (const { resolution } of resolved) {
      if (resolution.status !== 'resolved' || !resolution.target.guid || seen.has(resolution.target.guid)) continue;
      const target = state.objects.get(resolution.target.guid);
      if (!target || (target.kind === 'connection' && !withConnections)) continue;
      seen.add(target.id);
      out.push(target);
      visit(target);
    }
  };
  visit(record);
  return out;
}

function exportTml(context: HandlerContext): Reply {
  requireDataManagement(context);
  const { params, state } = context;
  const ids = params.list('export_ids') ?? [];
  if (ids.length === 0) throw invalidParameter('export_ids', 'required');
  return json({
    object: runExport(state, ids, {
      format: params.oneOf('formattype', ['YAML', 'JSON'] as const, 'YAML'),
      associated: params.bool('export_associated', false),
      fqn: params.bool('export_fqn', false),
      // v1's default is the interim worksheet form (reference §2.15).
      worksheetForm: params.oneOf('export_schema_version', ['v1', 'v2', 'DEFAULT'] as const, 'v1') === 'v1',
      connections: params.bool('export_connection_as_dependent', false),
    }),
  });
}

export interface ExportOptions {
  format: 'YAML' | 'JSON';
  /** `export_associated`: what each object depends on, transitively, after it. */
  associated: boolean;
  /** `export_fqn`: references carry the GUIDs of their targets. */
  fqn: boolean;
  /** A model as the interim worksheet form (`export_schema_version` v1). */
  worksheetForm: boolean;
  /** `export_connection_as_dependent`. */
  connections: boolean;
  /** v2 `export_options.include_obj_id`: each object's `obj_id`, where it has one (v1 has no such option). */
  objIds?: boolean;
}

/** The document with `obj_id` after its `guid`, where ThoughtSpot writes it (docs.thoughtspot.com "Object ID in TML files": `guid:` then `obj_id:`). */
function withObjId(document: TmlMap, objId: string): TmlMap {
  const { guid, ...rest } = document;
  const out: TmlMap = { ...(guid !== undefined ? { guid } : {}), obj_id: objId, ...rest };
  carryNumberForms(document, out);
  return out;
}

/** The export itself, shared by v1 (`{object: [...]}`) and v2 (the bare list): one entry per object, an ERROR entry per unknown id. */
export function runExport(state: EmulatorState, ids: string[], options: ExportOptions): unknown[] {
  const known = knownIndex(state);
  const groups = ids.map((id) => {
    const record = state.objects.get(id);
    return { id, items: record ? [record, ...(options.associated ? associated(record, state, known, options.connections) : [])] : [] };
  });
  const documents = withFqns([...new Set(groups.flatMap((g) => g.items))], known, options.fqn);
  const objects: unknown[] = [];
  for (const { id, items } of groups) {
    if (items.length === 0) {
      objects.push({ info: { id, status: { status_code: 'ERROR', error_message: `Object with id ${id} not found.` } } });
      continue;
    }
    for (const item of items) {
      let document = documents.get(item)!;
      if (item.kind === 'model' && options.worksheetForm) document = asWorksheet(document);
      if (options.objIds && item.objId) document = withObjId(document, item.objId);
      const type = Object.keys(document).find((k) => k !== 'guid' && k !== 'obj_id') ?? item.kind;
      objects.push({
        info: { name: item.name, filename: `${item.name}.${type}.tml`, status: { status_code: 'OK' }, type, id: item.id },
        edoc: options.format === 'JSON' ? toJson(document) : format(document),
      });
    }
  }
  return objects;
}

// ---------------------------------------------------------------- import

interface Planned {
  index: number;
  doc?: TmlDocument;
  status?: Status;
  /** The object's id after import. */
  id?: string;
  action?: 'create' | 'update' | 'unchanged';
}

function physicalKey(body: TmlMap): string | undefined {
  const connection = (body.connection as TmlMap | undefined)?.name;
  if (typeof body.db_table !== 'string') return undefined;
  return [connection, body.db, body.schema, body.db_table].map((v) => (typeof v === 'string' ? v : '').toLowerCase()).join('|');
}

function errorStatus(code: number, message: string): Status {
  return { status_code: 'ERROR', error_code: code, error_message: message };
}

/** Replaces fqn values by the final ids of the batch's objects (regenerated GUIDs, forced creates). */
function remapFqns(value: TmlValue, ids: Map<string, string>): TmlValue {
  if (Array.isArray(value)) {
    const items = value.map((v) => remapFqns(v, ids));
    carryNumberForms(value, items);
    return items;
  }
  if (value === null || typeof value !== 'object') return value;
  const out: TmlMap = {};
  for (const [key, inner] of Object.entries(value)) {
    out[key] = key === 'fqn' && typeof inner === 'string' && ids.has(inner) ? ids.get(inner)! : remapFqns(inner, ids);
  }
  carryNumberForms(value, out);
  return out;
}

/**
 * `metadata/tml/import` (reference §2.16, §3.5, §3.6): one status per input
 * document, in input order. Validation is the TML core's (required fields,
 * enums, references by fqn or name within the batch and the instance, local
 * ids), then the GUID rules decide create or update.
 */
function importTml(context: HandlerContext): Reply {
  requireDataManagement(context);
  const { params } = context;
  const texts = params.list('import_objects');
  if (!texts || texts.length === 0) throw invalidParameter('import_objects', 'required');
  return json({
    object: runImport(context.state, context.settings, currentUser(context), texts, {
      policy: params.oneOf('import_policy', IMPORT_POLICIES, 'PARTIAL'),
      forceCreate: params.bool('force_create', false),
      skipDiffCheck: params.bool('skip_diff_check', false),
    }),
  });
}

/** v1's policies; v2 adds PARTIAL_OBJECT, imported here as PARTIAL. */
export const IMPORT_POLICIES = ['PARTIAL', 'ALL_OR_NONE', 'VALIDATE_ONLY'] as const;

export interface ImportOptions {
  policy: (typeof IMPORT_POLICIES)[number];
  forceCreate: boolean;
  skipDiffCheck: boolean;
}

/** The import itself, shared by the endpoint and the seeds (which load through it): read, check, decide, persist, answer. */
export function runImport(state: EmulatorState, settings: EmulatorSettings, user: UserRecord, texts: string[], options: ImportOptions): unknown[] {
  const planned = readDocuments(state, texts, options.policy === 'VALIDATE_ONLY');
  const docs = planned.flatMap((p) => (p.doc ? [p.doc] : []));
  // One index of the Org's objects for the whole call, cached while they stay as they are (see knownIndex): an
  // index per check (validation, then twice for the dependents of failures) was 5.8 s of the emulator's CPU in
  // the first promotion of 10,003 objects, a third of it.
  const known = knownIndex(state);
  checkDocuments(state, planned, docs, known);
  decideTargets(state, settings, planned, options.forceCreate);
  failDependents(planned, docs, known);
  const anyFailed = planned.some((p) => p.status?.status_code === 'ERROR');
  persist(state, user, planned, options, options.policy === 'PARTIAL' || (options.policy === 'ALL_OR_NONE' && !anyFailed));
  return planned.map((p) => answerOf(state, user, p, options.policy === 'ALL_OR_NONE' && anyFailed));
}

/**
 * Documents read by VALIDATE_ONLY imports, by text, each kept for the next call that sends the
 * same text: a deploy validates every batch, then imports the same texts, and reading each text
 * twice was about a sixth of the emulator's CPU in the first promotion of 10,003 objects (9.5 s,
 * 7.8 s read once; the TML core's parse takes about 0.4 ms a document). Nothing changes a
 * document once read (the stored form is a copy, see `storedForm`). The oldest go past `VALIDATED_KEPT`.
 */
const validated = new WeakMap<EmulatorState, Map<string, TmlDocument>>();
const VALIDATED_KEPT = 20_000;

/** The call's documents: those a validation read already, taken (kept again when this call validates too); the others read. */
function readDocuments(state: EmulatorState, texts: string[], validateOnly: boolean): Planned[] {
  let kept = validated.get(state);
  if (!kept) validated.set(state, (kept = new Map<string, TmlDocument>()));
  // Taken as found: a text sent twice in one call is read the second time, as a document of its own.
  const planned = texts.map((text, index) => {
    const doc = kept.get(text);
    kept.delete(text);
    return doc ? { index, doc } : readDocument(text, index);
  });
  if (validateOnly) planned.forEach(({ doc }, i) => doc && kept.set(texts[i]!, doc));
  for (const text of kept.keys()) {
    if (kept.size <= VALIDATED_KEPT) break;
    kept.delete(text);
  }
  return planned;
}

function readDocument(text: string, index: number): Planned {
  try {
    return { index, doc: parse(text) };
  } catch (error) {
    const where = error instanceof TmlParseError && error.line !== undefined ? ` at line ${error.line}` : '';
    const reason = error instanceof TmlParseError ? error.reason : String(error);
    return { index, status: errorStatus(CODE.unreadable, `Unable to parse the TML document${where}: ${reason}`) };
  }
}

/** The TML core's validation (required fields, enums, references), then the search checks: a document failing either gets its error. */
function checkDocuments(state: EmulatorState, planned: Planned[], docs: TmlDocument[], known: TargetIndex): void {
  const issues = validate(docs, { known });
  const references = resolveReferences(docs, { known });
  for (const p of planned) {
    if (!p.doc) continue;
    const errors = issues.filter((i) => i.severity === 'error' && i.object.name === p.doc!.name && i.object.kind === p.doc!.kind && i.object.guid === p.doc!.guid);
    if (errors.length > 0) {
      p.status = errorStatus(errors[0]!.tsCode ?? CODE.invalid, errors.map((e) => `${e.message} (field <b> ${e.path} </b>)`).join(' <br/>'));
      continue;
    }
    const search = searchProblems(p.doc, references, state);
    if (search.length > 0) p.status = errorStatus(CODE.search, search.join(' <br/>'));
  }
}

/** What the batch has taken so far: GUIDs, obj_ids, and tables by their physical table; and the Org's objects by obj_id. */
interface Claims {
  guids: Set<string>;
  objIds: Set<string>;
  tables: Map<string, string>;
  /** Looked up per document: a scan of the Org's objects for each would make an import quadratic. */
  withObjId: Map<string, ContentRecord>;
}

/**
 * Which object each document becomes (§3.5): the Org's object with its
 * `obj_id` first (UNCONFIRMED, our reading of "use the obj_id as the
 * primary method of import", docs.thoughtspot.com "Object ID in TML files":
 * the obj_id wins over a guid naming another object); else the GUID rules:
 * no guid → create; known guid → update; unknown → create with it (or a
 * fresh one under --guid-policy regenerate); force_create → always a new object.
 */
function decideTargets(state: EmulatorState, settings: EmulatorSettings, planned: Planned[], forceCreate: boolean): void {
  const claims: Claims = { guids: new Set(), objIds: new Set(), tables: new Map(), withObjId: state.objectsByObjId() };
  for (const o of state.objects.values()) {
    if (o.kind === 'table') claims.tables.set(physicalKey(bodyOf(o)) ?? o.id, o.id);
  }
  for (const p of planned) {
    if (!p.doc || p.status) continue;
    const decided = targetOf(state, settings, p.doc, forceCreate, claims);
    if ('status' in decided) {
      p.status = decided.status;
      continue;
    }
    p.id = decided.id;
    claims.guids.add(p.id);
    if (p.doc.objId) claims.objIds.add(p.doc.objId);
    p.action = state.objects.has(p.id) ? 'update' : 'create';
  }
}

function targetOf(state: EmulatorState, settings: EmulatorSettings, doc: TmlDocument, forceCreate: boolean, claims: Claims): { id: string } | { status: Status } {
  if (doc.objId && claims.objIds.has(doc.objId)) return { status: errorStatus(CODE.invalid, `obj_id ${doc.objId} is given to more than one object of this import.`) };
  const byObjId = doc.objId ? claims.withObjId.get(doc.objId) : undefined;
  if (byObjId && forceCreate) return { status: errorStatus(CODE.invalid, `obj_id ${doc.objId ?? ''} is already the object id of ${byObjId.name} in this Org.`) };
  const existing = byObjId ?? (doc.guid ? state.objects.get(doc.guid) : undefined);
  if (existing && existing.kind !== doc.kind && !forceCreate) return { status: errorStatus(CODE.wrongKind, `Object ${existing.id} is a ${existing.kind}, not a ${doc.kind}.`) };
  let id: string;
  if (forceCreate) id = doc.guid && !state.guidInUse(doc.guid) && !claims.guids.has(doc.guid) ? doc.guid : randomUUID();
  else if (existing) id = existing.id;
  // Another Org's GUID is never taken over (GUIDs are unique per instance): the object gets a new one.
  else if (doc.guid && settings.guidPolicy === 'keep' && !claims.guids.has(doc.guid) && !state.guidInUse(doc.guid)) id = doc.guid;
  else id = randomUUID();
  if (doc.kind !== 'table' || forceCreate) return { id };
  const owner = claims.tables.get(physicalKey(doc.body) ?? '');
  if (!owner || owner === id) return { id };
  if (doc.guid && !existing) return { status: errorStatus(CODE.tableExists, 'Logical table ID to update is compulsory for UPDATE action.') };
  return { id: owner };
}

/** Dependents of failed documents fail too (PARTIAL skips "things depending on them"). */
function failDependents(planned: Planned[], docs: TmlDocument[], known: TargetIndex): void {
  const failedDocs = new Set(planned.filter((p) => p.doc && p.status).map((p) => p.doc!));
  const ordered = dependencyOrder(docs, { known });
  for (const { from, resolution } of resolveReferences(ordered, { known })) {
    const target = resolution.status === 'resolved' ? resolution.target.document : undefined;
    if (!target || !failedDocs.has(target)) continue;
    const p = planned.find((q) => q.doc === from)!;
    if (p.status) continue;
    p.status = errorStatus(CODE.reference, `Skipped: it depends on ${target.kind} <b> ${target.name} </b>, which failed to import.`);
    failedDocs.add(from);
  }
}

/** Writes what passed (when the policy lets it), keeping author and creation; an object whose document and obj_id are as stored is unchanged. */
function persist(state: EmulatorState, user: UserRecord, planned: Planned[], options: ImportOptions, write: boolean): void {
  const ids = new Map(planned.flatMap((p) => (p.doc?.guid && p.id ? [[p.doc.guid, p.id] as [string, string]] : [])));
  const now = state.now();
  let changed = false;
  for (const p of planned) {
    if (!p.doc || p.status || !p.id) continue;
    const document = storedForm(p.doc, p.id, ids);
    const previous = state.objects.get(p.id);
    // A document without obj_id leaves the object's own alone (an export without include_obj_id has none).
    const objId = p.doc.objId ?? previous?.objId;
    if (previous && !options.skipDiffCheck && previous.objId === objId && format(storedDocument(previous)) === format(document)) {
      p.action = 'unchanged';
    } else if (write) {
      const description = typeof p.doc.body.description === 'string' ? p.doc.body.description : undefined;
      state.objects.set(p.id, {
        id: p.id, kind: p.doc.kind, name: p.doc.name, ...(description ? { description } : {}),
        author: previous?.author ?? user.id, created: previous?.created ?? now, modified: now, modifiedBy: user.id,
        tags: previous?.tags ?? [], ...(objId ? { objId } : {}), document, ...withNumberForms(document),
      });
      changed = true;
    }
    p.status = { status_code: 'OK' };
  }
  if (changed) state.commit();
}

/** One document's entry of the answer: its error, or its header (and an empty diff when nothing changed). */
function answerOf(state: EmulatorState, user: UserRecord, p: Planned, skipped: boolean): unknown {
  if (p.status?.status_code !== 'OK' && p.status) return { response: { status: p.status } };
  if (skipped) return { response: { status: errorStatus(CODE.skipped, 'Not imported: another object of this ALL_OR_NONE import failed.') } };
  const doc = p.doc!;
  const record = state.objects.get(p.id!);
  return {
    response: {
      status: { status_code: 'OK' },
      header: {
        id_guid: p.id,
        name: doc.name,
        ...(typeof doc.body.description === 'string' ? { description: doc.body.description } : {}),
        author_guid: record?.author ?? user.id,
        owner_guid: p.id,
        metadata_type: handlerFor(doc.kind).metadataType,
        ...(record && subtypeOf(record) ? { type: subtypeOf(record) } : {}),
      },
      ...(p.action === 'unchanged' ? { diff: {} } : {}),
    },
  };
}

/**
 * A stored document with its numbers' written forms: the state is kept as JSON (state.ts), which
 * writes `decimals: 0.0` as 0, so a record keeps the forms beside its document (numbers.ts) and
 * they are put back when it is read after a restart.
 */
function storedDocument(record: ContentRecord): TmlMap {
  if (record.numberForms) restoreNumberForms(record.document, record.numberForms);
  return record.document;
}

function withNumberForms(document: TmlMap): { numberForms?: Record<string, string> } {
  const forms = numberFormsOf(document);
  return Object.keys(forms).length === 0 ? {} : { numberForms: forms };
}

/**
 * What the emulator keeps: the document with its final GUID first, batch
 * fqns pointing at final ids, and the envelope-less connection form wrapped
 * (a connection exports as `guid:` + `connection:`); its `obj_id` is the
 * record's (`ContentRecord.objId`), not the document's.
 */
function storedForm(doc: TmlDocument, id: string, ids: Map<string, string>): TmlMap {
  const key = doc.kindKey ?? doc.kind;
  const rest = Object.fromEntries(Object.entries(doc.data).filter(([k]) => k !== 'guid' && k !== 'obj_id'));
  carryNumberForms(doc.data, rest);
  const body = doc.kindKey === null ? { [key]: rest } : rest;
  return remapFqns({ guid: id, ...body }, ids) as TmlMap;
}

export const tmlRoutes: Route[] = [
  { method: 'POST', path: 'metadata/tml/export', auth: 'session', body: 'form', handle: exportTml },
  { method: 'POST', path: 'metadata/tml/import', auth: 'session', body: 'form', handle: importTml },
];
