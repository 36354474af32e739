/**
 * v2 users and groups, over the same records as v1 `user/list` and `user/sync`.
 *
 * Contract notes:
 * - CONFIRMED (SDK `ThoughtSpotRestApi.md` searchUsers, searchUserGroups,
 *   importUsers, updateUserGroup, changeUserPassword): the paths, request
 *   fields (SDK models `SearchUsersRequest`, `SearchUserGroupsRequest`,
 *   `ImportUsersRequest`/`ImportUser`, `UpdateUserGroupRequest`,
 *   `ChangeUserPasswordRequest`), the answers (`User[]`,
 *   `UserGroupResponse[]`, `ImportUsersResponse`, 204 for the update and the
 *   password change) and the `operation` enum ADD | REMOVE | REPLACE,
 *   REPLACE by default.
 * - CONFIRMED (reference §6): `users/import` is the v2 form of `user/sync`,
 *   `dry_run` defaults to true and `delete_unspecified_users` to false.
 * - UNCONFIRMED, our choices: v1 visibility DEFAULT is v2 SHARABLE; a user
 *   of `users/import` without `group_identifiers` keeps its groups; whether
 *   `operation` applies to `privileges` is not documented (reference §6): it
 *   does here, as clients that send ADD or REMOVE expect; a user naming a
 *   group that does not exist is refused (400), dry run or not; only administrators
 *   import users or change groups, as in v1; the search endpoints page like
 *   `metadata/search` (10 by default).
 */
import { json, type HandlerContext, type Reply, type Route } from '../../context.js';
import { invalidParameter } from '../../errors.js';
import type { JsonBody } from '../../json-body.js';
import { USER_TYPES, type GroupRecord, type PrincipalRecord, type UserRecord } from '../../principals.js';
import type { EmulatorState } from '../../state.js';
import { patternTest } from '../metadata.js';
import { changePassword, knownPrivilege, requirePrivilege, setPrivileges, syncPrincipals, type SyncInput } from '../principals.js';
import { done, findGroup, findUser, page, sortBy, v2Route } from './common.js';
import { importGroups } from './groups-import.js';

const VISIBILITY = { DEFAULT: 'SHARABLE', NON_SHARABLE: 'NON_SHARABLE' } as const;
const SORT_FIELDS = ['NAME', 'DISPLAY_NAME', 'AUTHOR', 'CREATED', 'MODIFIED'] as const;

const idAndName = (p: PrincipalRecord) => ({ id: p.id, name: p.name });

/** A user as SDK `models/User.ts` describes it. */
export function userForm(user: UserRecord, state: EmulatorState): Record<string, unknown> {
  const groups = user.groupNames.flatMap((name) => state.groups.get(name) ?? []);
  return {
    id: user.id,
    name: user.name,
    display_name: user.displayName,
    visibility: VISIBILITY[user.visibility],
    author_id: user.id,
    can_change_password: user.passwordHash !== undefined,
    complete_detail: true,
    creation_time_in_millis: user.created,
    current_org: { id: state.org.id, name: state.org.name },
    deleted: false,
    deprecated: false,
    account_type: user.principalTypeEnum,
    account_status: 'ACTIVE',
    email: user.mail,
    external: false,
    hidden: false,
    modification_time_in_millis: user.modified,
    modifier_id: user.id,
    orgs: state.instance.orgsOf(user.name).map((org) => ({ id: org.org.id, name: org.org.name })),
    owner_id: user.id,
    parent_type: 'USER',
    privileges: [...state.privilegesOf(user)].sort(),
    super_user: user.name === 'su',
    system_user: user.name === 'system' || user.name === 'su',
    tags: [],
    user_groups: groups.map(idAndName),
    user_inherited_groups: inheritedGroups(user, state).map(idAndName),
  };
}

/** The groups a principal is in through its groups. */
function inheritedGroups(principal: PrincipalRecord, state: EmulatorState): GroupRecord[] {
  const direct = new Set(principal.groupNames);
  const seen = new Set<string>();
  const visit = (names: string[]): void => {
    for (const name of names) {
      const group = state.groups.get(name);
      if (!group || seen.has(name)) continue;
      seen.add(name);
      visit(group.groupNames);
    }
  };
  for (const name of principal.groupNames) visit(state.groups.get(name)?.groupNames ?? []);
  return [...seen].filter((name) => !direct.has(name)).flatMap((name) => state.groups.get(name) ?? []);
}

/** A group as SDK `models/UserGroupResponse.ts` describes it: `sub_groups` and `users` are its members. */
export function groupForm(group: GroupRecord, state: EmulatorState): Record<string, unknown> {
  return {
    id: group.id,
    name: group.name,
    display_name: group.displayName,
    description: group.description ?? null,
    visibility: VISIBILITY[group.visibility],
    author_id: group.id,
    complete_detail: true,
    creation_time_in_millis: group.created,
    modification_time_in_millis: group.modified,
    deleted: false,
    deprecated: false,
    external: false,
    hidden: false,
    orgs: [{ id: state.org.id, name: state.org.name }],
    owner_id: group.id,
    parent_type: 'GROUP',
    privileges: [...group.privileges].sort(),
    sub_groups: [...state.groups.values()].filter((g) => g.groupNames.includes(group.name)).map(idAndName),
    system_group: group.builtIn === true,
    type: group.principalTypeEnum,
    users: [...state.users.values()].filter((u) => u.groupNames.includes(group.name)).map(idAndName),
    default_liveboards: [],
    tags: [],
    roles: [],
  };
}

function sortKey(p: PrincipalRecord, field: string): string | number {
  if (field === 'CREATED') return p.created;
  if (field === 'MODIFIED') return p.modified;
  return (field === 'DISPLAY_NAME' ? p.displayName : p.name).toLowerCase();
}

function matches(body: JsonBody, p: UserRecord | GroupRecord, identifierField: string, state: EmulatorState): boolean {
  const identifier = body.string(identifierField);
  const privileges = body.strings('privileges');
  const visibility = body.string('visibility');
  const displayName = body.string('display_name');
  const held = p.kind === 'group' ? new Set(p.privileges) : state.privilegesOf(p);
  return (
    (!identifier || p.id === identifier || p.name === identifier) &&
    patternTest(body.string('name_pattern'))(p.name) &&
    (!displayName || p.displayName === displayName) &&
    (!visibility || VISIBILITY[p.visibility] === visibility.toUpperCase()) &&
    (!privileges || privileges.every((privilege) => held.has(privilege.toUpperCase())))
  );
}

function inGroups(p: PrincipalRecord, identifiers: string[] | undefined, state: EmulatorState): boolean {
  if (!identifiers) return true;
  return identifiers.some((identifier) => p.groupNames.includes(findGroupName(state, identifier)));
}

function findGroupName(state: EmulatorState, identifier: string): string {
  return state.groups.get(identifier)?.name ?? [...state.groups.values()].find((g) => g.id === identifier)?.name ?? identifier;
}

function searchUsers(context: HandlerContext): Reply {
  const { body, state } = context;
  const accountType = body.string('account_type');
  const email = body.string('email');
  const groupIdentifiers = body.strings('group_identifiers');
  const users = [...state.users.values()].filter(
    (u) =>
      matches(body, u, 'user_identifier', state) &&
      (!accountType || u.principalTypeEnum === accountType.toUpperCase()) &&
      (!email || u.mail === email) &&
      inGroups(u, groupIdentifiers, state),
  );
  return json(page(sortBy(users, body, sortKey, SORT_FIELDS, 'NAME'), body).map((u) => userForm(u, state)));
}

function searchGroups(context: HandlerContext): Reply {
  const { body, state } = context;
  const type = body.string('type');
  const members = body.strings('user_identifiers');
  const subGroups = body.strings('sub_group_identifiers');
  const groups = [...state.groups.values()].filter(
    (g) =>
      matches(body, g, 'group_identifier', state) &&
      (!type || g.principalTypeEnum === type.toUpperCase()) &&
      (!members || members.some((m) => [...state.users.values()].some((u) => (u.id === m || u.name === m) && u.groupNames.includes(g.name)))) &&
      (!subGroups || subGroups.some((s) => [...state.groups.values()].some((sub) => (sub.id === s || sub.name === s) && sub.groupNames.includes(g.name)))),
  );
  return json(page(sortBy(groups, body, sortKey, SORT_FIELDS, 'NAME'), body).map((g) => groupForm(g, state)));
}

/** An `ImportUser` as a `user/sync` input: groups by GUID or name, v2 visibility and account type. */
function syncInput(user: JsonBody, state: EmulatorState): SyncInput {
  const name = user.required('user_identifier');
  const existing = state.users.get(name) ?? state.userById(name);
  const type = user.oneOf('account_type', [...USER_TYPES, 'REMOTE_USER'] as const, 'LOCAL_USER');
  const visibility = user.oneOf('visibility', ['SHARABLE', 'NON_SHARABLE'] as const, existing ? VISIBILITY[existing.visibility] : 'SHARABLE');
  const groups = user.strings('group_identifiers');
  const password = user.string('password');
  const email = user.string('email');
  return {
    name: existing?.name ?? name,
    displayName: user.required('display_name'),
    principalTypeEnum: type,
    visibility: visibility === 'SHARABLE' ? 'DEFAULT' : 'NON_SHARABLE',
    groupNames: groups ? groups.map((g) => findGroup(state, g, 'group_identifiers').name) : (existing?.groupNames ?? []),
    ...(password !== undefined ? { password } : {}),
    ...(email !== undefined ? { mail: email } : {}),
  };
}

/** `users/import`: `syncPrincipals` over users only; what changed, by id and name. */
function importUsers(context: HandlerContext): Reply {
  requirePrivilege(context, 'ADMINISTRATION');
  const { body, state } = context;
  const users = body.objects('users');
  if (!body.has('users')) throw invalidParameter('users', 'required');
  const defaultPassword = body.string('default_password');
  const dryRun = body.bool('dry_run', true);
  const deleted = new Map([...state.users.values()].map((u) => [u.name, u.id]));
  const result = syncPrincipals(state, users.map((u) => syncInput(u, state)), {
    apply: !dryRun, removeUsers: body.bool('delete_unspecified_users', false), removeGroups: false, field: 'users',
    ...(defaultPassword !== undefined ? { defaultPassword } : {}),
  });
  const named = (name: string) => ({ id: state.users.get(name)?.id ?? deleted.get(name) ?? null, name });
  return json({ users_added: result.usersAdded.map(named), users_updated: result.usersUpdated.map(named), users_deleted: result.usersDeleted.map(named) });
}

/** `groups/{group_identifier}/update`: privileges by `operation`, and the display fields. */
function updateGroup(context: HandlerContext): Reply {
  requirePrivilege(context, 'ADMINISTRATION');
  const { body, state } = context;
  const group = findGroup(state, context.pathParams.group_identifier!, 'group_identifier');
  const operation = body.oneOf('operation', ['ADD', 'REMOVE', 'REPLACE'] as const, 'REPLACE');
  const privileges = body.strings('privileges')?.map((p) => knownPrivilege(p, 'privileges'));
  if (privileges) {
    const next = operation === 'ADD' ? [...group.privileges, ...privileges] : operation === 'REMOVE' ? group.privileges.filter((p) => !privileges.includes(p)) : privileges;
    setPrivileges(state, group, next);
  }
  const displayName = body.string('display_name');
  const description = body.string('description');
  const visibility = body.string('visibility') === undefined ? undefined : body.oneOf('visibility', ['SHARABLE', 'NON_SHARABLE'] as const, 'SHARABLE');
  if (displayName !== undefined) group.displayName = displayName;
  if (description !== undefined) group.description = description;
  if (visibility !== undefined) group.visibility = visibility === 'SHARABLE' ? 'DEFAULT' : 'NON_SHARABLE';
  if (displayName !== undefined || description !== undefined || visibility !== undefined) group.modified = state.now();
  state.commit();
  return done();
}

function changeUserPassword(context: HandlerContext): Reply {
  const { body, state } = context;
  const user = findUser(state, body.required('user_identifier'), 'user_identifier');
  changePassword(context, user, body.required('current_password'), body.required('new_password'), { current: 'current_password', next: 'new_password' });
  return done();
}

export const v2PrincipalRoutes: Route[] = [
  v2Route('POST', 'users/search', searchUsers),
  v2Route('POST', 'groups/search', searchGroups),
  v2Route('POST', 'users/import', importUsers),
  v2Route('POST', 'groups/import', importGroups),
  v2Route('POST', 'groups/{group_identifier}/update', updateGroup),
  v2Route('POST', 'users/change-password', changeUserPassword),
];
