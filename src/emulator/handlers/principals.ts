import { randomUUID } from 'node:crypto';
import type { PrincipalChanges } from '../../tml/index.js';
import { currentUser, json, noContent, type HandlerContext, type Reply, type Route } from '../context.js';
import { CODE, invalidParameter, V1Error } from '../errors.js';
import {
  checkPassword, GROUP_TYPES, hashPassword, passwordPolicyProblem, PRIVILEGES, USER_TYPES,
  type GroupRecord, type PrincipalRecord, type UserRecord,
} from '../principals.js';
import type { ContentRecord, EmulatorState } from '../state.js';

/** Only administrators manage principals and privileges. */
export function requirePrivilege(context: HandlerContext, ...anyOf: string[]): void {
  const privileges = context.state.privilegesOf(currentUser(context));
  if (!anyOf.some((p) => privileges.has(p))) {
    throw new V1Error(403, CODE.accessDenied, `User ${currentUser(context).name} lacks the privilege ${anyOf.join(' or ')}`);
  }
}

/** A principal in `user/list` form (reference §2.4): no GUID, no password. */
export function listForm(principal: UserRecord | GroupRecord): Record<string, unknown> {
  return {
    name: principal.name,
    displayName: principal.displayName,
    ...(principal.description ? { description: principal.description } : {}),
    created: principal.created,
    modified: principal.modified,
    ...(principal.kind === 'user' ? { mail: principal.mail } : {}),
    principalTypeEnum: principal.principalTypeEnum,
    groupNames: principal.groupNames,
    visibility: principal.visibility,
    activate: false,
  };
}

function listUsers(context: HandlerContext): Reply {
  return json([...context.state.groups.values(), ...context.state.users.values()].map(listForm));
}

/** One principal to sync, in `user/sync` field names (v2 `users/import` input is mapped to them). */
export interface SyncInput {
  name: string;
  displayName?: string;
  description?: string;
  mail?: string;
  password?: string;
  principalTypeEnum: string;
  groupNames?: string[];
  visibility?: string;
}

function parsePrincipals(text: string): SyncInput[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalidParameter('principals', 'not valid JSON');
  }
  if (!Array.isArray(parsed)) throw invalidParameter('principals', 'a JSON array of principals expected');
  return parsed.map((item: unknown, index) => {
    const p = item as Partial<SyncInput> | null;
    if (!p || typeof p !== 'object' || typeof p.name !== 'string' || p.name === '') throw invalidParameter('principals', `item ${index + 1} has no name`);
    const type = p.principalTypeEnum;
    if (!type || ![...USER_TYPES, ...GROUP_TYPES].includes(type as never)) {
      throw invalidParameter('principals', `${p.name}: principalTypeEnum '${String(type)}' is not one of ${[...USER_TYPES, ...GROUP_TYPES].join(', ')}`);
    }
    if (p.visibility !== undefined && p.visibility !== 'DEFAULT' && p.visibility !== 'NON_SHARABLE') {
      throw invalidParameter('principals', `${p.name}: visibility '${p.visibility}' is not DEFAULT or NON_SHARABLE`);
    }
    if (p.groupNames !== undefined && (!Array.isArray(p.groupNames) || p.groupNames.some((g) => typeof g !== 'string'))) {
      throw invalidParameter('principals', `${p.name}: groupNames must be a list of names`);
    }
    return p as SyncInput;
  });
}

/** `All` may be omitted from `groupNames` (reference §2.5): every user is in it. */
function memberships(input: SyncInput, isUser: boolean): string[] {
  const names = [...new Set(input.groupNames ?? [])];
  return isUser && !names.includes('All') ? [...names, 'All'] : names;
}

function differs(existing: PrincipalRecord & { mail?: string }, input: SyncInput, groupNames: string[]): boolean {
  const same = (a: string[], b: string[]) => a.length === b.length && [...a].sort().every((v, i) => v === [...b].sort()[i]);
  return (
    (input.displayName !== undefined && input.displayName !== existing.displayName) ||
    (input.description !== undefined && input.description !== (existing.description ?? '')) ||
    (input.mail !== undefined && input.mail !== existing.mail) ||
    (input.visibility !== undefined && input.visibility !== existing.visibility) ||
    !same(groupNames, existing.groupNames)
  );
}

/**
 * `user/sync` (reference §2.5): the file is the complete desired set; with
 * `applyChanges=false` (the default) only the difference is returned.
 * `removeDeleted` defaults to true. The work is `syncPrincipals`.
 */
function syncUsers(context: HandlerContext): Reply {
  requirePrivilege(context, 'ADMINISTRATION');
  const { params } = context;
  const removeDeleted = params.bool('removeDeleted', true);
  const defaultPassword = params.string('password');
  return json(
    syncPrincipals(context.state, parsePrincipals(params.required('principals')), {
      apply: params.bool('applyChanges', false), removeUsers: removeDeleted, removeGroups: removeDeleted, field: 'principals',
      ...(defaultPassword !== undefined ? { defaultPassword } : {}),
    }),
  );
}

export interface SyncOptions {
  /** False: only say what would change (v1 `applyChanges=false`, v2 `dry_run`). */
  apply: boolean;
  /** Remove the users (groups) not in the input: v1 `removeDeleted`, v2 `delete_unspecified_users`. */
  removeUsers: boolean;
  removeGroups: boolean;
  /** For new local users without their own. */
  defaultPassword?: string;
  /** The request field that holds the principals, for errors (`principals` in v1, `users` in v2). */
  field: string;
}

/**
 * Brings the principals to the input, for v1 `user/sync` and v2
 * `users/import`: built-in principals are never removed; new local users
 * need a password (their own or the default); passwords of existing users
 * are never changed. Every problem is found before anything changes: the
 * changes are planned first (each a function), then applied together.
 */
export function syncPrincipals(state: EmulatorState, inputs: SyncInput[], options: SyncOptions): PrincipalChanges {
  const result: PrincipalChanges = { usersAdded: [], usersDeleted: [], usersUpdated: [], groupsAdded: [], groupsDeleted: [], groupsUpdated: [] };
  const groupNamesAfter = new Set([...state.groups.keys(), ...inputs.filter(isGroupInput).map((g) => g.name)]);
  const changes: Change[] = [];
  for (const input of inputs) {
    const groupNames = memberships(input, !isGroupInput(input));
    const missing = groupNames.find((g) => !groupNamesAfter.has(g));
    if (missing) throw invalidParameter(options.field, `${input.name}: group ${missing} does not exist`);
    const change = isGroupInput(input) ? groupChange(state, input, groupNames, result) : userChange(state, input, groupNames, result, options);
    if (change) changes.push(change);
  }
  changes.push(...removals(state, inputs, options, result));
  if (options.apply && changes.length > 0) {
    for (const change of changes) change();
    state.commit();
  }
  return result;
}

/** One planned change of the state, applied only when the whole input is valid and the sync is not a dry run. */
type Change = () => void;

const isGroupInput = (p: SyncInput) => (GROUP_TYPES as readonly string[]).includes(p.principalTypeEnum);

/** A group of the input: added, updated where it differs, or nothing to do. */
function groupChange(state: EmulatorState, input: SyncInput, groupNames: string[], result: PrincipalChanges): Change | undefined {
  const now = state.now();
  const existing = state.groups.get(input.name);
  if (existing) {
    if (!differs(existing, input, groupNames)) return undefined;
    result.groupsUpdated.push(input.name);
    return () => Object.assign(existing, updated(existing, input, groupNames, now));
  }
  result.groupsAdded.push(input.name);
  return () => state.groups.set(input.name, {
    kind: 'group', id: randomUUID(), name: input.name, displayName: input.displayName ?? input.name,
    ...(input.description ? { description: input.description } : {}), principalTypeEnum: input.principalTypeEnum,
    groupNames, visibility: (input.visibility as GroupRecord['visibility'] | undefined) ?? 'DEFAULT', created: now, modified: now, privileges: [],
  });
}

/** A user of the input: added (a new local user needs a password), updated where it differs, or nothing to do. */
function userChange(state: EmulatorState, input: SyncInput, groupNames: string[], result: PrincipalChanges, options: SyncOptions): Change | undefined {
  const now = state.now();
  const existing = state.users.get(input.name);
  if (existing) {
    if (!differs(existing, input, groupNames)) return undefined;
    result.usersUpdated.push(input.name);
    return () => Object.assign(existing, updated(existing, input, groupNames, now), input.mail !== undefined ? { mail: input.mail } : {});
  }
  const password = input.password ?? options.defaultPassword;
  if (input.principalTypeEnum === 'LOCAL_USER' && !password) throw invalidParameter(options.field, `new local user ${input.name} needs a password`);
  result.usersAdded.push(input.name);
  return () => state.users.set(input.name, {
    kind: 'user', id: randomUUID(), name: input.name, displayName: input.displayName ?? input.name, mail: input.mail ?? '',
    principalTypeEnum: input.principalTypeEnum, groupNames, visibility: (input.visibility as UserRecord['visibility'] | undefined) ?? 'DEFAULT',
    created: now, modified: now, ...(password ? { passwordHash: hashPassword(password) } : {}),
  });
}

/**
 * The users and groups absent from the input, when the options remove them
 * (never built-ins). A removed group leaves every membership in it. Both are
 * the Org's own: a user removed here stays in their other Orgs.
 */
function removals(state: EmulatorState, inputs: SyncInput[], options: SyncOptions, result: PrincipalChanges): Change[] {
  const wanted = new Set(inputs.map((p) => `${isGroupInput(p) ? 'g' : 'u'}:${p.name}`));
  const changes: Change[] = [];
  const users = options.removeUsers ? [...state.users.values()].filter((u) => !u.builtIn && !wanted.has(`u:${u.name}`)) : [];
  for (const user of users) {
    result.usersDeleted.push(user.name);
    changes.push(() => state.users.delete(user.name));
  }
  const groups = options.removeGroups ? [...state.groups.values()].filter((g) => !g.builtIn && !wanted.has(`g:${g.name}`)) : [];
  for (const group of groups) {
    result.groupsDeleted.push(group.name);
    changes.push(() => {
      state.groups.delete(group.name);
      for (const member of [...state.users.values(), ...state.groups.values()]) member.groupNames = member.groupNames.filter((g) => g !== group.name);
    });
  }
  return changes;
}

function updated(existing: PrincipalRecord, input: SyncInput, groupNames: string[], now: number): Partial<PrincipalRecord> {
  return {
    displayName: input.displayName ?? existing.displayName,
    ...(input.description !== undefined ? { description: input.description } : {}),
    visibility: (input.visibility as PrincipalRecord['visibility'] | undefined) ?? existing.visibility,
    groupNames,
    modified: now,
  };
}

/**
 * `user/updatepassword`: the new password as `password` (docs) or
 * `newpassword` (the official Python client). The rules are `changePassword`'s.
 */
function updatePassword(context: HandlerContext): Reply {
  const { params, state } = context;
  const name = params.required('name');
  const user = state.users.get(name);
  if (!user) throw invalidParameter('name', `user ${name} not found`);
  changePassword(context, user, params.required('currentpassword'), params.required('password', 'newpassword'), { current: 'currentpassword', next: 'password' });
  return noContent();
}

/**
 * A password change, for both API versions. A wrong current password is a
 * 400, not a 401, so that clients do not take it for an expired session; so
 * is a new password the policy refuses. Either leaves the password as it was.
 * A change ends the user's sessions and bearer tokens (in every Org): the
 * next call logs in with the new one. `fields` name the request's fields in errors.
 */
export function changePassword(context: HandlerContext, user: UserRecord, current: string, next: string, fields: { current: string; next: string }): void {
  if (currentUser(context).name !== user.name) requirePrivilege(context, 'ADMINISTRATION');
  if (!checkPassword(current, user.passwordHash)) throw invalidParameter(fields.current, 'the current password is wrong');
  const problem = passwordPolicyProblem(next, user.name, current);
  if (problem) throw invalidParameter(fields.next, `the new password does not meet the password policy: ${problem}`);
  // A user is one user across the instance: their record in every Org they are in takes the new password.
  const passwordHash = hashPassword(next);
  // `user` is this Org's record of them, so the loop writes it too.
  for (const org of context.state.instance.orgsOf(user.name)) org.users.get(user.name)!.passwordHash = passwordHash;
  user.modified = context.state.now();
  context.state.commit();
  context.sessions.deleteForUser(user.name);
  context.bearerTokens.revokeForUser(user.name);
}

/**
 * `user/transfer/ownership` (reference §2.7): query parameters; the object
 * list as `objectsID` (docs, cs_tools) or `objectid` (Python client). Only
 * `system` and `su` are refused as the source. The change shows as the
 * objects' `author`.
 */
function transferOwnership(context: HandlerContext): Reply {
  requirePrivilege(context, 'ADMINISTRATION');
  const { params, state } = context;
  const fromName = params.required('fromUserName');
  const toName = params.required('toUserName');
  if (fromName === 'system' || fromName === 'su') throw invalidParameter('fromUserName', `ownership cannot be transferred from ${fromName}`);
  const from = state.users.get(fromName);
  const to = state.users.get(toName);
  if (!from) throw invalidParameter('fromUserName', `user ${fromName} not found`);
  if (!to) throw invalidParameter('toUserName', `user ${toName} not found`);
  const ids = params.list('objectsID', 'objectid');
  const selected = ids && ids.length > 0 ? new Set(ids) : undefined;
  assignAuthor(state, [...state.objects.values()].filter((o) => !selected || selected.has(o.id)), to, from);
  return noContent();
}

/** Makes `to` the author of `objects` (of those `from` authored, when given): v1 `transfer/ownership`, v2 `security/metadata/assign`. */
export function assignAuthor(state: EmulatorState, objects: ContentRecord[], to: UserRecord, from?: UserRecord): void {
  for (const object of objects) if (!from || object.author === from.id) object.author = to.id;
  state.commit();
}

/** The group object of `GET /tspublic/v1/group` (its shape per the older docs; reference §2.8). */
export function groupForm(group: GroupRecord, state: EmulatorState): Record<string, unknown> {
  return {
    header: {
      id: group.id, name: group.name, displayName: group.displayName, ...(group.description ? { description: group.description } : {}),
      type: group.principalTypeEnum, created: group.created, modified: group.modified, isDeleted: false, isHidden: false,
    },
    privileges: [...group.privileges].sort(),
    assignedGroups: group.groupNames.map((name) => state.groups.get(name)?.id).filter(Boolean),
    inheritedGroups: [],
    type: group.principalTypeEnum,
    parenttype: 'GROUP',
    visibility: group.visibility,
    displayName: group.displayName,
    isSystemPrincipal: group.builtIn === true,
    complete: true,
    incompleteDetail: [],
  };
}

function changePrivilege(add: boolean) {
  return (context: HandlerContext): Reply => {
    requirePrivilege(context, 'ADMINISTRATION');
    const { params, state } = context;
    const privilege = knownPrivilege(params.required('privilege'), 'privilege');
    const names = params.list('groupNames') ?? [];
    if (names.length === 0) throw invalidParameter('groupNames', 'required');
    const groups = names.map((name) => state.groups.get(name) ?? invalidGroup(name));
    for (const group of groups) setPrivileges(state, group, add ? [...group.privileges, privilege] : group.privileges.filter((p) => p !== privilege));
    state.commit();
    // 200 with the group's JSON: the official Python client parses a body (reference §2.8).
    return json(groups.length === 1 ? groupForm(groups[0]!, state) : groups.map((g) => groupForm(g, state)));
  };
}

/** Gives a group exactly these privileges (the caller commits); `modified` moves only when they change. */
export function setPrivileges(state: EmulatorState, group: GroupRecord, privileges: string[]): void {
  const next = [...new Set(privileges)];
  const same = next.length === group.privileges.length && next.every((p) => group.privileges.includes(p));
  if (same) return;
  group.privileges = next;
  group.modified = state.now();
}

/** A privilege the emulator knows, or a 400 naming `field` (one list for both API versions). */
export function knownPrivilege(value: string, field: string): string {
  const privilege = value.toUpperCase();
  if (!(PRIVILEGES as readonly string[]).includes(privilege)) throw invalidParameter(field, `unknown privilege ${privilege}`);
  return privilege;
}

function invalidGroup(name: string): never {
  throw invalidParameter('groupNames', `group ${name} not found`);
}

function getGroup(context: HandlerContext): Reply {
  const { params, state } = context;
  const id = params.string('groupid');
  const name = params.string('name');
  if (!id && !name) return json([...state.groups.values()].map((g) => groupForm(g, state)));
  const group = name ? state.groups.get(name) : [...state.groups.values()].find((g) => g.id === id);
  if (!group) throw invalidParameter(name ? 'name' : 'groupid', `group ${name ?? id ?? ''} not found`);
  return json(groupForm(group, state));
}

export const principalRoutes: Route[] = [
  { method: 'GET', path: 'user/list', auth: 'session', body: 'query', handle: listUsers },
  { method: 'POST', path: 'user/sync', auth: 'session', body: 'multipart', handle: syncUsers },
  { method: 'POST', path: 'user/updatepassword', auth: 'session', body: 'form', handle: updatePassword },
  { method: 'POST', path: 'user/transfer/ownership', auth: 'session', body: 'query', handle: transferOwnership },
  { method: 'POST', path: 'group/addprivilege', auth: 'session', body: 'multipart', handle: changePrivilege(true) },
  { method: 'POST', path: 'group/removeprivilege', auth: 'session', body: 'multipart', handle: changePrivilege(false) },
  { method: 'GET', path: 'group', auth: 'session', body: 'query', handle: getGroup },
];
