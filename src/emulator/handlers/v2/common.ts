import { handlerFor, type TmlKind } from '../../../tml/index.js';
import type { Reply, Route } from '../../context.js';
import { invalidParameter } from '../../errors.js';
import type { JsonBody } from '../../json-body.js';
import type { GroupRecord, UserRecord } from '../../principals.js';
import type { ContentRecord, EmulatorState } from '../../state.js';
import { TYPE_KINDS } from '../metadata.js';
import { sortedByKey } from '../sorted.js';

/** A v2 route: JSON body, authenticated unless `auth: 'none'`. */
export function v2Route(method: Route['method'], path: string, handle: Route['handle'], auth: Route['auth'] = 'session'): Route {
  return { api: 'v2', method, path, auth, body: 'json', handle };
}

/**
 * v2 metadata types and the kinds each one holds (CONFIRMED: the type enums
 * of SDK `models/MetadataListItemInput.ts`; reference §6 maps them to v1's).
 */
export const V2_TYPE_KINDS: Record<string, readonly TmlKind[]> = {
  LIVEBOARD: TYPE_KINDS.PINBOARD_ANSWER_BOOK!,
  ANSWER: TYPE_KINDS.QUESTION_ANSWER_BOOK!,
  LOGICAL_TABLE: TYPE_KINDS.LOGICAL_TABLE!,
  CONNECTION: TYPE_KINDS.DATA_SOURCE!,
  // Cohorts (UNCONFIRMED, tml/kinds/cohort.ts): v2 names them so in metadata inputs, delete included.
  LOGICAL_COLUMN: TYPE_KINDS.LOGICAL_COLUMN!,
};

/** The v2 type of a content object. */
export function v2TypeOf(record: ContentRecord): string {
  return Object.entries(V2_TYPE_KINDS).find(([, kinds]) => kinds.includes(record.kind as TmlKind))?.[0] ?? handlerFor(record.kind as TmlKind).metadataType;
}

/**
 * A content object by `identifier` (GUID, or name with `type`), as every
 * v2 metadata input names one (CONFIRMED: SDK `ExportMetadataTypeInput`,
 * `DeleteMetadataTypeInput`, `AuthorMetadataTypeInput`: "Unique ID or name";
 * type "required if the name of the object is set as the identifier"). An
 * unknown one, a name without a type, or a name shared by several objects is
 * a 400 naming the field.
 */
export function findObject(state: EmulatorState, input: JsonBody, field: string): ContentRecord {
  return objectOf(state, input.required('identifier'), input.string('type'), `${field}.identifier`);
}

/** A content object by GUID, or by name with a type; `field` names the identifier in errors. */
export function objectOf(state: EmulatorState, identifier: string, typeName: string | undefined, field: string): ContentRecord {
  const type = typeName?.toUpperCase();
  const kinds = type === undefined ? undefined : V2_TYPE_KINDS[type];
  if (type !== undefined && !kinds) throw invalidParameter(field, `type ${type} is not supported here`);
  const byId = state.objects.get(identifier);
  if (byId) {
    if (kinds && !kinds.includes(byId.kind as TmlKind)) throw invalidParameter(field, `${identifier} is a ${v2TypeOf(byId)}, not a ${type ?? ''}`);
    return byId;
  }
  if (!kinds) throw invalidParameter(field, `no object with id ${identifier} (give a type to find one by name)`);
  const named = [...state.objects.values()].filter((o) => o.name === identifier && kinds.includes(o.kind as TmlKind));
  if (named.length === 0) throw invalidParameter(field, `no ${type} named ${identifier}`);
  if (named.length > 1) throw invalidParameter(field, `${named.length} objects of type ${type} are named ${identifier}: give a GUID`);
  return named[0]!;
}

/** A user by GUID or name (CONFIRMED: "GUID or name of the user", SDK `ChangeUserPasswordRequest` and others). */
export function findUser(state: EmulatorState, identifier: string, field: string): UserRecord {
  const user = state.users.get(identifier) ?? state.userById(identifier);
  if (!user) throw invalidParameter(field, `user ${identifier} not found`);
  return user;
}

export function findGroup(state: EmulatorState, identifier: string, field: string): GroupRecord {
  const group = state.groups.get(identifier) ?? [...state.groups.values()].find((g) => g.id === identifier);
  if (!group) throw invalidParameter(field, `group ${identifier} not found`);
  return group;
}

/**
 * `record_offset` / `record_size` paging. CONFIRMED: the fields (SDK search
 * request models); default offset 0 and size 10, not "all" (reference §6,
 * developer docs). UNCONFIRMED: `record_size: -1` for every record, which
 * clients send to list everything in one call.
 */
export function page<T>(items: readonly T[], body: JsonBody, defaultSize = 10): T[] {
  const offset = body.int('record_offset', 0);
  const size = body.int('record_size', defaultSize);
  if (offset < 0) throw invalidParameter('record_offset', 'must be 0 or more');
  if (size < -1 || size === 0) throw invalidParameter('record_size', 'must be -1 (all) or more than 0');
  return size === -1 ? items.slice(offset) : items.slice(offset, offset + size);
}

/** `sort_options.field_name` / `order` over name, display name, author, created, modified. */
export function sortBy<T>(items: T[], body: JsonBody, key: (item: T, field: string) => string | number, fields: readonly string[], fallback: string): T[] {
  const options = body.object('sort_options');
  const field = options.oneOf('field_name', fields, fallback);
  const sign = options.oneOf('order', ['ASC', 'DESC'] as const, 'ASC') === 'DESC' ? -1 : 1;
  return sortedByKey(items, (item) => key(item, field), sign);
}

/** The 204 of v2 writes that answer nothing. */
export const done = (): Reply => ({ status: 204 });
