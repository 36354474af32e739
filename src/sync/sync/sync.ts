import { join } from 'node:path';
import { silentLogger, detailLogger } from '../../log/index.js';
import { handlerFor, parse, type TmlKind } from '../../tml/index.js';
import { exportBack } from '../kernel/batches.js';
import { runDeploy, type DeployReport } from '../deploy/deploy.js';
import { refusedFiles } from '../deploy/prepare.js';
import { canonicalKey } from '../kernel/validate.js';
import type { WorkflowOptions } from '../kernel/environment.js';
import type { DeployOptions } from '../deploy/types.js';
import type { ExportOptions } from '../export/types.js';
import { stageExport, type StagedExport } from '../export/export.js';
import { contentHash, deployLedgerWrite, readDeployLedger, readLedgers, type DeployLedger } from '../kernel/ledger.js';
import type { ContentRepo, Header, HeaderType, Identity, StateWrite, ThoughtSpotPort } from '../ports.js';
import { finishRun, startRun, type ObjectResult, type RunReport, type RunStart } from '../kernel/report.js';
import { readContent, readSourceFile, SLICE_BESIDE_CALLS_MS, type Content } from '../kernel/content.js';
import {
  detectChanges, envIdOf, guidlessIds, reconcile, toExportBack, unrecordedDeploys,
  type Conflict, type GitFile, type PushedVersions, type Reconciled, type SideChanges, type SyncSides,
} from './changes.js';
import { CONTENT_TYPES } from '../kernel/target.js';
import { asFetched } from '../kernel/repo-view.js';
import { allEndedFailFast, allEndedStopping, sharedStop } from '../kernel/settle.js';

export type { Conflict, SideChange } from './changes.js';
export type { ConflictPolicy } from '../kernel/environment.js';

/** A sync's own options, besides the environment (its `conflicts` policy) and the sides every workflow takes. */
export interface SyncOptions extends WorkflowOptions {
  /** Commits without a ThoughtSpot author (deletions, principals, the conflicts branch). */
  committer: Identity;
  /** Progress of its deploy and its export, for a progress display. */
  progress?: { imported?: DeployOptions['onProgress']; exported?: ExportOptions['onProgress'] };
}

export interface SyncReport extends RunReport {
  conflicts: Conflict[];
  /** The branch holding ThoughtSpot's side of the conflicts left for a person to resolve. */
  conflictsBranch?: string;
  deploy?: DeployReport;
  export?: RunReport;
}

export const conflictsBranch = (environment: string) => `tmlsync/conflicts/${environment}`;

/** What deploying git's side did, and what the export must therefore leave alone. */
interface GitSideOutcome {
  deployed?: DeployReport;
  error?: string;
  /** ThoughtSpot ids the export must not write: conflicts kept for a person, git changes that did not land. */
  skip: Set<string>;
}

/**
 * One run of a `sync` environment (DESIGN.md "direction"): what changed in git
 * since the last sync is deployed, what changed in ThoughtSpot is exported,
 * and an object changed on both sides with different content is a conflict
 * that neither side overwrites unless the policy says which side wins.
 *
 * "Changed since the last sync" is read from the two ledgers (sync-changes.ts).
 * After the run both ledgers describe the same content, so the next export
 * makes no commit and the next deploy no write call. A file the ledgers do not
 * know yet (the first sync of a repository that has content) is compared with
 * ThoughtSpot's export: equal is in sync; different is a git change when
 * ThoughtSpot did not change since its last export, a conflict otherwise.
 *
 * Phases: read both sides → detect changes → compare what changed on both →
 * deploy git's side → export ThoughtSpot's side (committed, not pushed) →
 * publish the export's commits and both ledgers in one atomic push → publish
 * conflicts. A run killed at any point has recorded all of its outcome or none
 * of it (issue 15: a run killed between the export's push and the deploy
 * ledger's made tmlsync's own text look like a person's edit, and that object
 * a conflict on every later run).
 */
export async function runSync(options: SyncOptions): Promise<SyncReport> {
  const run = startRun('sync', options.environment.name, options);
  const sides = await readSides(options);
  const read = await options.repo.revParse('HEAD');
  const asRead = { ...options, repo: branchAsRead(options.repo) };
  const changes = detectChanges(sides);
  const current = await exportTexts(options.thoughtspot, toExportBack(sides, changes));
  const pushed = await pushedSinceDeploy(options.repo, sides, unrecordedDeploys(sides, changes, current));
  const reconciled = reconcile(sides, changes, current, options.environment.conflicts ?? 'manual', pushed);
  for (const c of reconciled.conflicts) run.log.warn({ object: `${c.kind} "${c.name}"`, path: c.path, git: c.git, thoughtspot: c.thoughtspot, resolution: c.resolution }, 'changed in git and in ThoughtSpot');
  const deploys = mustDeploy(sides, reconciled);
  const gitSide = deploys ? await deployGitSide(asRead, run, sides, reconciled) : keptConflicts(reconciled);
  // ThoughtSpot → git: everything else (deployed objects come back identical: no commit).
  const { environment, thoughtspot, repo, dryRun = false } = asRead;
  const { report: exported, staged } = await stageExport({ environment, thoughtspot, repo, committer: options.committer, log: detailLogger(options.log ?? silentLogger()), runId: run.runId, dryRun, skip: new Set([...gitSide.skip, ...guidlessIds(sides)]), listed: { headers: [...sides.headers.values()], refresh: staleTypes(gitSide) }, ledger: sides.exportLedger, onProgress: options.progress?.exported });
  const exportedAt = exported.commits.at(-1) ?? read;
  const ledgers = { ...(staged ? { staged } : {}), ...(deploys ? {} : { deployLedger: sides.deployLedger }) };
  const branch = dryRun ? undefined : await recordAndPublish(options, run, { changes, reconciled, exported, skip: gitSide.skip, exportedAt, ...ledgers });
  return syncReport(run, reconciled, gitSide, exported, branch);
}

/**
 * How many commits back `pushedSinceDeploy` looks: a killed run's import is of a commit pushed
 * since the last deploy it recorded, and the next run comes minutes later at most.
 */
const PUSHED_VERSIONS_LIMIT = 100;

/**
 * The hashes of the texts the files of `candidates` (canonical GUID → path) had on the branch since
 * the last recorded deploy, newest first (`holdsOwnDeploy`): two git processes, and only when an
 * object looks changed on both sides.
 */
async function pushedSinceDeploy(repo: ContentRepo, sides: SyncSides, candidates: Map<string, string>): Promise<PushedVersions> {
  const since = sides.deployLedger.deployedCommit;
  if (candidates.size === 0 || since === undefined) return new Map();
  const versions = await repo.fileVersions([...new Set(candidates.values())], since, PUSHED_VERSIONS_LIMIT);
  return new Map([...candidates].map(([guid, path]) => [guid, (versions.get(path) ?? []).map(contentHash)]));
}

/**
 * The repository as the sync's deploy and export see it: the branch as the sync read it. Each
 * of them fetches and checks out the branch by itself, and so read the remote's tip anew: a push
 * landing after the deploy's read and before the export's was overwritten by the export with
 * ThoughtSpot's text of the object the deploy had just changed, a person's push reverted in a
 * commit of tmlsync's, with no warning (issue 15: one replicas test run in three lost the last
 * push). On the commit the sync read, and on the tree its read phase checked out (neither of
 * them writes it before the export), the export's commits are rebased onto such a push when
 * they are pushed, and the next run deploys it.
 */
function branchAsRead(repo: ContentRepo): ContentRepo {
  // Their checkout would only repeat the sync's (same commit, a tree nothing has written since):
  // a no-op sync run spawned 20 git processes, a quarter of them these repeats.
  return asFetched(repo, { checkout: () => Promise.resolve() });
}

/**
 * The branch as fetched, both ledgers, its files, and ThoughtSpot's listing: git's side is read
 * beside the listing, which it does not depend on (issue 16: the fetch and checkout, 0.5-1.2 s of
 * git at 1,000 objects, came before the listing's first call; reading the files, 1.2-1.6 s at
 * 10,000, came after its last). Both end before the run goes on, or fails: a listing of one type
 * that fails stops the others, and waits for them to end (allEndedFailFast).
 */
export async function readSides({ environment, thoughtspot, repo }: SyncOptions): Promise<SyncSides> {
  const gitSide = (async () => {
    await repo.fetch();
    await repo.checkout(environment.branch);
    const ledgers = await readLedgers(repo, environment.name);
    return { ...ledgers, content: await readContent(repo.dir, SLICE_BESIDE_CALLS_MS) };
  })();
  const stop = sharedStop();
  const listing = allEndedFailFast(stop.signal, (signal) => CONTENT_TYPES.map((type) => thoughtspot.listHeaders(type, undefined, undefined, signal)));
  // A git side that fails (the remote unreachable, a link among the files) stops the listing: the run reports it at once,
  // where it waited for a listing it no longer needed (with ThoughtSpot down, minutes of retries).
  const [{ exportLedger, deployLedger, content }, listed] = await allEndedStopping(stop, [gitSide, listing]);
  return { exportLedger, deployLedger, headers: new Map(listed.flat().map((h): [string, Header] => [h.id, h])), files: gitFiles(content), content };
}

/**
 * Whether git's side goes to the deploy: a change to deploy, or a file the deploy's gate refuses
 * whatever changed (`refusedFiles`: one that does not parse, has neither guid nor obj_id, or carries
 * another file's identity). Such a file is no change `detectChanges` can see, which compares files
 * by GUID: left to the gate of a run with some other change, a bad file pushed alone was reported
 * by no run ("ok, 0 added", exit 0). Its deploy stops at the gate, which names it, before anything
 * is written; the export goes on, as after any failed deploy of git's side.
 */
function mustDeploy(sides: SyncSides, reconciled: Reconciled): boolean {
  return reconciled.git.size > 0 || (sides.content !== undefined && refusedFiles(sides.content).length > 0);
}

/** What the export must leave alone with no deploy: the conflicts kept for a person. */
function keptConflicts(reconciled: Reconciled): GitSideOutcome {
  return { skip: new Set(reconciled.conflicts.filter((c) => c.resolution === 'kept both').map((c) => c.id)) };
}

/** git → ThoughtSpot: only git's changes; a failed deploy leaves those files for the next run. */
async function deployGitSide(options: SyncOptions, run: RunStart, sides: SyncSides, reconciled: Reconciled): Promise<GitSideOutcome> {
  const outcome = keptConflicts(reconciled);
  const { environment, thoughtspot, repo, dryRun = false } = options;
  try {
    outcome.deployed = await runDeploy({ environment, thoughtspot, repo, log: detailLogger(options.log ?? silentLogger()), runId: run.runId, dryRun, only: new Set(reconciled.git.keys()), listed: [...sides.headers.values()], content: sides.content, onProgress: options.progress?.imported });
  } catch (error) {
    outcome.error = error instanceof Error ? error.message : String(error);
    run.log.error({ error: outcome.error }, 'deploy of the git side failed; those files stay as they are');
  }
  const deployedOk = new Set((outcome.deployed?.objects ?? []).filter((o) => o.outcome === 'added' || o.outcome === 'updated' || o.outcome === 'deleted').map((o) => o.id));
  const envId = envIdOf(sides);
  for (const [guid, change] of reconciled.git) {
    // A git-side change that did not reach ThoughtSpot must not be overwritten by the export;
    // nor may a file deleted in git come back while ThoughtSpot keeps the object.
    if (!deployedOk.has(guid) || change === 'deleted') outcome.skip.add(envId(guid));
  }
  return outcome;
}

/** The types the git side's deploy wrote objects of: the run's listing is stale for those (issue 16: only they are listed again). */
function staleTypes({ deployed }: GitSideOutcome): HeaderType[] {
  const wrote = (deployed?.objects ?? []).filter((o) => o.outcome === 'added' || o.outcome === 'updated' || o.outcome === 'deleted');
  return [...new Set(wrote.map((o) => handlerFor(o.kind as TmlKind).metadataType))];
}

/** What the record phase needs of the run so far. */
export interface SyncedState {
  changes: SideChanges;
  reconciled: Reconciled;
  exported: RunReport;
  skip: Set<string>;
  /** The commit holding the texts the export left: its last commit, else the commit the run read (absent: the working tree). */
  exportedAt?: string;
  /** The export's commits and ledger, published with the deploy ledger. */
  staged?: StagedExport;
  /** The deploy ledger as the run read it, when nothing wrote it since (no deploy): not read again. */
  deployLedger?: DeployLedger;
}

/**
 * Publishes the run's outcome in one atomic push (the export's commits and ledger, and the deploy
 * ledger brought in step), then ThoughtSpot's side of the conflicts kept (or removes their branch
 * once none is left): a branch derived anew by every run, outside the atomic publication.
 */
export async function recordAndPublish(options: SyncOptions, run: RunStart, state: SyncedState): Promise<string | undefined> {
  const { repo, environment: { name } } = options;
  const { staged } = state;
  await repo.publish({
    ...(staged?.branch ? { branch: staged.branch } : {}),
    // Asked again after a rebase: the deploy ledger then reads the exported texts from the export's commit.
    states: async () => [staged?.ledger, await syncedLedger(repo, name, run.runId, state)].filter((write): write is StateWrite => write !== undefined),
  });
  const kept = state.reconciled.conflicts.filter((c) => c.resolution === 'kept both');
  if (Object.keys(state.reconciled.theirs).length > 0) {
    const branch = conflictsBranch(name);
    const lines = kept.map((c) => `- ${c.kind} "${c.name}" (${c.path}): ${c.git} in git, ${c.thoughtspot} in ThoughtSpot`);
    await repo.publishBranch(branch, await repo.revParse('HEAD'), state.reconciled.theirs, `sync(${name}): ThoughtSpot's side of ${lines.length} conflict${lines.length === 1 ? '' : 's'}\n\n${lines.join('\n')}\n`, options.committer);
    run.log.warn({ branch, conflicts: lines.length }, 'ThoughtSpot side of the conflicts published; merge what to keep into the environment branch');
    return branch;
  }
  if (await repo.removeBranch(conflictsBranch(name))) run.log.info({ branch: conflictsBranch(name) }, 'no conflicts left: their branch is removed');
  return undefined;
}

function syncReport(run: RunStart, reconciled: Reconciled, gitSide: GitSideOutcome, exported: RunReport, branch: string | undefined): SyncReport {
  const { deployed } = gitSide;
  const objects: ObjectResult[] = [...(deployed?.objects ?? []).filter((o) => o.outcome !== 'unchanged'), ...exported.objects];
  const error = [gitSide.error, exported.error].filter(Boolean).join('; ') || undefined;
  const report: SyncReport = {
    ...finishRun(run, objects, { commits: exported.commits, ...(error ? { error } : {}), failed: deployed?.outcome === 'failed' }), listing: 'full',
    conflicts: reconciled.conflicts, ...(branch ? { conflictsBranch: branch } : {}), ...(deployed ? { deploy: deployed } : {}), export: exported,
  };
  run.log.info({ counts: report.counts, conflicts: reconciled.conflicts.length, commits: report.commits.length }, 'sync finished');
  return report;
}

/** The branch's TML files by GUID (connections are the environment's own and never deployed). */
function gitFiles(content: Content): Map<string, GitFile> {
  const files = new Map<string, GitFile>();
  // Files the deploy's gate refuses are not compared here: they send the run to the gate (`mustDeploy`), which names them.
  for (const { doc, path, text } of content.files) {
    const key = canonicalKey(doc);
    if (key && !handlerFor(doc.kind).environmentOwned) files.set(key, { path, text, kind: doc.kind, name: doc.name });
  }
  return files;
}

/** ThoughtSpot's current TML of some objects, in the repository's canonical form; unparsable ones are left out (compared as different, so a person looks at them). */
async function exportTexts(thoughtspot: ThoughtSpotPort, { ids, guidless, files }: ReturnType<typeof toExportBack>): Promise<Map<string, string>> {
  const texts = new Map<string, string>();
  const docs = new Map([...files].map(([id, file]) => [id, parse(file.text)]));
  for (const [id, item] of await exportBack(thoughtspot, ids, { guidless, files: docs })) if (!('error' in item)) texts.set(id, item.text);
  return texts;
}

/**
 * Where an object's text as the export left it is read: never from the working tree when the push
 * was rebased onto a person's push made during the run (the tree then holds their edits too, not
 * yet deployed, and recorded as in step they would never be), but from the export's commit, all
 * `paths` by one `cat-file`; from the tree otherwise, without a git process per object.
 */
async function exportedTexts(repo: ContentRepo, exportedAt: string | undefined, paths: string[]): Promise<(path: string) => string> {
  const fromTree = (path: string) => readSourceFile(join(repo.dir, path), path);
  if (paths.length === 0 || exportedAt === undefined || (await repo.revParse('HEAD')) === exportedAt) return fromTree;
  const texts = await repo.readStates(paths.map((file) => ({ ref: exportedAt, file })));
  const atExport = new Map(paths.map((path, i) => [path, texts[i]]));
  return (path) => atExport.get(path) ?? fromTree(path);
}

/**
 * The deploy ledger in agreement with what the export just wrote (a file
 * ThoughtSpot's side put into git is in sync and must not be deployed back);
 * undefined when it already agrees.
 */
async function syncedLedger(repo: ContentRepo, environment: string, runId: string, state: SyncedState): Promise<StateWrite | undefined> {
  // A copy: asked again after a rebase, it starts from the ledger as read each time.
  const ledger: DeployLedger = state.deployLedger ? structuredClone(state.deployLedger) : await readDeployLedger(repo, environment);
  const before = JSON.stringify(ledger);
  const recorded = inStep(ledger, state);
  const textOf = await exportedTexts(repo, state.exportedAt, recorded.map(({ object }) => object.path!));
  for (const { object: o, created } of recorded) {
    ledger.objects[o.id] = { envGuid: o.id, kind: o.kind, name: o.name, path: o.path!, hash: contentHash(textOf(o.path!)), created };
  }
  Object.assign(ledger.objects, state.reconciled.tracked);
  return JSON.stringify(ledger) === before ? undefined : deployLedgerWrite(environment, ledger, `sync(${environment}): in step after run ${runId}`);
}

/**
 * What the export's results change in the deploy ledger: an object deleted leaves it (in place);
 * returned, the objects whose entry is written anew with the text the export left, under their
 * id in ThoughtSpot, and whether tmlsync created them.
 */
function inStep(ledger: DeployLedger, { changes, reconciled, exported, skip }: SyncedState): { object: ObjectResult; created: boolean }[] {
  const byEnvId = new Map(Object.entries(ledger.objects).map(([guid, e]) => [e.envGuid, guid]));
  const recorded: { object: ObjectResult; created: boolean }[] = [];
  for (const o of exported.objects) {
    const canonical = byEnvId.get(o.id);
    if (o.outcome === 'deleted') {
      if (canonical) delete ledger.objects[canonical];
      continue;
    }
    if (o.outcome === 'failed' || !o.path || handlerFor(o.kind as TmlKind).environmentOwned || skip.has(o.id)) continue;
    // An unchanged file the ledger already knows keeps its hash (it may hold a git edit on its way).
    // (The export speaks ThoughtSpot's ids, the deploy ledger and `agreed` canonical GUIDs.)
    if (o.outcome === 'unchanged' && !changes.thoughtspot.has(o.id) && !reconciled.agreed.has(canonical ?? o.id) && canonical) continue;
    // Whether tmlsync created it stays with the object when its entry moves to the environment's GUID.
    recorded.push({ object: o, created: ledger.objects[canonical ?? o.id]?.created ?? false });
    if (canonical && canonical !== o.id) delete ledger.objects[canonical]; // the file now carries the environment's GUID
  }
  return recorded;
}
