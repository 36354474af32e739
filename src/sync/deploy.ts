import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from '../log/index.js';
import {
  applyMapping, format, handlerFor, invertMapping, listedKind, references, resolveReferences,
  type KnownObject, type TmlDocument, type TmlKind, type ValueMapping,
} from '../tml/index.js';
import { BATCH_SIZE, exportBack } from './batches.js';
import { checksFailed, runDataChecks, type DataCheck, type DataChecksPolicy } from './checks.js';
import { contentHash, readDeployLedger, stateRef, writeDeployLedger, type DeployLedger } from './ledger.js';
import { applyOwnership, ownedObjects, planOwnership, type OwnerChange, type OwnershipPolicy } from './ownership.js';
import type { ContentRepo, ImportPolicy, ThoughtSpotPort } from './ports.js';
import { dryRunDeletions, planPrune, PruneRefusedError, runPrune, type PruneSummary } from './prune.js';
import { applyPrincipals, planPrincipals, type PrincipalsOutcome, type PrincipalsSettings } from './principals-deploy.js';
import { finishRun, startRun, type ObjectResult, type RunReport } from './report.js';
import { targetObjects } from './target.js';
import { readContent } from './content.js';
import { validateInTarget, validateOffline, type Finding } from './validate.js';

/** The deploy gate refused the change set: nothing was written. Exit 2. */
export class DeployGateError extends Error {
  override readonly name = 'TmlValidationError';
  constructor(readonly findings: Finding[]) {
    super(`deploy stopped before writing anything:\n${findings.filter((f) => f.severity === 'error').map((f) => `  - ${f.message}`).join('\n')}`);
  }
}

export interface DeployEnvironment {
  name: string;
  branch: string;
  mappings?: { connections?: Record<string, string>; databases?: Record<string, string>; schemas?: Record<string, string> };
  policy?: 'ALL_OR_NONE' | 'PARTIAL';
  /** Delete what left the repository, at most `maxDeletions` per run (see prune.ts); off when absent. */
  prune?: { maxDeletions: number };
  /** Users, groups and privileges from `principals/principals.yaml`; left alone without. */
  principals?: PrincipalsSettings;
  /** Who owns deployed objects; without it owners are left alone. */
  ownership?: OwnershipPolicy;
  /** Data checks after the import; off without it. */
  dataChecks?: DataChecksPolicy;
}

export interface DeployOptions {
  environment: DeployEnvironment;
  thoughtspot: ThoughtSpotPort;
  repo: ContentRepo;
  /** A commit, tag or branch to deploy; the environment's branch by default. */
  ref?: string;
  dryRun?: boolean;
  log?: Logger;
  runId?: string;
  batchSize?: number;
  /** Deploy only these canonical GUIDs (a sync run's git-side changes); every other file is left as it is. */
  only?: ReadonlySet<string>;
}

export interface DeployReport extends RunReport {
  commit: string;
  /** Objects whose re-export differs from what was deployed. */
  drift: string[];
  plan: PlannedChange[];
  prune?: PruneSummary;
  /** What was done (or, in a dry run, would be done) with users, groups and privileges. */
  principals?: PrincipalsOutcome;
  /** Changes of owner (with an `ownership` policy). */
  ownership?: OwnerChange[];
  /** Data checks of what this run deployed. */
  checks?: DataCheck[];
}

export interface PlannedChange {
  action: 'create' | 'update' | 'unchanged' | 'delete';
  kind: string;
  name: string;
  path: string;
  canonicalGuid: string;
  envGuid?: string;
}

export interface Prepared {
  runId: string;
  log: Logger;
  started: number;
  policy: ImportPolicy;
  commit: string;
  ledger: DeployLedger;
  candidates: Candidate[];
  changed: Candidate[];
  target: KnownObject[];
  mapping: ValueMapping & { guids: Map<string, string> };
  plan: PlannedChange[];
  deletions: PlannedChange[];
  unchangedResults: ObjectResult[];
  report: (objects: ObjectResult[], drift: string[], error?: string) => DeployReport;
}

export interface Candidate {
  doc: TmlDocument;
  path: string;
  text: string;
  canonicalGuid: string;
  action: 'create' | 'update' | 'unchanged';
}

/** Steps 1–3 of a deploy, shared with `tmlsync plan`: files, target, change set, mappings. */
export async function prepareDeploy(options: DeployOptions): Promise<Prepared> {
  const { environment, thoughtspot, repo } = options;
  const run = startRun('deploy', environment.name, options);
  const { runId, log, started } = run;
  const policy: ImportPolicy = environment.policy ?? 'ALL_OR_NONE';

  await repo.fetch();
  await repo.checkout(environment.branch);
  const commit = options.ref ? await repo.checkoutRef(options.ref) : ((await repo.revParse('HEAD')) ?? '');
  const ledger = await readDeployLedger(repo, environment.name);

  // 1. The canonical files, parsed; any parse error stops at the gate.
  const findings: Finding[] = [];
  const candidates: Candidate[] = [];
  const connections = new Map<string, string>(); // canonical connection name → canonical guid
  const content = readContent(repo.dir);
  findings.push(...content.findings);
  for (const { doc, path, text } of content.files) {
    if (handlerFor(doc.kind).environmentOwned) {
      if (doc.guid) connections.set(doc.name, doc.guid);
      continue;
    }
    if (!doc.guid) {
      findings.push({ severity: 'error', source: 'offline', file: path, message: `${path}: ${doc.kind} "${doc.name}" has no guid; canonical files carry the GUID tmlsync tracks them by` });
      continue;
    }
    const known = ledger.objects[doc.guid];
    candidates.push({ doc, path, text, canonicalGuid: doc.guid, action: known ? (known.hash === contentHash(text) ? 'unchanged' : 'update') : 'create' });
  }
  if (findings.length > 0) throw new DeployGateError(findings);

  // 2. The target: what it holds, and whether the ledger's objects are still there.
  const target = await targetObjects(thoughtspot);
  const present = new Set(target.map((t) => t.guid));
  adoptPending(ledger, target, log);
  for (const c of candidates) {
    const known = ledger.objects[c.canonicalGuid];
    if (known && !present.has(known.envGuid)) c.action = 'create';
  }
  const { only } = options;
  if (only) for (const c of candidates) if (!only.has(c.canonicalGuid)) c.action = 'unchanged';
  const changed = candidates.filter((c) => c.action !== 'unchanged');
  const files = new Set(candidates.map((c) => c.canonicalGuid));
  const deletions: PlannedChange[] = Object.entries(ledger.objects)
    .filter(([canonical, e]) => !files.has(canonical) && present.has(e.envGuid) && (!only || only.has(canonical)))
    .map(([canonical, e]) => ({ action: 'delete', kind: e.kind, name: e.name, path: e.path, canonicalGuid: canonical, envGuid: e.envGuid }));
  const plan: PlannedChange[] = candidates.map((c) => ({
    action: c.action, kind: c.doc.kind, name: c.doc.name, path: c.path, canonicalGuid: c.canonicalGuid,
    ...(ledger.objects[c.canonicalGuid] ? { envGuid: ledger.objects[c.canonicalGuid]!.envGuid } : {}),
  }));
  const report = (objects: ObjectResult[], drift: string[], error?: string): DeployReport => ({ ...finishRun(run, objects, error ? { error } : {}), commit, drift, plan });
  const unchangedResults = candidates.filter((c) => c.action === 'unchanged').map((c): ObjectResult => ({ id: c.canonicalGuid, kind: c.doc.kind, name: c.doc.name, outcome: 'unchanged', path: c.path }));

  // 3. Connections belong to the environment: resolve each mapped name there, exactly once.
  const mapping: ValueMapping & { guids: Map<string, string> } = {
    guids: new Map(Object.entries(ledger.objects).filter(([, e]) => present.has(e.envGuid)).map(([canonical, e]) => [canonical, e.envGuid])),
    ...(environment.mappings?.connections ? { connections: environment.mappings.connections } : {}),
    ...(environment.mappings?.databases ? { databases: environment.mappings.databases } : {}),
    ...(environment.mappings?.schemas ? { schemas: environment.mappings.schemas } : {}),
  };
  const targetConnections = target.filter((t) => handlerFor(t.kind).environmentOwned);
  // Every file's connections map (so that exports map back); only changed files must resolve.
  for (const c of candidates) {
    for (const reference of references(c.doc).filter((r) => r.kinds.every((kind) => handlerFor(kind).environmentOwned))) {
      const mapped = environment.mappings?.connections?.[reference.name] ?? reference.name;
      const matches = targetConnections.filter((t) => t.name === mapped);
      if (matches.length !== 1) {
        if (c.action === 'unchanged') continue;
        findings.push({
          severity: 'error', source: 'offline', file: c.path,
          message: `${c.path}: ${c.doc.kind} "${c.doc.name}" uses connection "${reference.name}"${mapped !== reference.name ? ` (mapped to "${mapped}")` : ''}, which ${matches.length === 0 ? 'does not exist' : `exists ${matches.length} times`} in ${environment.name}`,
        });
        continue;
      }
      if (reference.fqn) mapping.guids.set(reference.fqn, matches[0]!.guid);
      const canonical = connections.get(reference.name);
      if (canonical) mapping.guids.set(canonical, matches[0]!.guid);
    }
  }
  if (findings.length > 0) throw new DeployGateError(findings);
  return { runId, log, started, policy, commit, ledger, candidates, changed, target, mapping, plan, report, unchangedResults, deletions };
}

/**
 * The deploy loop (DESIGN.md "Deploy"): read the canonical files at the ref,
 * decide what changed against the environment's ledger, map them, pass the
 * gate (offline validation of the whole change set, then `VALIDATE_ONLY` per
 * batch), import in dependency order, record GUIDs, and check by re-export.
 * Connections are the environment's own: never deployed, only resolved.
 */
export async function runDeploy(options: DeployOptions): Promise<DeployReport> {
  if (options.dryRun) return deploy(options);
  // Two deploys of one environment never overlap, on one machine or several.
  const lock = stateRef(options.environment.name, 'lock');
  const runId = options.runId ?? randomUUID();
  const holder = await options.repo.acquireLock(lock, `${hostname()} pid ${process.pid} run ${runId}`, abandoned);
  if (holder) throw new DeployLockedError(options.environment.name, holder);
  try {
    return await deploy({ ...options, runId });
  } finally {
    await options.repo.releaseLock(lock).catch(() => undefined);
  }
}

/** A lock older than this belongs to a run that died; a deploy of thousands of objects takes minutes. */
const LOCK_STALE_MS = 60 * 60 * 1000;

/** A lock is abandoned when it is old, or when its holder was a process of this machine that is gone (kill -9). */
function abandoned(holder: string, since: Date): boolean {
  if (Date.now() - since.getTime() > LOCK_STALE_MS) return true;
  const match = /^(.+) pid (\d+) run /.exec(holder);
  if (!match || match[1] !== hostname()) return false;
  try {
    process.kill(Number(match[2]), 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

export class DeployLockedError extends Error {
  override readonly name = 'DeployLockedError';
  constructor(environment: string, holder: string) {
    super(`another deploy of ${environment} is running (${holder}); this one did nothing`);
  }
}

async function deploy(options: DeployOptions): Promise<DeployReport> {
  const { environment, thoughtspot, repo, dryRun = false, batchSize = BATCH_SIZE } = options;
  const prepared = await prepareDeploy(options);
  const { runId, log, policy, commit, ledger, changed, target, mapping, unchangedResults } = prepared;
  // Principals first: the file is checked whole before anything is written; they are applied after the content gate.
  const principalsPlan = await planPrincipals({ thoughtspot, dir: repo.dir, environment: environment.name, settings: environment.principals });
  let principals = principalsPlan.outcome;
  const report = (objects: ObjectResult[], drift: string[]): DeployReport => ({ ...prepared.report(objects, drift), principals });
  // Deletions are decided (or refused) before anything is written.
  const prune = planPrune(prepared, environment, repo.dir);
  if (prune.refusal) throw new PruneRefusedError(prune.refusal);
  if (changed.length === 0 && prune.deletions.length === 0) {
    log.info({ objects: prepared.candidates.length }, 'nothing to deploy');
    if (!dryRun) principals = await applyPrincipals(thoughtspot, principalsPlan, log);
    // Owners are still brought to the policy: it may have changed without the content.
    const ownership = environment.ownership && !dryRun ? await applyOwnership(thoughtspot, environment.ownership, ownedObjects(prepared.candidates, mapping.guids), log) : undefined;
    return withFollowUps({ ...report(unchangedResults, []), prune: { enabled: prune.enabled, kept: prune.kept } }, ownership, []);
  }
  const findings: Finding[] = [];
  // 4. The gate: offline validation of the mapped change set, then VALIDATE_ONLY per batch.
  const mapped = new Map(changed.map((c) => [c, applyMapping(c.doc, mapping)]));
  const known: KnownObject[] = target;
  findings.push(...validateOffline([...mapped.values()], known).filter((f) => f.severity === 'error'));
  if (findings.length > 0) throw new DeployGateError(findings);
  const byDoc = new Map([...mapped].map(([c, d]) => [d, c]));
  const gate = await validateInTarget(thoughtspot, [...mapped.values()], known, batchSize);
  const { batches } = gate;
  const rejected = new Map([...gate.rejected].map(([doc, error]) => [byDoc.get(doc)!, error]));
  findings.push(...gate.findings);
  // ALL_OR_NONE stops at the gate; PARTIAL imports what validates and reports the rest.
  if (findings.length > 0 && policy !== 'PARTIAL') throw new DeployGateError(findings);
  if (dryRun) {
    const planned = environment.ownership ? await planOwnership(thoughtspot, environment.ownership, ownedObjects(prepared.candidates, mapping.guids, new Set([...rejected.keys()].map((c) => c.canonicalGuid)))) : undefined;
    const objects = [...unchangedResults, ...changed.map((c): ObjectResult => ({ id: c.canonicalGuid, kind: c.doc.kind, name: c.doc.name, outcome: c.action === 'create' ? 'added' : 'updated', path: c.path })), ...dryRunDeletions(prune)];
    return withFollowUps({ ...report(objects, []), prune: { enabled: prune.enabled, kept: prune.kept } }, planned, []);
  }

  principals = await applyPrincipals(thoughtspot, principalsPlan, log);

  // 5. Import in dependency order; each batch is mapped when it is sent, with the GUIDs the earlier batches got.
  const results: ObjectResult[] = [...unchangedResults];
  const failed = new Set<string>();
  // What the target holds, kept up to date as batches land (no listing per batch).
  const present = new Set(target.map((t) => t.guid));
  for (const [c, error] of rejected) {
    failed.add(c.canonicalGuid);
    results.push({ id: c.canonicalGuid, kind: c.doc.kind, name: c.doc.name, outcome: 'failed', path: c.path, error: `rejected by ${environment.name}: ${error}` });
  }
  const ordered = [...batches.flatMap((b) => b)].filter((d, i, all) => all.indexOf(d) === i).map((d) => byDoc.get(d)!);
  const needs = new Map<Candidate, Candidate[]>();
  for (const { from, resolution } of resolveReferences([...mapped.values()], { known })) {
    const to = resolution.status === 'resolved' && resolution.target.document ? byDoc.get(resolution.target.document) : undefined;
    if (to) needs.set(byDoc.get(from)!, [...(needs.get(byDoc.get(from)!) ?? []), to]);
  }
  // Say what is about to be created before creating it: a run killed now can be resumed without duplicates.
  ledger.pending = Object.fromEntries(ordered.filter((c) => c.action === 'create').map((c) => [c.canonicalGuid, { kind: c.doc.kind, name: c.doc.name, path: c.path }]));
  if (Object.keys(ledger.pending).length > 0) await writeDeployLedger(repo, environment.name, ledger, `deploy(${environment.name}): creating ${Object.keys(ledger.pending).length} objects, run ${runId}`);
  for (let start = 0; start < ordered.length; start += batchSize) {
    const batch = ordered.slice(start, start + batchSize).filter((c) => {
      if (rejected.has(c)) return false;
      const blocker = (needs.get(c) ?? []).find((d) => failed.has(d.canonicalGuid));
      if (!blocker) return true;
      failed.add(c.canonicalGuid);
      results.push({ id: c.canonicalGuid, kind: c.doc.kind, name: c.doc.name, outcome: 'failed', path: c.path, error: `skipped: depends on ${blocker.doc.kind} "${blocker.doc.name}", which failed` });
      return false;
    });
    if (batch.length === 0) continue;
    const docs = batch.map((c) => applyMapping(c.doc, mapping));
    const before = new Set(present);
    let answer = await thoughtspot.importTml(docs.map((d) => format(d)), policy);
    if (!answer.answered) {
      // The import may have taken effect: look before sending anything again.
      log.warn({ error: answer.error }, 'import answer lost; checking what took effect');
      answer = await verifyLostImport(thoughtspot, batch, docs, before, policy);
    }
    answer.results.forEach((result, i) => {
      const c = batch[i]!;
      if (!result.ok) {
        failed.add(c.canonicalGuid);
        results.push({ id: c.canonicalGuid, kind: c.doc.kind, name: c.doc.name, outcome: 'failed', path: c.path, error: result.error });
        return;
      }
      const previous = ledger.objects[c.canonicalGuid];
      ledger.objects[c.canonicalGuid] = { envGuid: result.id, kind: c.doc.kind, name: c.doc.name, path: c.path, hash: contentHash(c.text), created: previous?.created ?? !before.has(result.id) };
      mapping.guids.set(c.canonicalGuid, result.id);
      present.add(result.id);
      results.push({ id: c.canonicalGuid, kind: c.doc.kind, name: c.doc.name, outcome: c.action === 'create' ? 'added' : 'updated', path: c.path });
    });
  }

  // 6. Record what is deployed, then check it by re-export.
  if (failed.size === 0) ledger.deployedCommit = commit;
  delete ledger.pending;
  await writeDeployLedger(repo, environment.name, ledger, `deploy(${environment.name}): ${commit.slice(0, 12)} run ${runId}`);
  // 7. Prune (prune.ts), once the imports are recorded.
  const pruned = await runPrune({
    plan: prune, environment: environment.name, thoughtspot, repo, ledger, target, runId, commit, log, ...(failed.size > 0 ? { blocked: `${failed.size} objects of this run failed to import; prune waits for a clean run` } : {}),
    saveLedger: () => writeDeployLedger(repo, environment.name, ledger, `deploy(${environment.name}): pruned, run ${runId}`),
  });
  results.push(...pruned.results);
  const drift = await roundTrip(thoughtspot, changed.filter((c) => !failed.has(c.canonicalGuid)), ledger, mapping);
  for (const path of drift) log.warn({ path }, 'deployed object differs when exported back');
  // 8. Owners, then data checks of what was imported.
  const ownership = environment.ownership ? await applyOwnership(thoughtspot, environment.ownership, ownedObjects(prepared.candidates, mapping.guids, failed), log) : undefined;
  const imported = changed.filter((c) => !failed.has(c.canonicalGuid)).map((c) => ({ envGuid: ledger.objects[c.canonicalGuid]!.envGuid, canonicalGuid: c.canonicalGuid, doc: c.doc, path: c.path }));
  const checks = environment.dataChecks ? await runDataChecks(thoughtspot, environment.dataChecks, imported, log) : [];
  const final = withFollowUps({ ...report(results, drift), prune: pruned.summary }, ownership, checks);
  log.info({ counts: final.counts, drift: drift.length }, 'deploy finished');
  return final;
}

/** The report with owner changes and data checks; a failed transfer or check fails the run. */
function withFollowUps(report: DeployReport, ownership: OwnerChange[] | undefined, checks: DataCheck[]): DeployReport {
  const failed = checksFailed(checks) || (ownership ?? []).some((c) => c.status === 'failed');
  return { ...report, ...(ownership ? { ownership } : {}), ...(checks.length > 0 ? { checks } : {}), ...(failed ? { outcome: 'failed' as const } : {}) };
}

/**
 * A run that died after ThoughtSpot created objects but before it recorded
 * them left them in `pending`: each one found in the target, by kind and
 * name, among the objects no ledger entry claims, is adopted (and will be
 * updated, not created again). Only then do names decide anything.
 */
function adoptPending(ledger: DeployLedger, target: KnownObject[], log: Logger): void {
  const claimed = new Set(Object.values(ledger.objects).map((e) => e.envGuid));
  for (const [canonical, intent] of Object.entries(ledger.pending ?? {})) {
    const known = ledger.objects[canonical];
    if (known && target.some((t) => t.guid === known.envGuid)) continue;
    // Listings cannot tell a worksheet from a model (both `WORKSHEET`): compare as listed.
    const found = target.filter((t) => listedKind(t.kind) === listedKind(intent.kind as TmlKind) && t.name === intent.name && !claimed.has(t.guid));
    if (found.length !== 1) continue;
    ledger.objects[canonical] = { envGuid: found[0]!.guid, kind: intent.kind, name: intent.name, path: intent.path, hash: '', created: true };
    claimed.add(found[0]!.guid);
    log.info({ canonical, envGuid: found[0]!.guid, name: intent.name }, 'adopted an object an interrupted deploy created');
  }
}

/**
 * After an import whose answer was lost: objects that now exist (new GUIDs,
 * or the expected ones) count as imported; the rest are sent once more.
 */
async function verifyLostImport(thoughtspot: ThoughtSpotPort, batch: Candidate[], docs: TmlDocument[], before: Set<string>, policy: ImportPolicy) {
  const after = await targetObjects(thoughtspot);
  const results = batch.map((c, i) => {
    const doc = docs[i]!;
    const found = after.find((t) => t.kind === listedKind(c.doc.kind) && t.name === doc.name && ((doc.guid && t.guid === doc.guid && before.has(t.guid)) || !before.has(t.guid)));
    return found ? { ok: true as const, id: found.guid } : undefined;
  });
  const missing = docs.filter((_, i) => !results[i]);
  if (missing.length === 0) return { answered: true as const, results: results.map((r) => r!) };
  const again = await thoughtspot.importTml(missing.map((d) => format(d)), policy);
  if (!again.answered) throw new Error(`import failed twice without an answer: ${again.error}`);
  let next = 0;
  return { answered: true as const, results: results.map((r) => r ?? again.results[next++]!) };
}

/** Re-exports what was deployed and compares it, mapped back, with the repository's files. */
async function roundTrip(thoughtspot: ThoughtSpotPort, deployed: Candidate[], ledger: DeployLedger, mapping: ValueMapping): Promise<string[]> {
  if (deployed.length === 0) return [];
  const envGuid = (c: Candidate) => ledger.objects[c.canonicalGuid]!.envGuid;
  const back = await exportBack(thoughtspot, deployed.map(envGuid), invertMapping(mapping));
  return deployed.filter((c) => {
    const item = back.get(envGuid(c))!;
    return 'error' in item || item.text !== c.text;
  }).map((c) => c.path);
}
