import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { applyMapping, invertMapping, type TmlDocument } from '../../tml/index.js';
import { BATCH_SIZE, exportBack } from '../kernel/batches.js';
import { checksFailed, runDataChecks, type DataCheck } from './checks.js';
import { importChanges, type ImportOutcome } from './import.js';
import { guidlessIn, prepareDeploy } from './prepare.js';
import { StageRefError, stageCommit, type Promotion } from './pipeline.js';
import { DeployGateError, type Candidate, type ChangeSet, type DeployOptions, type PlannedChange } from './types.js';
import { deployLedgerWrite, stateRef, writeDeployLedger } from '../kernel/ledger.js';
import { applyOwnership, ownedObjects, planOwnership, type OwnerChange } from './ownership.js';
import type { ImportPolicy, StateWrite } from '../ports.js';
import { applyPrincipals, planPrincipals, type PrincipalsOutcome, type PrincipalsPlan } from './principals.js';
import { dryRunDeletions, planPrune, PruneRefusedError, runPrune, type PrunePlan, type PruneSummary } from './prune.js';
import { asFetched } from '../kernel/repo-view.js';
import { finishRun, startRun, type ObjectResult, type RunReport } from '../kernel/report.js';
import { validateInTarget, validateOffline } from '../kernel/validate.js';

export { DeployGateError, type DeployOptions, type PlannedChange } from './types.js';
export { prepareDeploy } from './prepare.js';

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
  /** A pipeline stage's run: which commit it took from where, or why it deployed nothing. */
  promotion?: Promotion;
}

/**
 * The deploy loop (DESIGN.md "Deploy"): read the canonical files at the ref,
 * decide what changed against the environment's ledger, map them, pass the
 * gate (offline validation of the whole change set, then `VALIDATE_ONLY` per
 * batch), import in dependency order, record GUIDs, and check by re-export.
 * Connections are the environment's own: never deployed, only resolved.
 */
export async function runDeploy(given: DeployOptions): Promise<DeployReport> {
  // One id for the run, the stage's log line included.
  const runId = given.runId ?? randomUUID();
  const staged = await asStage({ ...given, runId });
  if ('waiting' in staged) return staged.waiting;
  const { options, promotion } = staged;
  const report = await lockedDeploy(options);
  return promotion ? { ...report, promotion } : report;
}

/**
 * Two deploys of one environment never overlap, on one machine or several (a
 * dry run writes nothing, and takes no lock). A run that passed everything
 * records its commit as deployed in the push that releases the lock (one
 * atomic push: both or neither), so that no crash can leave a commit marked
 * deployed before its checks passed; a run that imported and then failed, or
 * threw, records what it imported in that push (`Recording`); one that
 * imported nothing only releases the lock.
 */
async function lockedDeploy(options: DeployOptions): Promise<DeployReport> {
  if (options.dryRun) return (await deploy(options, {})).report;
  const lock = stateRef(options.environment.name, 'lock');
  const runId = options.runId ?? randomUUID();
  const holder = await options.repo.acquireLock(lock, `${hostname()} pid ${process.pid} run ${runId}`, abandoned);
  if (holder) throw new DeployLockedError(options.environment.name, holder);
  const recording: Recording = {};
  const finished = await deploy({ ...options, runId }, recording).catch(async (error: unknown) => {
    await options.repo.releaseLock(lock, recording.ledger?.()).catch(() => undefined);
    throw error;
  });
  const last = finished.passed ?? recording.ledger?.();
  // Without a last write, a failed release leaves a lock that `abandoned` lets the next run take over.
  if (last) await options.repo.releaseLock(lock, last);
  else await options.repo.releaseLock(lock).catch(() => undefined);
  return finished.report;
}

/**
 * A pipeline stage deploys the commit its source passed (pipeline.ts), or
 * nothing yet: then the run's report says why, and it lists and writes
 * nothing. The fetch here (none when the caller has just fetched) comes
 * before prepare's own: the ref must be known before the work tree is put on
 * it. A dry run's prepare reads what this fetch brought; a deploy's fetches
 * again once it holds the lock, so that it reads the ledger a run that held
 * the lock before it left.
 */
async function asStage(options: DeployOptions): Promise<{ options: DeployOptions; promotion?: Promotion } | { waiting: DeployReport }> {
  const { stage, name } = options.environment;
  if (!stage) return { options };
  if (options.ref !== undefined) throw new StageRefError(name, stage.promoteFrom);
  if (!options.fetched) await options.repo.fetch();
  const promotion = await stageCommit(options.repo, name, stage, options.approved === true);
  const run = startRun('deploy', name, options);
  run.log.info({ promotion }, promotion.state === 'waiting' ? 'pipeline stage: nothing to deploy' : `pipeline stage: deploying ${promotion.commit!.slice(0, 12)} (${promotion.state})`);
  if (promotion.state === 'waiting') return { waiting: { ...finishRun(run, []), commit: '', drift: [], plan: [], promotion } };
  const repo = options.dryRun ? asFetched(options.repo) : options.repo;
  return { options: { ...options, ref: promotion.commit!, repo }, promotion };
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

/** One deploy as it goes: the change set, the plans made before anything is written, and what was done. */
interface DeployRun {
  options: DeployOptions;
  set: ChangeSet;
  policy: ImportPolicy;
  batchSize: number;
  principalsPlan: PrincipalsPlan;
  principals: PrincipalsOutcome;
  prune: PrunePlan;
}

/**
 * The deploy ledger once a run's imports are in it, for the push that releases the lock to write
 * (`lockedDeploy`), whether the run then passes, fails a check or throws. It used to be a push of
 * its own right after the imports: one push more per deploy, 6 git processes between client and
 * server. Read when the lock is released, so that it holds what prune has taken out since (prune
 * writes the ledger itself once it deleted something). A run killed between its imports and that
 * push leaves the ledger as it read it: the next run imports those files again, in place, and the
 * pending creations written before any import (import.ts) keep it from creating anything twice. A
 * sync's next run finds ThoughtSpot changed too; it takes a text the branch had since the last
 * recorded deploy for such an import, not for a conflict (sync/changes.ts `holdsOwnDeploy`).
 */
interface Recording {
  ledger?: () => StateWrite;
}

/** A deploy's report and, when it passed everything, the deploy ledger naming its commit: the run's last write. */
interface Finished {
  report: DeployReport;
  passed?: StateWrite;
}

/** The gate's verdict: each changed file mapped, in dependency order, and those the target refused. */
interface Gated {
  mapped: Map<Candidate, TmlDocument>;
  ordered: Candidate[];
  rejected: Map<Candidate, string>;
}

/**
 * The phases of a deploy (DESIGN.md "Deploy"): prepare, gate, principals,
 * import, record, prune, verify, ownership, checks. Everything that can
 * refuse the run (the files, principals, prune, the gate) does so before
 * anything is written.
 */
async function deploy(options: DeployOptions, recording: Recording): Promise<Finished> {
  const run = await prepare(options);
  const { set } = run;
  if (set.changed.length === 0 && run.prune.deletions.length === 0) return { report: await nothingToDeploy(run) };
  const gated = await gate(run);
  if (options.dryRun) return { report: await dryRunReport(run, gated) };
  run.principals = await applyPrincipals(options.thoughtspot, run.principalsPlan, set.run.log);
  const imported = await importChanges({ ...run, ...gated, thoughtspot: options.thoughtspot, repo: options.repo, onProgress: options.onProgress });
  record(run, recording);
  const pruned = await pruneGone(run, imported);
  const drift = await verify(run, imported);
  const ownership = await setOwners(run, imported);
  const checks = await dataChecks(run, imported);
  const final = withFollowUps({ ...report(run, [...unchangedResults(set), ...imported.results, ...pruned.results], drift), prune: pruned.summary }, ownership, checks);
  set.run.log.info({ counts: final.counts, drift: drift.length }, 'deploy finished');
  return { report: final, ...(final.outcome === 'ok' ? { passed: passed(run) } : {}) };
}

/**
 * The commit passed everything (imports, prune, verify, owners, checks): the
 * ledger names it as deployed, the one thing a pipeline's next stage promotes.
 * Written last, with the lock's release (`lockedDeploy`), never before: a run
 * that dies on the way leaves the last commit that passed.
 */
function passed({ set }: DeployRun): StateWrite {
  set.ledger.deployedCommit = set.commit;
  return deployLedgerWrite(set.run.environment, set.ledger, `deploy(${set.run.environment}): ${set.commit.slice(0, 12)} passed, run ${set.run.runId}`);
}

/** Steps 1–3, then what principals and prune would do: each may refuse the run before anything is written. */
async function prepare(options: DeployOptions): Promise<DeployRun> {
  const { environment, thoughtspot, repo } = options;
  const set = await prepareDeploy(options);
  // Principals first: the file is checked whole before anything is written; they are applied after the content gate.
  const principalsPlan = await planPrincipals({ thoughtspot, dir: repo.dir, environment: environment.name, settings: environment.principals });
  const prune = planPrune(set, environment, repo.dir);
  if (prune.refusal) throw new PruneRefusedError(prune.refusal);
  return { options, set, policy: environment.policy ?? 'ALL_OR_NONE', batchSize: options.batchSize ?? BATCH_SIZE, principalsPlan, principals: principalsPlan.outcome, prune };
}

function report(run: DeployRun, objects: ObjectResult[], drift: string[]): DeployReport {
  const { set } = run;
  return { ...finishRun(set.run, objects), commit: set.commit, drift, plan: set.plan, principals: run.principals };
}

function unchangedResults(set: ChangeSet): ObjectResult[] {
  return set.candidates.filter((c) => c.action === 'unchanged').map((c) => ({ id: c.canonicalGuid, kind: c.doc.kind, name: c.doc.name, outcome: 'unchanged', path: c.path }));
}

const pruneSummary = (plan: PrunePlan): PruneSummary => ({ enabled: plan.enabled, kept: plan.kept });

/** No content to write: principals and owners are still brought to the configuration, which may have changed alone. */
async function nothingToDeploy(run: DeployRun): Promise<DeployReport> {
  const { options, set } = run;
  const { environment, thoughtspot, dryRun } = options;
  set.run.log.info({ objects: set.candidates.length }, 'nothing to deploy');
  if (!dryRun) run.principals = await applyPrincipals(thoughtspot, run.principalsPlan, set.run.log);
  const ownership = environment.ownership && !dryRun ? await applyOwnership(thoughtspot, environment.ownership, ownedObjects(set.candidates, set.mapping.guids), set.run.log, set.authors) : undefined;
  return withFollowUps({ ...report(run, unchangedResults(set), []), prune: pruneSummary(run.prune) }, ownership, []);
}

/**
 * Step 5, the gate: offline validation of the mapped change set, then
 * `VALIDATE_ONLY` per batch. ALL_OR_NONE stops at any error; PARTIAL imports
 * what validates and reports the rest.
 */
async function gate(run: DeployRun): Promise<Gated> {
  const { set, options } = run;
  const mapped = new Map(set.changed.map((c) => [c, applyMapping(c.doc, set.mapping)]));
  // Identities were checked on the canonical files (prepare); mapped documents carry the target's GUIDs.
  const offline = validateOffline([...mapped.values()], set.target, { identity: false }).filter((f) => f.severity === 'error');
  if (offline.length > 0) throw new DeployGateError(offline);
  const byDoc = new Map([...mapped].map(([c, d]) => [d, c]));
  const checked = await validateInTarget(options.thoughtspot, [...mapped.values()], set.target, run.batchSize);
  if (checked.findings.length > 0 && run.policy !== 'PARTIAL') throw new DeployGateError(checked.findings);
  const ordered = [...new Set(checked.batches.flat())].map((d) => byDoc.get(d)!);
  const rejected = new Map([...checked.rejected].map(([doc, error]) => [byDoc.get(doc)!, error]));
  return { mapped, ordered, rejected };
}

/** A dry run ends after the gate: what would be created, updated, deleted and given another owner. */
async function dryRunReport(run: DeployRun, gated: Gated): Promise<DeployReport> {
  const { set, options } = run;
  const policy = options.environment.ownership;
  const refused = new Set([...gated.rejected.keys()].map((c) => c.canonicalGuid));
  const planned = policy ? await planOwnership(options.thoughtspot, policy, ownedObjects(set.candidates, set.mapping.guids, refused), set.authors) : undefined;
  const would = set.changed.map((c): ObjectResult => ({ id: c.canonicalGuid, kind: c.doc.kind, name: c.doc.name, outcome: c.action === 'create' ? 'added' : 'updated', path: c.path }));
  return withFollowUps({ ...report(run, [...unchangedResults(set), ...would, ...dryRunDeletions(run.prune)], []), prune: pruneSummary(run.prune) }, planned, []);
}

/**
 * Step 6, recorded: the imports' outcome goes into the ledger (the new GUIDs, the texts' hashes),
 * pushed with the lock's release (`Recording`); the deployed commit waits for the run's end (`passed`).
 */
function record({ set }: DeployRun, recording: Recording): void {
  delete set.ledger.pending;
  recording.ledger = () => deployLedgerWrite(set.run.environment, set.ledger, `deploy(${set.run.environment}): ${set.commit.slice(0, 12)} run ${set.run.runId}`);
}

/** Step 8 (prune.ts), once the imports are recorded; held back when any import failed. */
function pruneGone({ set, options, prune: plan }: DeployRun, imported: ImportOutcome): ReturnType<typeof runPrune> {
  const { environment, thoughtspot, repo } = options;
  const { run } = set;
  const blocked = imported.failed.size > 0 ? { blocked: `${imported.failed.size} objects of this run failed to import; prune waits for a clean run` } : {};
  return runPrune({
    plan, environment: environment.name, thoughtspot, repo, ledger: set.ledger, target: set.target, runId: run.runId, commit: set.commit, log: run.log, ...blocked,
    saveLedger: () => writeDeployLedger(repo, environment.name, set.ledger, `deploy(${environment.name}): pruned, run ${run.runId}`),
  });
}

const landed = (set: ChangeSet, imported: ImportOutcome) => set.changed.filter((c) => !imported.failed.has(c.canonicalGuid));

/** Step 7: re-exports what was imported and compares it, mapped back, with the repository's files; returns the paths that differ. */
async function verify({ set, options }: DeployRun, imported: ImportOutcome): Promise<string[]> {
  const deployed = landed(set, imported);
  if (deployed.length === 0) return [];
  const envGuid = (c: Candidate) => set.ledger.objects[c.canonicalGuid]!.envGuid;
  const files = new Map(deployed.map((c) => [envGuid(c), c.doc]));
  const back = await exportBack(options.thoughtspot, deployed.map(envGuid), { back: invertMapping(set.mapping), guidless: guidlessIn(set.ledger), files });
  const drift = deployed.filter((c) => {
    const item = back.get(envGuid(c))!;
    return 'error' in item || item.text !== c.text;
  }).map((c) => c.path);
  for (const path of drift) set.run.log.warn({ path }, 'deployed object differs when exported back');
  return drift;
}

/** Owners of what is deployed, by the environment's policy. */
async function setOwners({ set, options }: DeployRun, imported: ImportOutcome): Promise<OwnerChange[] | undefined> {
  const policy = options.environment.ownership;
  return policy ? applyOwnership(options.thoughtspot, policy, ownedObjects(set.candidates, set.mapping.guids, imported.failed), set.run.log, set.authors) : undefined;
}

/** Data checks of what was imported. */
async function dataChecks({ set, options }: DeployRun, imported: ImportOutcome): Promise<DataCheck[]> {
  const policy = options.environment.dataChecks;
  if (!policy) return [];
  const objects = landed(set, imported).map((c) => ({ envGuid: set.ledger.objects[c.canonicalGuid]!.envGuid, canonicalGuid: c.canonicalGuid, doc: c.doc, path: c.path }));
  return runDataChecks(options.thoughtspot, policy, objects, set.run.log);
}

/** The report with owner changes and data checks; a failed transfer or check fails the run. */
function withFollowUps(report: DeployReport, ownership: OwnerChange[] | undefined, checks: DataCheck[]): DeployReport {
  const failed = checksFailed(checks) || (ownership ?? []).some((c) => c.status === 'failed');
  return { ...report, ...(ownership ? { ownership } : {}), ...(checks.length > 0 ? { checks } : {}), ...(failed ? { outcome: 'failed' as const } : {}) };
}
