import type { KindHandler, ListedMetadataType, MetadataType, TmlKind } from '../types.js';
import { answer } from './answer.js';
import { cohort } from './cohort.js';
import { connection } from './connection.js';
import { liveboard } from './liveboard.js';
import { model } from './model.js';
import { sqlView } from './sql-view.js';
import { table } from './table.js';
import { view } from './view.js';
import { worksheet } from './worksheet.js';

/**
 * The kind registry: one handler per kind, in dependency order. `model` is listed before
 * `worksheet` because both are LOGICAL_TABLE/WORKSHEET and the model is what current builds
 * export (our client asks for `export_schema_version=v2`, §2.15). A cohort stands on a
 * model/worksheet/table, and answers may use it.
 */
const HANDLERS: readonly KindHandler[] = [connection, table, sqlView, view, model, worksheet, cohort, answer, liveboard];
/** A handler of a kind ThoughtSpot is known to list. */
type ListedHandler = KindHandler & { readonly metadataType: ListedMetadataType };
/** Only a handler marked `unlisted` has a metadata type outside the listings (KindHandler.unlisted). */
const LISTED = HANDLERS.filter((h): h is ListedHandler => h.unlisted !== true);

const BY_KIND = new Map<string, KindHandler>(HANDLERS.map((h) => [h.kind, h]));
const BY_KEY = new Map<string, KindHandler>(HANDLERS.flatMap((h) => h.keys.map((k) => [k, h] as const)));

/** Aliases seen in export `info.type` (§3.1: thoughtspot_tml accepts `sqlview`). */
const KEY_ALIASES: Readonly<Record<string, string>> = { sqlview: 'sql_view' };

/** Every kind, in dependency order. */
export const KINDS: readonly TmlKind[] = HANDLERS.map((h) => h.kind);

export function handlers(): readonly KindHandler[] {
  return HANDLERS;
}

export function handlerFor(kind: TmlKind): KindHandler {
  const handler = BY_KIND.get(kind);
  if (handler === undefined) throw new Error(`no TML handler for kind ${JSON.stringify(kind)}`);
  return handler;
}

/** The handler for a document key or export `info.type` (`pinboard`, `sqlview`, `table`, …). */
export function handlerForKey(key: string): KindHandler | undefined {
  return BY_KEY.get(KEY_ALIASES[key] ?? key);
}

/**
 * The kind of an object from its metadata header (`LOGICAL_TABLE` + `ONE_TO_ONE_LOGICAL` →
 * `table`). A `WORKSHEET` subtype is a model or a legacy worksheet; this answers `model`, and
 * the exported document's key says which it really is.
 */
export function kindForMetadata(type: string, subtype?: string): TmlKind | undefined {
  return LISTED.find((h) => h.metadataType === (type as MetadataType) && (h.subtypes.length === 0 || (subtype !== undefined && h.subtypes.includes(subtype))))?.kind;
}

/** One header listing (`metadata/listobjectheaders`): a metadata type, narrowed to some `LOGICAL_TABLE` subtypes, and the kind it lists. */
export interface KindListing {
  readonly metadataType: ListedMetadataType;
  /** Empty: the whole type. */
  readonly subtypes: readonly string[];
  readonly kind: TmlKind;
}

/**
 * The listings that tell every kind apart, in dependency order: one per
 * handler, except where two kinds share their listing (a model and a legacy
 * worksheet are both `WORKSHEET`): the first handler's kind names it.
 */
export const KIND_LISTINGS: readonly KindListing[] = LISTED.filter(
  (h, i) => LISTED.findIndex((other) => other.metadataType === h.metadataType && other.subtypes.join() === h.subtypes.join()) === i,
).map((h) => ({ metadataType: h.metadataType, subtypes: h.subtypes, kind: h.kind }));

/** Every metadata type a kind is listed under, in dependency order (`DATA_SOURCE`, `LOGICAL_TABLE`, …). */
export function metadataTypes(which: (handler: KindHandler) => boolean = () => true): ListedMetadataType[] {
  return [...new Set(LISTED.filter(which).map((h) => h.metadataType))];
}

/**
 * The subtypes a listing of a whole metadata type asks for, where the type holds far more than
 * content: `LOGICAL_COLUMN` is every column of every table, of which only cohorts are TML objects.
 * Undefined for the other types, listed whole (a `LOGICAL_TABLE` of a subtype no kind knows is
 * still seen, and reported, rather than missed).
 */
export function listingSubtypes(type: string): string[] | undefined {
  if (type !== 'LOGICAL_COLUMN') return undefined;
  return LISTED.filter((h) => h.metadataType === type).flatMap((h) => h.subtypes);
}

/** The kind a listing reports an object of `kind` as: a legacy worksheet is listed as a model (both `WORKSHEET`). */
export function listedKind(kind: TmlKind): TmlKind {
  const handler = handlerFor(kind);
  return KIND_LISTINGS.find((l) => l.metadataType === handler.metadataType && l.subtypes.join() === handler.subtypes.join())?.kind ?? kind;
}
