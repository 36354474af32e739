import { join } from 'node:path';
import { InvalidInputError } from '../../errors/index.js';
import { silentLogger, type Logger } from '../../log/index.js';
import { parseYaml, TmlParseError, yamlProblem } from '../../tml/index.js';
import { readSourceFile, UnsafeSourceError } from '../kernel/content.js';
import { PRINCIPALS_PATH } from '../kernel/layout.js';
import type { PrincipalChanges } from '../../tml/index.js';
import type { GroupPrivileges, PrincipalEntry, ThoughtSpotPort } from '../ports.js';
import { BUILT_IN_PRINCIPALS, GROUP_TYPES, isGroup, principalEntry, PRIVILEGES, USER_TYPES, VISIBILITIES } from '../kernel/principals.js';

/**
 * Principals as code: `principals/principals.yaml` applied to an environment
 * with `user/sync` (reference §2.5), and each group's `privileges:` with
 * `group/addprivilege` / `group/removeprivilege` (§2.8, §2.9). The file is
 * checked whole, against the environment, before anything is sent; the
 * plan is `user/sync` with `applyChanges=false`; a deploy sends a write only
 * when the plan has a change.
 */

/** The `principals:` block of an environment's configuration. */
export interface PrincipalsSettings {
  /** Remove users and groups absent from the file (`removeDeleted`); built-ins never. */
  prune: boolean;
  /** The first password of new local users. */
  initialPassword?: string;
}

export interface PrincipalChange {
  action: 'add' | 'update' | 'remove' | 'keep';
  kind: 'user' | 'group';
  name: string;
  /** For updates: the fields the file changes, e.g. `displayName`, `groupNames`. */
  fields?: string[];
  privilegesAdded?: string[];
  privilegesRemoved?: string[];
  reason?: string;
}

/** What a plan or a deploy did with principals: in the plan, the report and the run's JSON. */
export type PrincipalsOutcome = { managed: false; reason: string } | { managed: true; prune: boolean; changes: PrincipalChange[] };

/** The file failed its checks: every problem, each naming its entry; nothing was sent. Exit 2. */
export class PrincipalsFileError extends InvalidInputError {
  override readonly name = 'PrincipalsFileError';
  constructor(readonly problems: string[]) {
    super(`${PRINCIPALS_PATH}: ${problems.length === 1 ? 'a problem' : `${problems.length} problems`}, nothing was applied:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

interface FileEntry {
  /** `users[2] "ana"`: how problems name the entry. */
  label: string;
  kind: 'user' | 'group';
  principal: PrincipalEntry;
  /** Only when the entry has a `privileges:` key: without one, the group's privileges are left alone. */
  privileges?: string[];
}

const USER_KEYS = new Set(['name', 'displayName', 'mail', 'principalTypeEnum', 'groupNames', 'visibility']);
const GROUP_KEYS = new Set(['name', 'displayName', 'principalTypeEnum', 'groupNames', 'visibility', 'privileges']);

const isMap = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
const isStringList = (value: unknown): value is string[] => Array.isArray(value) && value.every((v) => typeof v === 'string' && v !== '');
const sorted = (values: Iterable<string>) => [...values].sort();
/** A value as a problem quotes it. */
const shown = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

/**
 * The file's own checks (no environment needed): YAML, shape, known keys and
 * values, known privileges, no duplicates, no built-ins, no passwords.
 */
export function parsePrincipalsFile(text: string): { entries: FileEntry[]; problems: string[] } {
  const problems: string[] = [];
  let data: unknown;
  try {
    // The limits every reader of pushed text shares (src/tml/limits.ts): an alias bomb is refused, not expanded.
    data = parseYaml(text, { file: PRINCIPALS_PATH });
  } catch (error) {
    if (!(error instanceof TmlParseError)) throw error;
    return { entries: [], problems: [yamlProblem(error)] };
  }
  if (data === undefined || data === null) data = {};
  if (!isMap(data)) return { entries: [], problems: ['must be a map with `groups:` and `users:` lists'] };
  for (const key of Object.keys(data)) if (key !== 'groups' && key !== 'users') problems.push(`unknown key '${key}' (the file holds \`groups:\` and \`users:\`)`);

  const entries: FileEntry[] = [];
  for (const list of ['groups', 'users'] as const) {
    const items = data[list] ?? [];
    if (!Array.isArray(items)) {
      problems.push(`${list}: must be a list`);
      continue;
    }
    const kind = list === 'groups' ? 'group' : 'user';
    const seen = new Map<string, string>();
    items.forEach((item: unknown, index) => {
      const at = `${list}[${index}]`;
      if (!isMap(item) || typeof item.name !== 'string' || item.name.trim() === '') {
        problems.push(`${at}: needs a name`);
        return;
      }
      const label = `${at} "${item.name}"`;
      const before = problems.length;
      const allowed = kind === 'group' ? GROUP_KEYS : USER_KEYS;
      for (const key of Object.keys(item)) {
        if (key === 'password') problems.push(`${label}: passwords do not belong in git; new local users get principals.initialPassword from the configuration`);
        else if (!allowed.has(key)) problems.push(`${label}: unknown key '${key}' (a ${kind} has ${[...allowed].join(', ')})`);
      }
      const types = kind === 'group' ? GROUP_TYPES : USER_TYPES;
      const type = item.principalTypeEnum ?? (kind === 'group' ? 'LOCAL_GROUP' : 'LOCAL_USER');
      if (typeof type !== 'string' || !types.has(type)) problems.push(`${label}: principalTypeEnum '${shown(type)}' is not one of ${[...types].join(', ')}`);
      for (const key of ['displayName', 'mail'] as const) {
        if (item[key] !== undefined && typeof item[key] !== 'string') problems.push(`${label}: ${key} must be a string`);
      }
      if (item.visibility !== undefined && !VISIBILITIES.has(shown(item.visibility))) problems.push(`${label}: visibility '${shown(item.visibility)}' is not one of ${[...VISIBILITIES].join(', ')}`);
      if (item.groupNames !== undefined && !isStringList(item.groupNames)) problems.push(`${label}: groupNames must be a list of group names`);
      if (item.privileges !== undefined) {
        if (!isStringList(item.privileges)) problems.push(`${label}: privileges must be a list of privilege names`);
        else for (const p of item.privileges) if (!PRIVILEGES.has(p)) problems.push(`${label}: unknown privilege '${p}' (known: ${[...PRIVILEGES].join(', ')})`);
      }
      if (BUILT_IN_PRINCIPALS.has(item.name)) problems.push(`${label}: a built-in principal; tmlsync never changes built-ins, so it does not belong in the file`);
      const first = seen.get(item.name);
      if (first) problems.push(`${label}: duplicate name (also ${first})`);
      else seen.set(item.name, at);
      if (problems.length > before) return;
      const principal = principalEntry({ ...(item as PrincipalEntry), principalTypeEnum: type as string, groupNames: [...new Set((item.groupNames as string[] | undefined) ?? [])] });
      entries.push({ label, kind, principal, ...(item.privileges !== undefined ? { privileges: [...new Set(item.privileges as string[])].sort() } : {}) });
    });
  }
  return { entries, problems };
}

/**
 * The checks that need the environment: memberships name known groups (the
 * file's, the built-ins, and, without prune, the environment's others), no
 * group is its own member through others, and every new local user has a
 * password source.
 */
function checkAgainst(entries: FileEntry[], current: PrincipalEntry[], settings: PrincipalsSettings, environment: string): string[] {
  const problems: string[] = [];
  const fileGroups = new Map(entries.filter((e) => e.kind === 'group').map((e) => [e.principal.name, e]));
  const currentGroups = new Map(current.filter(isGroup).map((p) => [p.name, p]));
  // Without prune, the environment's other groups stay and may be named; built-in groups always stay.
  const kept = [...currentGroups.values()].filter((g) => !fileGroups.has(g.name) && (!settings.prune || BUILT_IN_PRINCIPALS.has(g.name)));
  const known = new Set([...fileGroups.keys(), ...kept.map((g) => g.name), 'All']);
  for (const entry of entries) {
    for (const group of entry.principal.groupNames ?? []) {
      if (known.has(group)) continue;
      problems.push(
        currentGroups.has(group)
          ? `${entry.label}: group "${group}" is not in the file, and with prune: true ${environment} keeps only the file's groups and the built-ins`
          : `${entry.label}: group "${group}" is unknown: neither in the file nor in ${environment}`,
      );
    }
  }

  // Groups in groups: a cycle makes memberships meaningless. Edges from the file, and from the groups that stay.
  const parents = new Map<string, string[]>([...kept.map((g): [string, string[]] => [g.name, g.groupNames ?? []]), ...[...fileGroups].map(([name, e]): [string, string[]] => [name, e.principal.groupNames ?? []])]);
  const state = new Map<string, 'active' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): void => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'active') {
      const cycle = stack.slice(stack.indexOf(name));
      // Named from the first of its groups (by name) that the file holds, so that one cycle reads the same every run.
      const first = sorted(cycle.filter((n) => fileGroups.has(n)))[0] ?? cycle[0]!;
      const at = cycle.indexOf(first);
      const rotated = [...cycle.slice(at), ...cycle.slice(0, at), first];
      problems.push(`${fileGroups.get(first)?.label ?? `group "${first}"`}: group cycle ${rotated.map((n) => `"${n}"`).join(' → ')}; a group cannot be its own member`);
      return;
    }
    state.set(name, 'active');
    stack.push(name);
    for (const parent of parents.get(name) ?? []) visit(parent);
    stack.pop();
    state.set(name, 'done');
  };
  for (const name of fileGroups.keys()) visit(name);

  const currentUsers = new Set(current.filter((p) => !isGroup(p)).map((p) => p.name));
  if (!settings.initialPassword) {
    for (const entry of entries) {
      if (entry.kind === 'user' && entry.principal.principalTypeEnum === 'LOCAL_USER' && !currentUsers.has(entry.principal.name)) {
        problems.push(`${entry.label}: a new local user needs a first password, and ${environment} has none: set principals.initialPassword: \${VAR} in its configuration`);
      }
    }
  }
  return problems;
}

/** One privilege call: a privilege added to, or removed from, some groups. */
interface PrivilegeCall {
  change: 'add' | 'remove';
  privilege: string;
  groups: string[];
}

export interface PrincipalsPlan {
  outcome: PrincipalsOutcome;
  /** What a deploy sends; absent when the environment's principals are not managed. */
  apply?: {
    principals: PrincipalEntry[];
    removeDeleted: boolean;
    password?: string;
    /** Whether `user/sync` would change anything: if not, it is not sent. */
    syncNeeded: boolean;
    privileges: PrivilegeCall[];
    entries: FileEntry[];
    current: PrincipalEntry[];
    diffs: Map<string, PrivilegeDiff>;
  };
}

export interface PlanPrincipalsOptions {
  thoughtspot: ThoughtSpotPort;
  /** The working tree, at the commit being deployed. */
  dir: string;
  environment: string;
  /** The environment's `principals:` block; without it nothing is read or sent. */
  settings?: PrincipalsSettings;
}

/**
 * Reads and checks the file against the environment, then asks `user/sync`
 * with `applyChanges=false` what it would change, and compares privileges.
 * Throws `PrincipalsFileError` with every problem before anything is written.
 */
export async function planPrincipals(options: PlanPrincipalsOptions): Promise<PrincipalsPlan> {
  const { thoughtspot, settings, environment } = options;
  if (!settings) {
    return { outcome: { managed: false, reason: `${environment} has no principals: block in the configuration; its users and groups are left alone` } };
  }
  let text: string;
  try {
    text = readSourceFile(join(options.dir, PRINCIPALS_PATH), PRINCIPALS_PATH);
  } catch (error) {
    // A link or a special file in its place is refused as such, not reported missing.
    if (error instanceof UnsafeSourceError) throw error;
    throw new PrincipalsFileError([`missing: ${environment} has a principals: block, so the deployed commit must hold the file (an export writes it)`]);
  }
  const { entries, problems } = parsePrincipalsFile(text);
  if (problems.length > 0) throw new PrincipalsFileError(problems);
  const [current, groupPrivileges] = await Promise.all([thoughtspot.listPrincipals(), thoughtspot.listGroupPrivileges()]);
  const environmentProblems = checkAgainst(entries, current, settings, environment);
  if (environmentProblems.length > 0) throw new PrincipalsFileError(environmentProblems);

  // With prune, the built-ins go in as they are: absent ones would be removed if the server did not protect them (§2.5: unconfirmed).
  const builtIns = settings.prune ? current.filter((p) => BUILT_IN_PRINCIPALS.has(p.name)).map(principalEntry) : [];
  const principals = [...entries.map((e) => e.principal), ...builtIns];
  const request = { principals, removeDeleted: settings.prune, ...(settings.initialPassword ? { password: settings.initialPassword } : {}) };
  const result = await thoughtspot.syncPrincipals({ ...request, apply: false });
  const diffs = privilegeDiffs(entries, new Map(groupPrivileges.map((g: GroupPrivileges) => [g.name, g.privileges])));
  const syncNeeded = Object.values(result).some((names: string[]) => names.length > 0);
  return {
    outcome: { managed: true, prune: settings.prune, changes: changesOf(result, entries, current, diffs, settings.prune) },
    apply: { ...request, syncNeeded, privileges: privilegeCalls(diffs), entries, current, diffs },
  };
}

/**
 * Applies a plan: `user/sync` only when it changes something, then each
 * privilege call (after the sync, so that new groups exist). Returns what
 * was done, from the server's own answer.
 */
export async function applyPrincipals(thoughtspot: ThoughtSpotPort, plan: PrincipalsPlan, log: Logger = silentLogger()): Promise<PrincipalsOutcome> {
  const { apply } = plan;
  if (!apply || plan.outcome.managed === false) return plan.outcome;
  let result: PrincipalChanges = { usersAdded: [], usersDeleted: [], usersUpdated: [], groupsAdded: [], groupsDeleted: [], groupsUpdated: [] };
  if (apply.syncNeeded) {
    result = await thoughtspot.syncPrincipals({ principals: apply.principals, apply: true, removeDeleted: apply.removeDeleted, ...(apply.password ? { password: apply.password } : {}) });
    log.info(Object.fromEntries(Object.entries(result).map(([k, v]: [string, string[]]) => [k, v.length])), 'principals synced');
  }
  for (const call of apply.privileges) {
    await thoughtspot.changePrivilege(call.change, call.privilege, call.groups);
    log.info({ change: call.change, privilege: call.privilege, groups: call.groups }, 'group privilege changed');
  }
  return { managed: true, prune: apply.removeDeleted, changes: changesOf(result, apply.entries, apply.current, apply.diffs, apply.removeDeleted) };
}

interface PrivilegeDiff {
  added: string[];
  removed: string[];
}

/** Per group of the file with a `privileges:` key, what differs from what it holds; groups without a difference are left out. */
function privilegeDiffs(entries: FileEntry[], held: Map<string, string[]>): Map<string, PrivilegeDiff> {
  const diffs = new Map<string, PrivilegeDiff>();
  for (const entry of entries) {
    if (entry.kind !== 'group' || !entry.privileges) continue;
    const now = new Set(held.get(entry.principal.name) ?? []);
    const wanted = new Set(entry.privileges);
    const diff = { added: sorted(entry.privileges.filter((p) => !now.has(p))), removed: sorted([...now].filter((p) => !wanted.has(p))) };
    if (diff.added.length > 0 || diff.removed.length > 0) diffs.set(entry.principal.name, diff);
  }
  return diffs;
}

/** Only the difference: one call per privilege and direction (removals first), its groups in name order. */
function privilegeCalls(diffs: Map<string, PrivilegeDiff>): PrivilegeCall[] {
  const calls = new Map<string, PrivilegeCall>();
  for (const [group, diff] of diffs) {
    for (const [change, privileges] of [['remove', diff.removed], ['add', diff.added]] as const) {
      for (const privilege of privileges) {
        const call = calls.get(`${change} ${privilege}`) ?? { change, privilege, groups: [] };
        call.groups.push(group);
        calls.set(`${change} ${privilege}`, call);
      }
    }
  }
  return [...calls.values()]
    .map((c) => ({ ...c, groups: sorted(c.groups) }))
    .sort((a, b) => (a.change === b.change ? a.privilege.localeCompare(b.privilege) : a.change === 'remove' ? -1 : 1));
}

/** Users are always in `All` (§2.5), whether the file says so or not. */
function memberships(p: PrincipalEntry): string[] {
  const names = new Set(p.groupNames ?? []);
  if (!isGroup(p)) names.add('All');
  return sorted(names);
}

function changedFields(wanted: PrincipalEntry, now: PrincipalEntry | undefined): string[] {
  if (!now) return [];
  const fields: string[] = [];
  for (const field of ['displayName', 'mail', 'visibility'] as const) {
    if (wanted[field] !== undefined && wanted[field] !== (now[field] ?? (field === 'mail' ? '' : undefined))) fields.push(field);
  }
  if (memberships(wanted).join('\u0000') !== memberships(now).join('\u0000')) fields.push('groupNames');
  return fields;
}

/** The changes, per principal, from `user/sync`'s answer and the privilege difference. */
function changesOf(result: PrincipalChanges, entries: FileEntry[], current: PrincipalEntry[], diffs: Map<string, PrivilegeDiff>, prune: boolean): PrincipalChange[] {
  const wanted = new Map(entries.map((e) => [`${e.kind}:${e.principal.name}`, e.principal]));
  const now = new Map(current.map((p) => [`${isGroup(p) ? 'group' : 'user'}:${p.name}`, p]));
  const change = (action: PrincipalChange['action'], kind: 'user' | 'group', name: string): PrincipalChange => {
    const entry = wanted.get(`${kind}:${name}`);
    const diff = kind === 'group' && action !== 'remove' ? diffs.get(name) : undefined;
    return {
      action, kind, name,
      ...(action === 'update' ? { fields: entry ? changedFields(entry, now.get(`${kind}:${name}`)) : [] } : {}),
      ...(diff?.added.length ? { privilegesAdded: diff.added } : {}),
      ...(diff?.removed.length ? { privilegesRemoved: diff.removed } : {}),
    };
  };
  const synced = new Set([...result.groupsAdded, ...result.groupsUpdated]);
  // A group whose privileges change while user/sync leaves it as it is.
  const privilegesOnly = [...diffs.keys()].filter((name) => !synced.has(name));
  const changes = [
    ...sorted(result.groupsAdded).map((name) => change('add', 'group', name)),
    ...sorted(result.usersAdded).map((name) => change('add', 'user', name)),
    ...sorted([...result.groupsUpdated, ...privilegesOnly]).map((name) => change('update', 'group', name)),
    ...sorted(result.usersUpdated).map((name) => change('update', 'user', name)),
    ...sorted(result.groupsDeleted).map((name) => change('remove', 'group', name)),
    ...sorted(result.usersDeleted).map((name) => change('remove', 'user', name)),
  ];
  if (!prune) {
    for (const p of current) {
      const kind = isGroup(p) ? 'group' : 'user';
      if (BUILT_IN_PRINCIPALS.has(p.name) || wanted.has(`${kind}:${p.name}`)) continue;
      changes.push({ action: 'keep', kind, name: p.name, reason: 'not in the file; removed only with principals.prune: true' });
    }
  }
  return changes;
}

/** Counts of the changes, e.g. `1 user added, 2 groups updated`. */
function counts(changes: PrincipalChange[]): string {
  const verbs = { add: 'added', update: 'updated', remove: 'removed', keep: 'kept' } as const;
  const parts: string[] = [];
  for (const action of ['add', 'update', 'remove', 'keep'] as const) {
    for (const kind of ['user', 'group'] as const) {
      const n = changes.filter((c) => c.action === action && c.kind === kind).length;
      if (n > 0) parts.push(`${n} ${kind}${n === 1 ? '' : 's'} ${verbs[action]}`);
    }
  }
  return parts.length > 0 ? parts.join(', ') : 'no change';
}

function detail(change: PrincipalChange): string {
  const parts = [
    ...(change.fields?.length ? [change.fields.join(', ')] : []),
    ...(change.privilegesAdded ? [`+${change.privilegesAdded.join(' +')}`] : []),
    ...(change.privilegesRemoved ? [`-${change.privilegesRemoved.join(' -')}`] : []),
    ...(change.reason ? [change.reason] : []),
  ];
  return parts.join('; ');
}

/** Plain-text lines for the plan and the deploy summary. */
export function principalsText(outcome: PrincipalsOutcome | undefined): string[] {
  if (!outcome) return [];
  if (!outcome.managed) return [`principals: not managed — ${outcome.reason}`];
  return [
    `principals (${PRINCIPALS_PATH}${outcome.prune ? ', prune' : ''}): ${counts(outcome.changes)}`,
    ...outcome.changes.map((c) => `  ${c.action.padEnd(8)} ${c.kind} "${c.name}"${detail(c) ? ` — ${detail(c)}` : ''}`),
  ];
}

/** The principals section of the plan in Markdown. */
export function principalsMarkdown(outcome: PrincipalsOutcome | undefined): string[] {
  if (!outcome) return [];
  const escape = (text: string) => text.replace(/[|`*_<>]/g, (m) => `\\${m}`);
  if (!outcome.managed) return ['#### Principals', '', `Not managed: ${escape(outcome.reason)}.`, ''];
  return [
    '#### Principals',
    '',
    `**${counts(outcome.changes)}**${outcome.prune ? ' (prune: true)' : ''}`,
    '',
    ...(outcome.changes.length
      ? ['| action | kind | name | changes |', '|---|---|---|---|', ...outcome.changes.map((c) => `| ${c.action} | ${c.kind} | ${escape(c.name)} | ${escape(detail(c))} |`)]
      : ['Nothing to change.']),
    '',
  ];
}
