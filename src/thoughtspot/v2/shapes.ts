/**
 * v2 answers in v1's shapes, and v1's inputs as v2 requests, so that the v2
 * client's domain operations take and give what `ThoughtSpotClient`'s do and
 * one port adapter can be written against either.
 */
import type { PrincipalChanges } from '../../tml/index.js';
import { ThoughtSpotResponseError } from '../errors.js';
import type { DataBlock, GroupDetails, MetadataType, ObjectHeader, PinboardData, Principal, TmlSchemaVersion, VizHeader, Visibility } from '../types.js';
import type { DeletableType } from '../endpoints/metadata.js';
import type { V2DeletableType, V2ObjIdType } from './endpoints/metadata.js';
import type { ImportGroup, ImportUser } from './endpoints/principals.js';
import type { V2DataContent, V2Group, V2ImportGroupsResponse, V2ImportUsersResponse, V2LiveboardDataResponse, V2MetadataItem, V2MetadataType, V2Ref, V2SchemaVersion, V2User, V2Visibility } from './types.js';

/** v1's metadata type names and v2's (reference §6; SDK `MetadataListItemInputTypeEnum`). */
const V2_TYPE: Record<MetadataType, V2MetadataType> = {
  LOGICAL_TABLE: 'LOGICAL_TABLE',
  QUESTION_ANSWER_BOOK: 'ANSWER',
  PINBOARD_ANSWER_BOOK: 'LIVEBOARD',
  DATA_SOURCE: 'CONNECTION',
  LOGICAL_COLUMN: 'LOGICAL_COLUMN',
  LOGICAL_RELATIONSHIP: 'LOGICAL_RELATIONSHIP',
  TAG: 'TAG',
  USER: 'USER',
  USER_GROUP: 'USER_GROUP',
};

export function v2Type(type: MetadataType): V2MetadataType {
  return V2_TYPE[type];
}

export function v2DeletableType(type: DeletableType): V2DeletableType {
  return V2_TYPE[type] as V2DeletableType;
}

/** `metadata/update-obj-id` names connections DATA_SOURCE, as v1 does (SDK `UpdateObjIdInputTypeEnum`); a GUID alone needs no type. */
export function v2ObjIdType(type: MetadataType): { type?: V2ObjIdType } {
  if (type === 'DATA_SOURCE') return { type: 'DATA_SOURCE' };
  const v2 = V2_TYPE[type];
  return (['ANSWER', 'LOGICAL_TABLE', 'LOGICAL_COLUMN', 'LIVEBOARD', 'USER', 'USER_GROUP'] as string[]).includes(v2) ? { type: v2 as V2ObjIdType } : {};
}

/** v1 spells the TML schema versions in lower case, v2 in upper case (SDK `ExportMetadataTMLRequestExportSchemaVersionEnum`). */
const V2_SCHEMA_VERSION: Record<TmlSchemaVersion, V2SchemaVersion> = { v1: 'V1', v2: 'V2', DEFAULT: 'DEFAULT' };

export function v2SchemaVersion(version: TmlSchemaVersion): V2SchemaVersion {
  return V2_SCHEMA_VERSION[version];
}

/** A `metadata/search` entry as a v1 object header: the v2 header carries v1's fields; id and name are checked; its `obj_id`, where it has one, as `objId`. */
export function objectHeader(item: V2MetadataItem): ObjectHeader {
  const header = item.metadata_header ?? {};
  const id = item.metadata_id ?? header.id;
  const name = item.metadata_name ?? header.name;
  if (typeof id !== 'string' || typeof name !== 'string') throw new ThoughtSpotResponseError('metadata/search', 200, 'an entry without metadata_id or metadata_name');
  if (typeof header.modified !== 'number') throw new ThoughtSpotResponseError('metadata/search', 200, `"${name}" (${id}) has no modified time in its metadata_header`);
  const objId = typeof item.metadata_obj_id === 'string' && item.metadata_obj_id !== '' ? item.metadata_obj_id : undefined;
  return { ...(header as Partial<ObjectHeader>), id, name, ...(objId ? { objId } : {}) } as ObjectHeader;
}

/**
 * The visualization headers of the `metadata/search` entry of liveboard or
 * answer `id`, asked with `include_visualization_headers`. No such entry is
 * refused, as v1's `listvizheaders` refuses the id (endpoints/metadata.ts).
 */
export function vizHeaders(id: string, item: V2MetadataItem | undefined): VizHeader[] {
  if (item?.metadata_type !== 'LIVEBOARD' && item?.metadata_type !== 'ANSWER') {
    throw new ThoughtSpotResponseError('metadata/search', 200, `no liveboard or answer with id ${id}`);
  }
  return (item.visualization_headers ?? []) as unknown as VizHeader[];
}

const VISIBILITY: Record<V2Visibility, Visibility> = { SHARABLE: 'DEFAULT', NON_SHARABLE: 'NON_SHARABLE' };

function v1Visibility(visibility: V2Visibility | undefined): Visibility | undefined {
  return visibility === undefined ? undefined : VISIBILITY[visibility];
}

function v2Visibility(visibility: Visibility | undefined): V2Visibility | undefined {
  return visibility === undefined ? undefined : visibility === 'NON_SHARABLE' ? 'NON_SHARABLE' : 'SHARABLE';
}

/** The names of an answer's `{id, name}` list. */
export function refNames(refs: readonly V2Ref[] | null | undefined): string[] {
  return (refs ?? []).flatMap((ref) => (ref.name ? [ref.name] : []));
}

/** Only the keys with a value: v1's `user/list` leaves absent fields out. */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined && field !== null)) as T;
}

/**
 * Users and groups as v1's `user/list` gives them. A v2 group lists its
 * sub-groups; v1 gives each group the groups it belongs to, so the lists
 * are turned around.
 */
export function principals(users: readonly V2User[], groups: readonly V2Group[]): Principal[] {
  const parents = new Map<string, string[]>();
  for (const group of groups) {
    for (const child of refNames(group.sub_groups)) parents.set(child, [...(parents.get(child) ?? []), group.name]);
  }
  const asGroups = groups.map((group) =>
    principal(group, {
      description: group.description ?? undefined,
      principalTypeEnum: group.type ?? 'LOCAL_GROUP',
      groupNames: parents.get(group.name) ?? [],
    }),
  );
  const asUsers = users.map((user) =>
    principal(user, { mail: user.email ?? undefined, principalTypeEnum: user.account_type ?? 'LOCAL_USER', groupNames: refNames(user.user_groups) }),
  );
  return [...asGroups, ...asUsers];
}

/** What a v2 user and a v2 group say alike, in v1's names, around the fields of their own (in v1's key order). */
function principal(
  from: Pick<V2User | V2Group, 'name' | 'display_name' | 'visibility' | 'creation_time_in_millis' | 'modification_time_in_millis'>,
  own: Pick<Principal, 'principalTypeEnum' | 'groupNames'> & Pick<Partial<Principal>, 'description' | 'mail'>,
): Principal {
  return defined({
    name: from.name,
    displayName: from.display_name,
    ...own,
    visibility: v1Visibility(from.visibility),
    created: from.creation_time_in_millis ?? undefined,
    modified: from.modification_time_in_millis ?? undefined,
  });
}

export function isGroupPrincipal(principal: Principal): boolean {
  return principal.principalTypeEnum.endsWith('_GROUP');
}

/** v1 `user/sync` groups as `groups/import` entries; a group's sub-groups are the groups that name it. */
export function importGroups(all: readonly Principal[]): ImportGroup[] {
  const groups = all.filter(isGroupPrincipal);
  return groups.map((group) =>
    defined({
      group_identifier: group.name,
      display_name: group.displayName ?? group.name,
      description: group.description,
      type: group.principalTypeEnum,
      visibility: v2Visibility(group.visibility),
      sub_group_identifiers: groups.filter((other) => other.groupNames.includes(group.name)).map((other) => other.name),
    }),
  );
}

/** v1 `user/sync` users as `users/import` entries. */
export function importUsers(all: readonly Principal[]): ImportUser[] {
  return all
    .filter((principal) => !isGroupPrincipal(principal))
    .map((user) =>
      defined({
        user_identifier: user.name,
        display_name: user.displayName ?? user.name,
        password: user.password,
        account_type: user.principalTypeEnum,
        email: user.mail,
        group_identifiers: user.groupNames,
        visibility: v2Visibility(user.visibility),
      }),
    );
}

/**
 * The users of a `users/import` dry run that follows a `groups/import` dry
 * run: a group that run would add does not exist yet, and naming it is
 * refused (UNCONFIRMED for a real cluster; the emulator refuses it, as it
 * refuses any unknown group). It is left out of the users' groups, and each
 * user that named one is reported by the caller as changed unless added: a
 * user gaining a group that does not exist yet changes, whatever else does.
 */
export function dryRunUsers(users: ImportUser[], newGroups: readonly string[]): { send: ImportUser[]; joiningNewGroups: string[] } {
  if (newGroups.length === 0) return { send: users, joiningNewGroups: [] };
  const isNew = (group: string) => newGroups.includes(group);
  return {
    send: users.map((user) => (user.group_identifiers?.some(isNew) ? { ...user, group_identifiers: user.group_identifiers.filter((g) => !isNew(g)) } : user)),
    joiningNewGroups: users.filter((user) => user.group_identifiers?.some(isNew)).map((user) => user.user_identifier),
  };
}

/** What `groups/import` and `users/import` did (or would do), as v1's `user/sync` says it; `alsoUpdated` are users known to change. */
export function userSyncResult(users: V2ImportUsersResponse, groups: V2ImportGroupsResponse, alsoUpdated: readonly string[] = []): PrincipalChanges {
  const added = refNames(users.users_added);
  const updated = refNames(users.users_updated);
  return {
    usersAdded: added,
    usersDeleted: refNames(users.users_deleted),
    usersUpdated: [...updated, ...alsoUpdated.filter((name) => !added.includes(name) && !updated.includes(name))],
    groupsAdded: refNames(groups.groups_added),
    groupsDeleted: refNames(groups.groups_deleted),
    groupsUpdated: refNames(groups.groups_updated),
  };
}

/** A group with its privileges, as v1's `GET group` gives it: the name in its header. */
export function groupDetails(group: V2Group): GroupDetails {
  return { privileges: [...(group.privileges ?? [])], displayName: group.display_name, header: { id: group.id, name: group.name } };
}

/** A v2 data content as v1's data block. */
export function dataBlock(content: V2DataContent): DataBlock {
  return {
    columnNames: content.column_names,
    data: content.data_rows as unknown[][],
    samplingRatio: content.sampling_ratio,
    totalRowCount: content.available_data_row_count,
    rowCount: content.returned_data_row_count,
    pageSize: content.record_size,
    offset: content.record_offset,
    ...(content.visualization_name ? { name: content.visualization_name } : {}),
  };
}

/** Liveboard data as v1's `pinboarddata`: one block per visualization GUID. */
export function pinboardData(response: V2LiveboardDataResponse): PinboardData {
  if (!Array.isArray(response.contents)) throw new ThoughtSpotResponseError('metadata/liveboard/data', 200, 'no "contents" list');
  return Object.fromEntries(response.contents.map((content, index) => [content.visualization_id ?? String(index), dataBlock(content)]));
}
