/**
 * v2 `groups/import`: groups created, updated and (when asked) deleted from
 * one complete list, over the same records as v1 `user/sync`.
 *
 * Contract notes:
 * - CONFIRMED (SDK `ThoughtSpotRestApi.md` importUserGroups; models
 *   `ImportUserGroupsRequest`, `GroupsImportListInput`,
 *   `ImportUserGroupsResponse`): `{groups: [{group_identifier, display_name,
 *   description?, privileges?, sub_group_identifiers?, type?,
 *   user_identifiers?, visibility?}], delete_unspecified_groups?, dry_run?}`
 *   → `{groups_added, groups_updated, groups_deleted}` of `{id, name}`;
 *   ADMINISTRATION is required; a group not there is added, one there is
 *   "modified and synchronized as per the input data"; with
 *   `delete_unspecified_groups` the groups not named are deleted, "excluding
 *   administrator and system user groups".
 * - UNCONFIRMED, our choices: `dry_run` defaults to true and
 *   `delete_unspecified_groups` to false, as `users/import`'s do (the SDK's
 *   example sends both); a field left out keeps its current value (so
 *   privileges are kept when `privileges` is absent); `sub_group_identifiers`
 *   and `user_identifiers`, when given, are the group's complete member lists;
 *   sub-groups may be groups added by the same request, users must exist;
 *   the built-in groups are never deleted (as `user/sync` never deletes them).
 */
import { randomUUID } from 'node:crypto';
import { json, type HandlerContext, type Reply } from '../../context.js';
import { invalidParameter } from '../../errors.js';
import type { JsonBody } from '../../json-body.js';
import { GROUP_TYPES, type GroupRecord } from '../../principals.js';
import type { EmulatorState } from '../../state.js';
import { knownPrivilege, requirePrivilege } from '../principals.js';
import { findUser } from './common.js';

/** One entry of the request, its references resolved to names. */
interface GroupInput {
  name: string;
  displayName: string;
  description?: string;
  type?: string;
  visibility?: GroupRecord['visibility'];
  privileges?: string[];
  subGroups?: string[];
  users?: string[];
}

interface GroupImportPlan {
  added: GroupInput[];
  updated: GroupInput[];
  deleted: GroupRecord[];
}

/** `groups/import`: the plan is made (and every problem found) before anything changes; `dry_run` stops there. */
export function importGroups(context: HandlerContext): Reply {
  requirePrivilege(context, 'ADMINISTRATION');
  const { body, state } = context;
  if (!body.has('groups')) throw invalidParameter('groups', 'required');
  const inputs = readGroups(body.objects('groups'), state);
  const plan = planImport(state, inputs, body.bool('delete_unspecified_groups', false));
  const deletedIds = new Map(plan.deleted.map((g) => [g.name, g.id]));
  if (!body.bool('dry_run', true)) applyImport(state, plan, inputs);
  const named = (name: string) => ({ id: state.groups.get(name)?.id ?? deletedIds.get(name) ?? null, name });
  return json({
    groups_added: plan.added.map((g) => named(g.name)),
    groups_updated: plan.updated.map((g) => named(g.name)),
    groups_deleted: plan.deleted.map((g) => named(g.name)),
  });
}

/** The request's groups, each reference checked: sub-groups among the groups there or in the request, users among the users there. */
function readGroups(entries: JsonBody[], state: EmulatorState): GroupInput[] {
  const named = entries.map((entry) => entry.required('group_identifier'));
  const requested = new Set(named.map((identifier) => groupName(state, identifier) ?? identifier));
  return entries.map((entry, i) => {
    const name = groupName(state, named[i]!) ?? named[i]!;
    if (named.slice(0, i).some((other) => (groupName(state, other) ?? other) === name)) throw invalidParameter(`groups[${i}].group_identifier`, `${name} is named twice`);
    const subGroups = entry.strings('sub_group_identifiers')?.map((identifier) => {
      const sub = groupName(state, identifier) ?? (requested.has(identifier) ? identifier : undefined);
      if (sub === undefined) throw invalidParameter(`groups[${i}].sub_group_identifiers`, `group ${identifier} not found`);
      if (sub === name) throw invalidParameter(`groups[${i}].sub_group_identifiers`, `${name} cannot be a sub-group of itself`);
      return sub;
    });
    const visibility = entry.has('visibility') ? entry.oneOf('visibility', ['SHARABLE', 'NON_SHARABLE'] as const, 'SHARABLE') : undefined;
    const description = entry.string('description');
    return {
      name,
      displayName: entry.required('display_name'),
      ...(description !== undefined ? { description } : {}),
      ...(entry.has('type') ? { type: entry.oneOf('type', GROUP_TYPES, 'LOCAL_GROUP') } : {}),
      ...(visibility ? { visibility: visibility === 'SHARABLE' ? 'DEFAULT' : 'NON_SHARABLE' } : {}),
      ...optionalList('privileges', entry.strings('privileges')?.map((p) => knownPrivilege(p, `groups[${i}].privileges`))),
      ...optionalList('subGroups', subGroups),
      ...optionalList('users', entry.strings('user_identifiers')?.map((u) => findUser(state, u, `groups[${i}].user_identifiers`).name)),
    };
  });
}

function optionalList<K extends string>(key: K, list: string[] | undefined): Partial<Record<K, string[]>> {
  return list === undefined ? {} : ({ [key]: [...new Set(list)] } as Record<K, string[]>);
}

/** A group's name from its name or GUID; undefined for a group that is not there. */
function groupName(state: EmulatorState, identifier: string): string | undefined {
  return state.groups.get(identifier)?.name ?? [...state.groups.values()].find((g) => g.id === identifier)?.name;
}

function planImport(state: EmulatorState, inputs: GroupInput[], deleteUnspecified: boolean): GroupImportPlan {
  const plan: GroupImportPlan = { added: [], updated: [], deleted: [] };
  for (const input of inputs) {
    const existing = state.groups.get(input.name);
    if (!existing) plan.added.push(input);
    else if (differs(state, existing, input)) plan.updated.push(input);
  }
  if (deleteUnspecified) {
    const named = new Set(inputs.map((g) => g.name));
    plan.deleted = [...state.groups.values()].filter((g) => !g.builtIn && !named.has(g.name));
  }
  return plan;
}

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((item) => b.includes(item));

/** The groups (or users) that are members of `group` now. */
function membersOf(records: Iterable<{ name: string; groupNames: string[] }>, group: string): string[] {
  return [...records].filter((r) => r.groupNames.includes(group)).map((r) => r.name);
}

function differs(state: EmulatorState, existing: GroupRecord, input: GroupInput): boolean {
  return (
    input.displayName !== existing.displayName ||
    (input.description !== undefined && input.description !== (existing.description ?? '')) ||
    (input.type !== undefined && input.type !== existing.principalTypeEnum) ||
    (input.visibility !== undefined && input.visibility !== existing.visibility) ||
    (input.privileges !== undefined && !sameSet(input.privileges, existing.privileges)) ||
    (input.subGroups !== undefined && !sameSet(input.subGroups, membersOf(state.groups.values(), existing.name))) ||
    (input.users !== undefined && !sameSet(input.users, membersOf(state.users.values(), existing.name)))
  );
}

/** Deletes, then creates and updates the groups, then sets the member lists given (new sub-groups exist by then). */
function applyImport(state: EmulatorState, plan: GroupImportPlan, inputs: GroupInput[]): void {
  const now = state.now();
  for (const group of plan.deleted) {
    state.groups.delete(group.name);
    for (const member of [...state.users.values(), ...state.groups.values()]) member.groupNames = member.groupNames.filter((g) => g !== group.name);
  }
  for (const input of plan.added) {
    state.groups.set(input.name, {
      kind: 'group', id: randomUUID(), name: input.name, displayName: input.displayName, principalTypeEnum: input.type ?? 'LOCAL_GROUP',
      groupNames: [], visibility: input.visibility ?? 'DEFAULT', created: now, modified: now, privileges: input.privileges ?? [],
      ...(input.description ? { description: input.description } : {}),
    });
  }
  for (const input of plan.updated) {
    Object.assign(state.groups.get(input.name)!, {
      displayName: input.displayName, modified: now,
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(input.type !== undefined ? { principalTypeEnum: input.type } : {}),
      ...(input.visibility !== undefined ? { visibility: input.visibility } : {}),
      ...(input.privileges !== undefined ? { privileges: input.privileges } : {}),
    });
  }
  for (const input of inputs) {
    if (input.subGroups) setMembers(state.groups.values(), input.name, input.subGroups);
    if (input.users) setMembers(state.users.values(), input.name, input.users);
  }
  state.commit();
}

/** Makes exactly `members` (by name) members of `group`. */
function setMembers(records: Iterable<{ name: string; groupNames: string[] }>, group: string, members: string[]): void {
  for (const record of records) {
    const inGroup = record.groupNames.includes(group);
    if (members.includes(record.name) && !inGroup) record.groupNames = [...record.groupNames, group];
    if (!members.includes(record.name) && inGroup) record.groupNames = record.groupNames.filter((g) => g !== group);
  }
}
