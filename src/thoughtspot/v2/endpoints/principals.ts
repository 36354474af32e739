/**
 * v2 users and groups.
 *
 * Contract notes:
 * - CONFIRMED `POST users/search` `{user_identifier?, name_pattern?,
 *   record_offset, record_size, …}` → an array of `User`; `record_size: -1`
 *   searches all users (SDK searchUsers usage note; models/SearchUsersRequest.ts, User.ts).
 * - CONFIRMED `POST groups/search` `{group_identifier?, name_pattern?,
 *   record_offset, record_size, include_users, include_sub_groups, …}` → an
 *   array of `UserGroupResponse` with `privileges`, `sub_groups`, `users`;
 *   "if you do not get precise results, try `record_size: -1`"
 *   (SDK searchUserGroups; models/SearchUserGroupsRequest.ts, UserGroupResponse.ts).
 * - CONFIRMED `POST users/import` `{users: [ImportUser], default_password?,
 *   dry_run, delete_unspecified_users}` → `{users_added, users_updated,
 *   users_deleted}` of `{id, name}`; deleting unspecified users spares
 *   tsadmin, guest, system and su (SDK importUsers; models/ImportUsersRequest.ts,
 *   ImportUser.ts, ImportUsersResponse.ts). We always send `dry_run` and
 *   `delete_unspecified_users`, never trusting a default.
 * - CONFIRMED `POST groups/import` `{groups: [{group_identifier, display_name,
 *   description, privileges, sub_group_identifiers, type, user_identifiers,
 *   visibility}], delete_unspecified_groups, dry_run}` → `{groups_added,
 *   groups_updated, groups_deleted}` (SDK importUserGroups; models/
 *   ImportUserGroupsRequest.ts, GroupsImportListInput.ts, ImportUserGroupsResponse.ts).
 * - UNCONFIRMED (our reading): a group field left out of `groups/import` or
 *   `groups/{id}/update` keeps its current value.
 * - UNCONFIRMED: a `users/import` naming a group that does not exist is
 *   refused, dry run or not; so a dry run of users after a dry run of groups
 *   leaves out the groups that one would add (the emulator refuses them).
 * - CONFIRMED `POST groups/{group_identifier}/update` `{privileges?,
 *   operation: ADD | REMOVE | REPLACE (default REPLACE), …}` → 204 (SDK
 *   updateUserGroup, models/UpdateUserGroupRequest.ts). Whether `operation`
 *   applies to privileges or only to member lists is UNCONFIRMED (reference
 *   §6), so privilege changes send the whole new list with REPLACE.
 * - CONFIRMED `POST users/change-password` `{user_identifier,
 *   current_password, new_password}` → 204 (SDK changeUserPassword,
 *   models/ChangeUserPasswordRequest.ts).
 */
import type { ApiCaller } from '../../http.js';
import { QUEUE_PRIORITY } from '../../limits.js';
import { parseJson } from '../../endpoints/encode.js';
import type { UpdatePasswordParams } from '../../endpoints/user.js';
import type { V2AccountType, V2Group, V2GroupType, V2ImportGroupsResponse, V2ImportUsersResponse, V2User, V2Visibility } from '../types.js';

export interface SearchPrincipalsParams {
  /** A GUID or name. */
  identifier?: string;
  namePattern?: string;
  recordOffset?: number;
  /** -1 (our default) is every principal. */
  recordSize?: number;
}

/** `POST users/search`. A read; `signal` ends it (`ApiRequest.signal`). */
export async function searchUsers(api: ApiCaller, params: SearchPrincipalsParams = {}, signal?: AbortSignal): Promise<V2User[]> {
  const response = await api.send({
    endpoint: 'users/search',
    method: 'POST',
    json: { user_identifier: params.identifier, name_pattern: params.namePattern, record_offset: params.recordOffset ?? 0, record_size: params.recordSize ?? -1 },
    accept: 'json',
    success: [200],
    idempotent: true,
    priority: QUEUE_PRIORITY.listing,
    signal,
  });
  return parseJson<V2User[]>('users/search', response, 'array');
}

/** `POST groups/search`, with each group's sub-groups (its members' names are not needed). A read; `signal` ends it. */
export async function searchGroups(api: ApiCaller, params: SearchPrincipalsParams = {}, signal?: AbortSignal): Promise<V2Group[]> {
  const response = await api.send({
    endpoint: 'groups/search',
    method: 'POST',
    json: {
      group_identifier: params.identifier,
      name_pattern: params.namePattern,
      record_offset: params.recordOffset ?? 0,
      record_size: params.recordSize ?? -1,
      include_sub_groups: true,
    },
    accept: 'json',
    success: [200],
    idempotent: true,
    priority: QUEUE_PRIORITY.listing,
    signal,
  });
  return parseJson<V2Group[]>('groups/search', response, 'array');
}

/** SDK `ImportUser` (the fields tmlsync sends). */
export interface ImportUser {
  user_identifier: string;
  display_name: string;
  password?: string;
  account_type?: V2AccountType;
  email?: string;
  group_identifiers?: readonly string[];
  visibility?: V2Visibility;
}

export interface ImportUsersParams {
  users: readonly ImportUser[];
  /** For users created without a password of their own. */
  defaultPassword?: string;
  /** True: only report what would change. */
  dryRun: boolean;
  deleteUnspecifiedUsers: boolean;
}

/** `POST users/import`, the v2 form of v1's `user/sync`. A dry run may be retried; an applied import is a write. */
export async function importUsers(api: ApiCaller, params: ImportUsersParams): Promise<V2ImportUsersResponse> {
  const response = await api.send({
    endpoint: 'users/import',
    method: 'POST',
    json: { users: params.users, default_password: params.defaultPassword, dry_run: params.dryRun, delete_unspecified_users: params.deleteUnspecifiedUsers },
    accept: 'json',
    success: [200],
    idempotent: params.dryRun,
  });
  return parseJson<V2ImportUsersResponse>('users/import', response, 'object');
}

/** SDK `GroupsImportListInput` (the fields tmlsync sends). */
export interface ImportGroup {
  group_identifier: string;
  display_name: string;
  description?: string;
  privileges?: readonly string[];
  sub_group_identifiers?: readonly string[];
  type?: V2GroupType;
  visibility?: V2Visibility;
}

export interface ImportGroupsParams {
  groups: readonly ImportGroup[];
  dryRun: boolean;
  deleteUnspecifiedGroups: boolean;
}

/** `POST groups/import`. A dry run may be retried; an applied import is a write. */
export async function importGroups(api: ApiCaller, params: ImportGroupsParams): Promise<V2ImportGroupsResponse> {
  const response = await api.send({
    endpoint: 'groups/import',
    method: 'POST',
    json: { groups: params.groups, dry_run: params.dryRun, delete_unspecified_groups: params.deleteUnspecifiedGroups },
    accept: 'json',
    success: [200],
    idempotent: params.dryRun,
  });
  return parseJson<V2ImportGroupsResponse>('groups/import', response, 'object');
}

export interface UpdateGroupParams {
  /** The group's GUID or name. */
  group: string;
  privileges?: readonly string[];
  operation?: 'ADD' | 'REMOVE' | 'REPLACE';
}

/** `POST groups/{group_identifier}/update` → 204. A write. */
export async function updateGroup(api: ApiCaller, params: UpdateGroupParams): Promise<void> {
  await api.send({
    endpoint: 'groups/{group_identifier}/update',
    path: `groups/${encodeURIComponent(params.group)}/update`,
    method: 'POST',
    json: { privileges: params.privileges, operation: params.operation },
    accept: 'json',
    success: [204, 200],
    idempotent: false,
  });
}

/** `POST users/change-password` → 204; the user by GUID or name (`user_identifier`), v1's `name`. Not re-sent: after a success the current password is no longer current. */
export async function changePassword(api: ApiCaller, params: UpdatePasswordParams): Promise<void> {
  await api.send({
    endpoint: 'users/change-password',
    method: 'POST',
    json: { user_identifier: params.name, current_password: params.currentPassword, new_password: params.newPassword },
    accept: 'json',
    success: [204, 200],
    idempotent: false,
  });
}
