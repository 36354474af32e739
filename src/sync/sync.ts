import { join } from 'node:path';
import { silentLogger, type Logger } from '../log/index.js';
import { handlerFor, type TmlKind } from '../tml/index.js';
import { exportBack } from './batches.js';
import { runDeploy, type DeployReport } from './deploy.js';
import type { DeployEnvironment } from './deploy-types.js';
import { runExport } from './export.js';
import { contentHash, readDeployLedger, readExportLedger, writeDeployLedger, type DeployLedger } from './ledger.js';
import type { ContentRepo, Header, Identity, ThoughtSpotPort } from './ports.js';
import { finishRun, startRun, type ObjectResult, type RunReport } from './report.js';
import { readContent, readSourceFile } from './content.js';
import { CONTENT_TYPES } from './target.js';

/** Who wins when one object changed in git and in ThoughtSpot since the last sync. */
export type ConflictPolicy = 'manual' | 'git-wins' | 'thoughtspot-wins';

export interface SyncEnvironment extends Omit<DeployEnvironment, 'mappings'> {
  conflicts?: ConflictPolicy;
}

export interface SyncOptions {
  environment: SyncEnvironment;
  thoughtspot: ThoughtSpotPort;
  repo: ContentRepo;
  /** Commits without a ThoughtSpot author (deletions, principals, the conflicts branch). */
  committer: Identity;
  log?: Logger;
  runId?: string;
  dryRun?: boolean;
}

export type SideChange = 'added' | 'modified' | 'deleted';

/** One object changed on both sides since the last sync, with different content. */
export interface Conflict {
  id: string;
  kind: string;
  name: string;
  path: string;
  git: SideChange;
  thoughtspot: SideChange;
  /** What this run did: kept both (manual), or the side the policy chose. */
  resolution: 'kept both' | 'git version deployed' | 'ThoughtSpot version exported';
}

export interface SyncReport extends RunReport {
  conflicts: Conflict[];
  /** The branch holding ThoughtSpot's side of the conflicts left for a person to resolve. */
  conflictsBranch?: string;
  deploy?: DeployReport;
  export?: RunReport;
}

export const conflictsBranch = (environment: string) => `tmlsync/conflicts/${environment}`;

interface GitFile {
  path: string;
  text: string;
  kind: string;
  name: string;
}

/**
 * One run of a `sync` environment (DESIGN.md "direction"): what changed in git
 * since the last sync is deployed, what changed in ThoughtSpot is exported,
 * and an object changed on both sides with different content is a conflict
 * that neither side overwrites unless the policy says which side wins.
 *
 * "Changed since the last sync" is read from the two ledgers: in git, a file
 * whose hash differs from the deploy ledger's; in ThoughtSpot, an object
 * whose `modified` differs from the export ledger's. After the run both
 * ledgers describe the same content, so the next export makes no commit and
 * the next deploy no write call. A file the ledgers do not know yet (the
 * first sync of a repository that has content) is compared with ThoughtSpot's
 * export: equal is in sync; different is a git change when ThoughtSpot did
 * not change since its last export, a conflict otherwise.
 */
export async function runSync(options: SyncOptions): Promise<SyncReport> {
  const { environment, thoughtspot, repo, dryRun = false } = options;
  const name = environment.name;
  const policy = environment.conflicts ?? 'manual';
  const run = startRun('sync', name, options);
  const { runId, log } = run;

  await repo.fetch();
  await repo.checkout(environment.branch);
  const exportLedger = await readExportLedger(repo, name);
  const deployLedger = await readDeployLedger(repo, name);
  const headers = new Map<string, Header>((await Promise.all(CONTENT_TYPES.map((type) => thoughtspot.listHeaders(type)))).flat().map((h) => [h.id, h]));
  const files = gitFiles(repo.dir);

  // ThoughtSpot's side, by its own ids; git's side, by the canonical GUIDs of the files.
  const envId = (guid: string) => deployLedger.objects[guid]?.envGuid ?? guid;
  const tsChange = new Map<string, SideChange>();
  for (const h of headers.values()) {
    const known = exportLedger.objects[h.id];
    if (!known) tsChange.set(h.id, 'added');
    else if (known.modified !== h.modified) tsChange.set(h.id, 'modified');
  }
  for (const id of Object.keys(exportLedger.objects)) if (!headers.has(id)) tsChange.set(id, 'deleted');

  const gitChange = new Map<string, SideChange>();
  const unknown: string[] = []; // files in ThoughtSpot the deploy ledger has no hash for
  for (const [guid, file] of files) {
    const entry = deployLedger.objects[guid];
    if (entry) {
      if (entry.hash !== contentHash(file.text)) gitChange.set(guid, 'modified');
    } else if (headers.has(envId(guid))) {
      unknown.push(guid);
    } else if (!exportLedger.objects[guid]) {
      gitChange.set(guid, 'added');
    }
  }
  for (const guid of Object.keys(deployLedger.objects)) if (!files.has(guid) && exportLedger.objects[envId(guid)]) gitChange.set(guid, 'deleted');

  // Objects whose two sides must be compared: changed on both, or never compared.
  const both = [...gitChange.keys()].filter((guid) => tsChange.has(envId(guid)));
  const compare = [...both, ...unknown].filter((guid) => headers.has(envId(guid)));
  const current = await exportTexts(thoughtspot, compare.map(envId));
  const agreed = new Set<string>();
  const conflicts: Conflict[] = [];
  const theirs: Record<string, string> = {}; // ThoughtSpot's side of unresolved conflicts, by path
  for (const guid of new Set([...both, ...unknown])) {
    const file = files.get(guid);
    const id = envId(guid);
    const text = current.get(id);
    const bothDeleted = !file && tsChange.get(id) === 'deleted';
    if (bothDeleted || (file && text !== undefined && text === file.text)) {
      agreed.add(guid);
      gitChange.delete(guid);
      continue;
    }
    const git = gitChange.get(guid) ?? 'modified';
    const ts = tsChange.get(id) ?? (exportLedger.objects[id] ? undefined : 'added');
    if (!ts) {
      gitChange.set(guid, git); // a file the deploy ledger did not know, edited in git only
      continue;
    }
    const entry = exportLedger.objects[id];
    const path = file?.path ?? entry?.path ?? deployLedger.objects[guid]?.path ?? '';
    const resolution = policy === 'git-wins' ? 'git version deployed' : policy === 'thoughtspot-wins' ? 'ThoughtSpot version exported' : 'kept both';
    conflicts.push({ id, kind: file?.kind ?? entry?.kind ?? 'unknown', name: file?.name ?? entry?.name ?? id, path, git, thoughtspot: ts, resolution });
    if (policy === 'manual' && text !== undefined) theirs[path] = text;
    if (policy !== 'git-wins') gitChange.delete(guid);
  }
  for (const c of conflicts) log.warn({ object: `${c.kind} "${c.name}"`, path: c.path, git: c.git, thoughtspot: c.thoughtspot, resolution: c.resolution }, 'changed in git and in ThoughtSpot');

  // git → ThoughtSpot: only git's changes; a failed deploy leaves those files for the next run.
  const skip = new Set(conflicts.filter((c) => c.resolution === 'kept both').map((c) => c.id));
  let deployed: DeployReport | undefined;
  let deployError: string | undefined;
  if (gitChange.size > 0) {
    try {
      deployed = await runDeploy({ environment, thoughtspot, repo, log: options.log ?? silentLogger(), runId, dryRun, only: new Set(gitChange.keys()) });
    } catch (error) {
      deployError = error instanceof Error ? error.message : String(error);
      log.error({ error: deployError }, 'deploy of the git side failed; those files stay as they are');
    }
  }
  const deployedOk = new Set((deployed?.objects ?? []).filter((o) => o.outcome === 'added' || o.outcome === 'updated' || o.outcome === 'deleted').map((o) => o.id));
  for (const [guid, change] of gitChange) {
    // A git-side change that did not reach ThoughtSpot must not be overwritten by the export;
    // nor may a file deleted in git come back while ThoughtSpot keeps the object.
    if (!deployedOk.has(guid) || change === 'deleted') skip.add(envId(guid));
  }

  // ThoughtSpot → git: everything else (deployed objects come back identical: no commit).
  const exported = await runExport({ environment: name, branch: environment.branch, thoughtspot, repo, committer: options.committer, log: options.log ?? silentLogger(), runId, dryRun, skip });

  let branch: string | undefined;
  if (!dryRun) {
    await recordSynced(repo, name, runId, exported, tsChange, agreed, skip);
    if (Object.keys(theirs).length > 0) {
      branch = conflictsBranch(name);
      const lines = conflicts.filter((c) => c.resolution === 'kept both').map((c) => `- ${c.kind} "${c.name}" (${c.path}): ${c.git} in git, ${c.thoughtspot} in ThoughtSpot`);
      await repo.publishBranch(branch, await repo.revParse('HEAD'), theirs, `sync(${name}): ThoughtSpot's side of ${lines.length} conflict${lines.length === 1 ? '' : 's'}\n\n${lines.join('\n')}\n`, options.committer);
      log.warn({ branch, conflicts: lines.length }, 'ThoughtSpot side of the conflicts published; merge what to keep into the environment branch');
    } else if (await repo.removeBranch(conflictsBranch(name))) {
      log.info({ branch: conflictsBranch(name) }, 'no conflicts left: their branch is removed');
    }
  }

  const objects: ObjectResult[] = [...(deployed?.objects ?? []).filter((o) => o.outcome !== 'unchanged'), ...exported.objects];
  const error = [deployError, exported.error].filter(Boolean).join('; ') || undefined;
  const report: SyncReport = {
    ...finishRun(run, objects, { commits: exported.commits, ...(error ? { error } : {}), failed: deployed?.outcome === 'failed' }),
    conflicts, ...(branch ? { conflictsBranch: branch } : {}), ...(deployed ? { deploy: deployed } : {}), export: exported,
  };
  log.info({ counts: report.counts, conflicts: conflicts.length, commits: report.commits.length }, 'sync finished');
  return report;
}

/** The branch's TML files by GUID (connections are the environment's own and never deployed). */
function gitFiles(dir: string): Map<string, GitFile> {
  const files = new Map<string, GitFile>();
  // Unreadable files are the deploy gate's to report; here they are just not compared.
  for (const { doc, path, text } of readContent(dir).files) {
    if (doc.guid && !handlerFor(doc.kind).environmentOwned) files.set(doc.guid, { path, text, kind: doc.kind, name: doc.name });
  }
  return files;
}

/** ThoughtSpot's current TML of some objects, in the repository's canonical form; unparsable ones are left out (compared as different, so a person looks at them). */
async function exportTexts(thoughtspot: ThoughtSpotPort, ids: string[]): Promise<Map<string, string>> {
  const texts = new Map<string, string>();
  for (const [id, item] of await exportBack(thoughtspot, ids)) if (!('error' in item)) texts.set(id, item.text);
  return texts;
}

/**
 * Makes the deploy ledger agree with what the export just wrote: a file
 * ThoughtSpot's side put into git is in sync and must not be deployed back.
 */
async function recordSynced(
  repo: ContentRepo, environment: string, runId: string, exported: RunReport, tsChange: Map<string, SideChange>,
  agreed: Set<string>, skip: Set<string>,
): Promise<void> {
  const ledger: DeployLedger = await readDeployLedger(repo, environment);
  const before = JSON.stringify(ledger);
  const byEnvId = new Map(Object.entries(ledger.objects).map(([guid, e]) => [e.envGuid, guid]));
  for (const o of exported.objects) {
    const canonical = byEnvId.get(o.id);
    if (o.outcome === 'deleted') {
      if (canonical) delete ledger.objects[canonical];
      continue;
    }
    if (o.outcome === 'failed' || !o.path || handlerFor(o.kind as TmlKind).environmentOwned || skip.has(o.id)) continue;
    // An unchanged file the ledger already knows keeps its hash (it may hold a git edit on its way).
    if (o.outcome === 'unchanged' && !tsChange.has(o.id) && !agreed.has(o.id) && canonical) continue;
    if (canonical && canonical !== o.id) delete ledger.objects[canonical]; // the file now carries the environment's GUID
    const previous = ledger.objects[o.id];
    const text = readSourceFile(join(repo.dir, o.path), o.path);
    ledger.objects[o.id] = { envGuid: o.id, kind: o.kind, name: o.name, path: o.path, hash: contentHash(text), created: previous?.created ?? false };
  }
  if (JSON.stringify(ledger) !== before) await writeDeployLedger(repo, environment, ledger, `sync(${environment}): in step after run ${runId}`);
}
