import { InvalidInputError } from '../../errors/index.js';
import type { Logger } from '../../log/index.js';
import { format, handlerFor, parse, resolveReferences, type KnownObject, type TmlDocument, type TmlKind } from '../../tml/index.js';
import type { ChangeSet, PlannedChange } from './types.js';
import type { WorkflowEnvironment } from '../kernel/environment.js';
import { hasContentFolder } from '../kernel/content.js';
import { stateRef, type DeployLedger } from '../kernel/ledger.js';
import type { ContentRepo, DeletableType, ThoughtSpotPort } from '../ports.js';
import type { ObjectResult } from '../kernel/report.js';
import { targetObjects } from '../kernel/target.js';

/**
 * Deletions on deploy (DESIGN.md "Deploy", step 8; issue 5): an object whose
 * file left the repository is deleted only
 * - with `prune` on for the environment,
 * - when the deploy ledger says tmlsync created it (adopted objects stay),
 * - when the source is there: a missing or empty `tml/` deletes nothing,
 * - when no more than `maxDeletions` would go: more deletes nothing,
 * - after its TML is backed up to `refs/tmlsync/<env>/backup` in the remote,
 * - dependents first (reverse dependency order), and never in a dry run.
 * A refused prune stops the whole run before anything is written (exit 2).
 */

/** Gone from the repository but kept, and why. */
export interface KeptObject {
  kind: string;
  name: string;
  path: string;
  reason: string;
}

export interface PrunePlan {
  enabled: boolean;
  maxDeletions?: number;
  /** What this run deletes: created by tmlsync, gone from the files, still in the target. */
  deletions: PlannedChange[];
  kept: KeptObject[];
  /** Why the run must delete nothing and stop (only when prune is on). */
  refusal?: string;
}

/** What a deploy report says of pruning. */
export interface PruneSummary {
  enabled: boolean;
  kept: KeptObject[];
  /** Where the TML of the deleted objects was saved before they were deleted. */
  backup?: { ref: string; commit?: string; files: string[] };
}

/** Prune refused (source missing or empty, too many deletions): nothing was written. Exit 2. */
export class PruneRefusedError extends InvalidInputError {
  override readonly name = 'PruneRefusedError';
}

export const BACKUP_MANIFEST = 'backup.json';

const describe = (c: { kind: string; name: string }) => `${c.kind} "${c.name}"`;

/** Which of a deploy's deletion candidates go, which stay and why; or why prune refuses. Pure but for one look at the content folder. */
export function planPrune(prepared: Pick<ChangeSet, 'deletions' | 'ledger' | 'candidates' | 'commit'>, environment: WorkflowEnvironment, dir: string): PrunePlan {
  const enabled = environment.prune !== undefined;
  const deletions: PlannedChange[] = [];
  const kept: KeptObject[] = [];
  for (const change of prepared.deletions) {
    const entry = { kind: change.kind, name: change.name, path: change.path };
    if (!prepared.ledger.objects[change.canonicalGuid]?.created) kept.push({ ...entry, reason: 'kept: tmlsync did not create it (prune deletes only objects it created)' });
    else if (!enabled) kept.push({ ...entry, reason: 'kept: gone from the repository, but prune is off (prune: true deletes it)' });
    else deletions.push(change);
  }
  if (!environment.prune) return { enabled, deletions, kept };
  const { maxDeletions } = environment.prune;
  const plan: PrunePlan = { enabled, maxDeletions, deletions, kept };
  if (deletions.length === 0) return plan;
  const at = `at ${prepared.commit.slice(0, 12)}`;
  const would = `${deletions.length} object${deletions.length === 1 ? '' : 's'} would be deleted`;
  if (!hasContentFolder(dir)) plan.refusal = `prune refused in ${environment.name}: the source folder tml/ is missing ${at}, and ${would}; nothing was deleted`;
  else if (prepared.candidates.length === 0) plan.refusal = `prune refused in ${environment.name}: the source folder tml/ holds no objects ${at}, and ${would}; nothing was deleted`;
  else if (deletions.length > maxDeletions) {
    const names = deletions.slice(0, 5).map(describe).join(', ');
    plan.refusal = `prune refused in ${environment.name}: ${would} (${names}${deletions.length > 5 ? ', …' : ''}), more than maxDeletions (${maxDeletions}); nothing was deleted. Raise maxDeletions or restore the files`;
  }
  return plan;
}

/** A dry run's view: what the run would delete, as deleted. */
export function dryRunDeletions(plan: PrunePlan): ObjectResult[] {
  return plan.deletions.map((d) => ({ id: d.canonicalGuid, kind: d.kind, name: d.name, outcome: 'deleted', path: d.path }));
}

export interface PruneRun {
  plan: PrunePlan;
  environment: string;
  thoughtspot: ThoughtSpotPort;
  repo: ContentRepo;
  ledger: DeployLedger;
  /** Writes the ledger (after entries were dropped). */
  saveLedger: () => Promise<void>;
  /** The target's objects, for references and dependency order. */
  target: KnownObject[];
  runId: string;
  commit: string;
  log: Logger;
  /** Set when the run's imports failed: nothing is deleted, for this reason. */
  blocked?: string;
}

/**
 * Backs up, then deletes, dependents first, one call per type and layer;
 * drops what went from the ledger. Objects ThoughtSpot refuses to delete
 * (something else still uses them) are failures, and so is everything they
 * stand on.
 */
export async function runPrune(run: PruneRun): Promise<{ results: ObjectResult[]; summary: PruneSummary }> {
  const { plan, log } = run;
  const summary: PruneSummary = { enabled: plan.enabled, kept: [...plan.kept] };
  if (plan.deletions.length === 0) return { results: [], summary };
  if (run.blocked) {
    summary.kept.push(...plan.deletions.map((d) => ({ kind: d.kind, name: d.name, path: d.path, reason: `kept: ${run.blocked}` })));
    log.warn({ objects: plan.deletions.length, reason: run.blocked }, 'prune skipped');
    return { results: [], summary };
  }
  const backup = await backUp(run);
  if ('error' in backup) return { results: plan.deletions.map((d) => failed(d, backup.error)), summary };
  summary.backup = backup.summary;
  const results = await deleteInLayers(run, backup.edocs);
  if (results.some((r) => r.outcome === 'deleted')) await run.saveLedger();
  return { results, summary };
}

const failed = (d: PlannedChange, error: string): ObjectResult => ({ id: d.canonicalGuid, kind: d.kind, name: d.name, outcome: 'failed', path: d.path, error });

/** Every object's TML as the environment has it (importable there as is) on the backup ref, or why nothing may be deleted. */
async function backUp(run: PruneRun): Promise<{ edocs: Map<PlannedChange, string>; summary: NonNullable<PruneSummary['backup']> } | { error: string }> {
  const { plan, thoughtspot, repo, log } = run;
  const exported = await thoughtspot.exportTml(plan.deletions.map((d) => d.envGuid!));
  const edocs = new Map<PlannedChange, string>();
  const missing: string[] = [];
  for (const d of plan.deletions) {
    const item = exported.find((e) => e.id === d.envGuid);
    if (item && !('error' in item)) edocs.set(d, item.edoc);
    else missing.push(`${describe(d)}${item && 'error' in item ? `: ${item.error}` : ''}`);
  }
  if (missing.length > 0) {
    log.warn({ missing }, 'prune stopped: backup incomplete');
    return { error: `not deleted: the TML backup failed for ${missing.join('; ')}` };
  }
  const ref = stateRef(run.environment, 'backup');
  const manifest = {
    environment: run.environment, runId: run.runId, commit: run.commit, at: new Date().toISOString(),
    objects: plan.deletions.map((d) => ({ kind: d.kind, name: d.name, path: d.path, canonicalGuid: d.canonicalGuid, envGuid: d.envGuid })),
  };
  const files: Record<string, string> = { [BACKUP_MANIFEST]: `${JSON.stringify(manifest, null, 2)}\n` };
  // In the repository's own canonical form, whatever format the export answered in.
  for (const d of plan.deletions) files[d.path] = format(parse(edocs.get(d)!));
  await repo.writeState(ref, files, `backup(${run.environment}): ${plan.deletions.length} objects before prune, run ${run.runId}`);
  const commit = await repo.revParse(ref);
  log.info({ ref, commit, objects: plan.deletions.length }, 'TML backed up before prune');
  return { edocs, summary: { ref, ...(commit ? { commit } : {}), files: plan.deletions.map((d) => d.path) } };
}

/**
 * Deletes in layers: an object goes once nothing left to delete uses it; one
 * call per type and layer. A refused delete fails its object and everything
 * it stands on; what went leaves the ledger.
 */
async function deleteInLayers(run: PruneRun, edocs: Map<PlannedChange, string>): Promise<ObjectResult[]> {
  const { plan, thoughtspot, ledger, log } = run;
  const uses = dependencies(plan.deletions, edocs, run.target);
  const results: ObjectResult[] = [];
  const blockedBy = new Map<PlannedChange, PlannedChange>();
  const block = (d: PlannedChange) => {
    for (const used of uses.get(d) ?? []) blockedBy.set(used, d);
  };
  let remaining = [...plan.deletions];
  while (remaining.length > 0) {
    let layer = remaining.filter((d) => !remaining.some((other) => uses.get(other)?.has(d)));
    if (layer.length === 0) layer = remaining; // a cycle: let ThoughtSpot decide
    remaining = remaining.filter((d) => !layer.includes(d));
    const ready = layer.filter((d) => {
      const blocker = blockedBy.get(d);
      if (!blocker) return true;
      results.push(failed(d, `not deleted: ${describe(blocker)}, which uses it, was not deleted`));
      block(d);
      return false;
    });
    for (const [type, group] of byType(ready)) {
      const error = await deleteGroup(thoughtspot, type, group, log);
      for (const d of group) {
        if (error) {
          results.push(failed(d, error));
          block(d);
          continue;
        }
        delete ledger.objects[d.canonicalGuid];
        results.push({ id: d.canonicalGuid, kind: d.kind, name: d.name, outcome: 'deleted', path: d.path });
      }
      if (!error) log.info({ type, objects: group.map((d) => ({ name: d.name, envGuid: d.envGuid })) }, 'deleted');
    }
  }
  return results;
}

/** For each deletion, the other deletions it uses, read from its backed-up TML. */
function dependencies(deletions: PlannedChange[], edocs: Map<PlannedChange, string>, target: KnownObject[]): Map<PlannedChange, Set<PlannedChange>> {
  const docs = new Map<TmlDocument, PlannedChange>();
  for (const d of deletions) {
    try {
      docs.set(parse(edocs.get(d)!), d);
    } catch {
      // Unreadable: no known dependencies; ThoughtSpot still refuses a delete that would break something.
    }
  }
  const byGuid = new Map(deletions.map((d) => [d.envGuid, d]));
  const uses = new Map<PlannedChange, Set<PlannedChange>>();
  for (const { from, resolution } of resolveReferences([...docs.keys()], { known: target })) {
    if (resolution.status !== 'resolved') continue;
    const user = docs.get(from)!;
    const used = resolution.target.document ? docs.get(resolution.target.document) : byGuid.get(resolution.target.guid);
    if (used && used !== user) uses.set(user, (uses.get(user) ?? new Set()).add(used));
  }
  return uses;
}

function byType(changes: PlannedChange[]): Map<DeletableType, PlannedChange[]> {
  const groups = new Map<DeletableType, PlannedChange[]>();
  for (const d of changes) {
    const type = handlerFor(d.kind as TmlKind).metadataType as DeletableType;
    groups.set(type, [...(groups.get(type) ?? []), d]);
  }
  return groups;
}

/**
 * One delete call; undefined when done, else why not. A lost answer is
 * checked by listing: only what is still there is sent once more.
 */
async function deleteGroup(thoughtspot: ThoughtSpotPort, type: DeletableType, group: PlannedChange[], log: Logger): Promise<string | undefined> {
  const answer = await thoughtspot.deleteObjects(type, group.map((d) => d.envGuid!));
  if (answer.answered) return answer.ok ? undefined : answer.error;
  log.warn({ type, error: answer.error }, 'delete answer lost; checking what is still there');
  // Only the group's kinds are listed again: the rest of the deploy's listing still holds.
  const present = new Set((await targetObjects(thoughtspot, group.map((d) => d.kind as TmlKind))).map((t) => t.guid));
  const still = group.filter((d) => present.has(d.envGuid!));
  if (still.length === 0) return undefined;
  const again = await thoughtspot.deleteObjects(type, still.map((d) => d.envGuid!));
  if (!again.answered) return `delete failed twice without an answer: ${again.error}`;
  return again.ok ? undefined : again.error;
}
