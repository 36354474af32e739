import { invertMapping, isMap, type TmlValue } from '../tml/index.js';
import { exportBack } from './kernel/batches.js';
import { guidlessIn, prepareDeploy } from './deploy/prepare.js';
import type { DeployOptions, Identity, PlannedChange } from './deploy/types.js';
import { contentHash } from './kernel/ledger.js';
import { planPrune } from './deploy/prune.js';
import { planPrincipals, principalsMarkdown, principalsText, type PrincipalsOutcome } from './deploy/principals.js';
import { ownedObjects, ownershipLines, ownershipMarkdown, planOwnership, type OwnerChange } from './deploy/ownership.js';

export type PlanAction = PlannedChange['action'] | 'conflict';

export interface PlanEntry extends Omit<PlannedChange, 'action'> {
  action: PlanAction;
  /** Fields that differ between the environment and the repository, e.g. `answer->search_query`. */
  fields: string[];
  reason?: string;
}

export interface PlanReport {
  environment: string;
  commit: string;
  entries: PlanEntry[];
  counts: Record<PlanAction, number>;
  /** Users, groups and privileges a deploy would change (`user/sync` with `applyChanges=false`). */
  principals?: PrincipalsOutcome;
  /** Changes of owner a deploy would make (with an `ownership` policy). */
  ownership?: OwnerChange[];
}

/** Leaf paths of a TML value in ThoughtSpot's `kind->field(Nth)->sub` style. */
function leaves(value: TmlValue, path: string, out: Map<string, string>): Map<string, string> {
  if (Array.isArray(value)) {
    value.forEach((item, i) => leaves(item, `${path}(${i + 1})`, out));
    if (value.length === 0) out.set(path, '[]');
  } else if (isMap(value)) {
    for (const [key, inner] of Object.entries(value)) if (key !== 'guid') leaves(inner, path ? `${path}->${key}` : key, out);
  } else {
    out.set(path, JSON.stringify(value));
  }
  return out;
}

/**
 * The fields that differ, not raw YAML lines: every leaf path whose value
 * changed, appeared or went, summarised at the list element that holds it.
 */
export function semanticDiff(before: TmlValue, after: TmlValue, limit = 20): string[] {
  const a = leaves(before, '', new Map());
  const b = leaves(after, '', new Map());
  const changed = new Set<string>();
  for (const key of new Set([...a.keys(), ...b.keys()])) {
    if (a.get(key) !== b.get(key)) changed.add(key.replace(/\(\d+\)(->[^(]*)?$/, (m) => m.replace(/->.*$/, '')));
  }
  const list = [...changed].sort();
  return list.length > limit ? [...list.slice(0, limit), `… ${list.length - limit} more`] : list;
}

/**
 * `tmlsync plan`: the deploy's change set after mapping, each update with the
 * fields it changes. An object changed in ThoughtSpot since it was deployed
 * and changed in git too is a conflict. Writes nothing.
 */
export async function runPlan(options: DeployOptions & { /** A sync environment: ThoughtSpot's own changes are exported, not undone. */ sync?: boolean }): Promise<PlanReport> {
  const prepared = await prepareDeploy(options);
  const { candidates, ledger, mapping, deletions } = prepared;
  const deployed = candidates.filter((c) => ledger.objects[c.canonicalGuid] && c.action !== 'create');
  const files = new Map(deployed.map((c) => [ledger.objects[c.canonicalGuid]!.envGuid, c.doc]));
  const exported = await exportBack(options.thoughtspot, [...files.keys()], { back: invertMapping(mapping), guidless: guidlessIn(ledger), files });
  const identities = new Map(prepared.plan.map((p) => [p.canonicalGuid, p.identity]));
  const entries: PlanEntry[] = candidates.map((c) => {
    const entry = ledger.objects[c.canonicalGuid];
    const identity = identities.get(c.canonicalGuid);
    const base = { kind: c.doc.kind, name: c.doc.name, path: c.path, canonicalGuid: c.canonicalGuid, ...(identity ? { identity } : {}), ...(entry ? { envGuid: entry.envGuid } : {}) };
    if (c.action === 'create') return { ...base, action: 'create', fields: [] };
    const item = exported.get(entry!.envGuid);
    if (!item || 'error' in item) return { ...base, action: c.action, fields: [] };
    const { doc: current, text } = item;
    // Matched by obj_id with no deploy of it recorded: nothing to tell a change there from one in git.
    if (entry!.hash === '') return { ...base, action: c.action, fields: semanticDiff(current.data, c.doc.data), reason: 'matched by its obj_id; no earlier deploy of it recorded here' };
    const editedThere = contentHash(text) !== entry!.hash;
    if (c.action === 'unchanged') {
      if (editedThere && options.sync) return { ...base, action: 'unchanged', fields: semanticDiff(c.doc.data, current.data), reason: 'changed in ThoughtSpot; the next sync exports it' };
      return editedThere ? { ...base, action: 'update', fields: semanticDiff(current.data, c.doc.data), reason: 'changed in ThoughtSpot since the last deploy; the deploy restores the repository version' } : { ...base, action: 'unchanged', fields: [] };
    }
    const fields = semanticDiff(current.data, c.doc.data);
    return editedThere ? { ...base, action: 'conflict', fields, reason: `changed both in git and in ThoughtSpot since the last ${options.sync ? 'sync' : 'deploy'}` } : { ...base, action: 'update', fields };
  });
  const prune = planPrune(prepared, options.environment, options.repo.dir);
  const kept = new Map(prune.kept.map((k) => [k.path, k.reason]));
  const deleted = prune.refusal ?? 'gone from the repository: deleted (prune: true), after a TML backup';
  entries.push(...deletions.map((d): PlanEntry => ({ ...d, fields: [], reason: kept.get(d.path) ?? deleted })));
  const counts: Record<PlanAction, number> = { create: 0, update: 0, unchanged: 0, delete: 0, conflict: 0 };
  for (const e of entries) counts[e.action] += 1;
  const principals = await planPrincipals({ thoughtspot: options.thoughtspot, dir: options.repo.dir, environment: options.environment.name, settings: options.environment.principals });
  const policy = options.environment.ownership;
  const ownership = policy ? await planOwnership(options.thoughtspot, policy, ownedObjects(candidates, mapping.guids), prepared.authors) : undefined;
  return { environment: options.environment.name, commit: prepared.commit, entries, counts, principals: principals.outcome, ...(ownership ? { ownership } : {}) };
}

/** How `tmlsync plan` names the identity an object was matched by. */
const IDENTITY_TEXT: Record<Identity, string> = { obj_id: 'by obj_id', ledger: 'by ledger GUID', guid: 'by same GUID', new: 'new' };

export function planText(plan: PlanReport): string {
  const c = plan.counts;
  const lines = [`plan for ${plan.environment} at ${plan.commit.slice(0, 12)}: ${c.create} create, ${c.update} update, ${c.delete} delete, ${c.conflict} conflict, ${c.unchanged} unchanged`];
  for (const e of plan.entries.filter((x) => x.action !== 'unchanged')) {
    lines.push(`  ${e.action.padEnd(8)} ${e.kind} "${e.name}" (${e.path})${e.identity ? ` [${IDENTITY_TEXT[e.identity]}]` : ''}${e.reason ? ` — ${e.reason}` : ''}`);
    for (const field of e.fields) lines.push(`             ~ ${field}`);
  }
  lines.push(...principalsText(plan.principals));
  lines.push(...ownershipLines(plan.ownership ?? []));
  return `${lines.join('\n')}\n`;
}

/** Markdown fit for a pull request comment or the job summary. */
export function planMarkdown(plan: PlanReport): string {
  const c = plan.counts;
  const escape = (text: string) => text.replace(/[|`*_<>]/g, (m) => `\\${m}`);
  const rows = plan.entries
    .filter((e) => e.action !== 'unchanged')
    .map((e) => `| ${e.action} | ${e.kind} | ${escape(e.name)} | ${e.fields.length ? e.fields.map((f) => `\`${f.replace(/`/g, "'")}\``).join('<br>') : escape(e.reason ?? '')} |`);
  return [
    `### tmlsync plan for \`${plan.environment}\``,
    '',
    `**${c.create} create, ${c.update} update, ${c.delete} delete, ${c.conflict} conflict**, ${c.unchanged} unchanged (commit \`${plan.commit.slice(0, 12)}\`)`,
    '',
    ...(rows.length ? ['| action | kind | object | changed fields |', '|---|---|---|---|', ...rows] : [plan.ownership?.length ? 'No content to deploy.' : 'Nothing to deploy.']),
    '',
    ...principalsMarkdown(plan.principals),
    ...ownershipMarkdown(plan.ownership ?? [], escape),
  ].join('\n');
}

export interface DriftEntry {
  kind: string;
  name: string;
  path: string;
  envGuid: string;
  state: 'changed' | 'missing';
  fields: string[];
}

/**
 * What in ThoughtSpot differs from what was last deployed there (`tmlsync
 * export --dry-run` on a deploy environment): every object of the deploy
 * ledger, exported and mapped back, against the deployed file's hash.
 */
export async function runDrift(options: DeployOptions): Promise<{ environment: string; commit?: string; drift: DriftEntry[]; checked: number }> {
  const prepared = await prepareDeploy(options);
  const { ledger, mapping, candidates } = prepared;
  const entries = Object.values(ledger.objects);
  const files = new Map(entries.map((e) => [e.envGuid, candidates.find((c) => c.path === e.path)?.doc]));
  const exported = await exportBack(options.thoughtspot, entries.map((e) => e.envGuid), { back: invertMapping(mapping), guidless: guidlessIn(ledger), files });
  const drift: DriftEntry[] = [];
  for (const entry of entries) {
    const item = exported.get(entry.envGuid)!;
    const base = { kind: entry.kind, name: entry.name, path: entry.path, envGuid: entry.envGuid };
    if ('error' in item) {
      drift.push({ ...base, state: 'missing', fields: [] });
      continue;
    }
    if (contentHash(item.text) === entry.hash) continue;
    const file = files.get(entry.envGuid);
    drift.push({ ...base, state: 'changed', fields: file ? semanticDiff(file.data, item.doc.data) : [] });
  }
  return { environment: options.environment.name, ...(ledger.deployedCommit ? { commit: ledger.deployedCommit } : {}), drift, checked: entries.length };
}
