import { InvalidInputError } from '../../errors/index.js';
import type { Logger } from '../../log/index.js';
import { handlerFor, listedKind, references, type KnownObject, type TmlKind } from '../../tml/index.js';
import { readContent, SLICE_BESIDE_CALLS_MS, type Content } from '../kernel/content.js';
import type { WorkflowEnvironment } from '../kernel/environment.js';
import { DeployGateError, MissingLedgerError, type Candidate, type ChangeSet, type DeployMapping, type DeployOptions, type Identity, type PlannedChange } from './types.js';
import { contentHash, readDeployLedger, stateRef, type DeployLedger, type PendingCreation } from '../kernel/ledger.js';
import { startRun } from '../kernel/report.js';
import { allEndedStopping, sharedStop } from '../kernel/settle.js';
import { listTarget, targetFromHeaders, type Target } from '../kernel/target.js';
import { canonicalKey, identityFindings, OBJ_ID_KEY, type Finding } from '../kernel/validate.js';
import type { ThoughtSpotPort } from '../ports.js';

/**
 * Steps 1–3 of a deploy (DESIGN.md "Deploy"), shared with `tmlsync plan`:
 * the files at the commit, the target, the change set and the mapping. Any
 * problem with the files stops here, before anything is written.
 */
export async function prepareDeploy(options: DeployOptions): Promise<ChangeSet> {
  const { environment, thoughtspot, repo } = options;
  const run = startRun('deploy', environment.name, options);
  // The target is listed while git and the files are read, which it does not depend on (issue 16:
  // at 10,003 objects its 25 calls came after 1.9 s of fetch, checkout and reading the files). The
  // bench's deploy of one changed file at 10,003 objects, against an emulator answering in 150 ms:
  // 4.23-5.04 s (median 4.38) before, 3.00-4.58 s (median 3.19) after, 6 runs each; at the bench's
  // 20 ms, medians 3.11 and 3.18 s (8 runs each), the two sharing this machine's two cores with
  // the emulator, with 0.5 s more CPU in the read's slices.
  const given = givenTarget(options, run.log);
  const stop = sharedStop();
  const listing = given ? Promise.resolve(given) : listTarget(thoughtspot, undefined, stop.signal);
  // Read in slices when the deploy lists beside it (not with a sync's listing): the listing's answers are taken in between.
  const read = readBranch(options, given ? undefined : SLICE_BESIDE_CALLS_MS).then((branch) => ({ ...branch, ...readCandidates(branch.content, branch.ledger) }));
  // Files that stop the deploy stop it at once, offline: the listing ends (its calls dropped or
  // closed, its login abandoned, no retry) before the run reports, so that none outlives it.
  const [{ commit, ledger, candidates, connections }, { objects: target, authors }] = await allEndedStopping(stop, [read, listing]);
  await matchObjIds(candidates, ledger, target, thoughtspot, run.log);
  if (!(await repo.revParse(stateRef(environment.name, 'deploy')))) refuseWithoutLedger(environment.name, candidates, target);
  const present = new Set(target.map((t) => t.guid));
  adoptPending(ledger, target, run.log);
  settleActions(candidates, ledger, present, options.only);
  const mapping = mappingOf(ledger, present, environment);
  const findings = resolveConnections(candidates, target, environment, connections, mapping);
  if (findings.length > 0) throw new DeployGateError(findings);
  return {
    run, commit, ledger, candidates, changed: candidates.filter((c) => c.action !== 'unchanged'), target, authors, mapping,
    plan: candidates.map((c) => plannedChange(c, ledger, present)), deletions: deletionsOf(ledger, candidates, present, options.only),
  };
}

/** The branch (or the ref) checked out, its commit, the deploy ledger, and the content folder read (or the caller's), in slices of `sliceMs` (`readContent`). */
async function readBranch({ environment, repo, ref, content }: DeployOptions, sliceMs?: number): Promise<{ commit: string; ledger: DeployLedger; content: Content }> {
  await repo.fetch();
  const missing = !ref && (await repo.revParse(`refs/remotes/origin/${environment.branch}`)) === undefined;
  // A deploy never writes into the tree: the next run finds it as this checkout leaves it (issue 16).
  await repo.checkout(environment.branch, { reads: true });
  const commit = ref ? await repo.checkoutRef(ref) : ((await repo.revParse('HEAD')) ?? '');
  const ledger = await readDeployLedger(repo, environment.name);
  if (missing) refuseMissingBranch(environment, ledger);
  return { commit, ledger, content: (!ref && content) || (await readContent(repo.dir, sliceMs)) };
}

/**
 * A branch the remote does not have is nothing to deploy while the environment has none deployed
 * (its branch not pushed yet, as doctor says). Once the deploy ledger holds objects, it is a
 * branch renamed, deleted or misspelled: deployed, it said "ok" with a line per object "gone from
 * the repository" (a fresh-user trial, `branch: mian`), and with prune on it would have deleted
 * them but for prune's own guard. Refused before anything is read or written.
 */
function refuseMissingBranch(environment: DeployOptions['environment'], ledger: DeployLedger): void {
  const deployed = Object.keys(ledger.objects).length;
  if (deployed === 0) return;
  throw new InvalidInputError(`branch ${environment.branch} is not in the remote (environments.${environment.name}.branch), but ${environment.name}'s deploy ledger holds ${deployed} objects deployed from it before: a branch renamed, deleted or misspelled? Nothing was deployed or deleted`);
}

/** The target as the caller listed it this run (a sync's listing: one per run); undefined when there is none it can use, and the deploy lists its own. */
function givenTarget({ listed }: DeployOptions, log: Logger): Target | undefined {
  const given = listed ? targetFromHeaders(listed) : undefined;
  if (listed && !given) log.debug('the listing given cannot tell every kind apart: the deploy lists its target itself');
  return given;
}

/**
 * Identity by object id (issue 13): a file with an `obj_id` is the target's
 * object with that obj_id, whatever the ledger says, so that a target
 * tmlsync never deployed to (no ledger: another instance, an Org set up by
 * hand or by ThoughtSpot's own Git integration) is updated, not given a
 * duplicate. The match goes into the ledger as `adoptPending` does (hash
 * unknown, so the file is imported; `created` only if tmlsync created that
 * object), and from there into the mapping, prune and ownership alike.
 * A ledger entry of another file that held the object moves to this one
 * when that file is gone (else prune would delete the object); when that
 * file is still there, two files claim one object: the gate stops.
 * Over v1 (no obj_ids in listings) the ledger alone decides, said once per run.
 */
async function matchObjIds(candidates: Candidate[], ledger: DeployLedger, target: KnownObject[], thoughtspot: ThoughtSpotPort, log: Logger): Promise<void> {
  const withObjId = candidates.filter((c) => c.doc.objId);
  if (withObjId.length === 0) return;
  if (!(await thoughtspot.speaksObjIds())) {
    refuseObjIdOnly(withObjId);
    log.warn({ files: withObjId.length }, 'this API (v1) has no object ids: files with an obj_id are matched by the deploy ledger\'s GUIDs, as files without one');
    return;
  }
  const byObjId = new Map(target.flatMap((t) => (t.objId ? [[t.objId, t] as const] : [])));
  // Indexed once: a search of the ledger per file would be 10^8 steps at 10,000 files.
  const holders = new Map(Object.entries(ledger.objects).map(([canonical, e]) => [e.envGuid, canonical]));
  const files = new Set(candidates.map((c) => c.canonicalGuid));
  const findings: Finding[] = [];
  for (const c of withObjId) {
    const found = byObjId.get(c.doc.objId!);
    if (!found) continue;
    if (listedKind(found.kind) !== listedKind(c.doc.kind)) {
      findings.push({ severity: 'error', source: 'offline', file: c.path, message: `${c.path}: its obj_id ${c.doc.objId!} names ${found.kind} "${found.name}" in the target, not an object of kind ${c.doc.kind}` });
      continue;
    }
    const held = holders.get(found.guid);
    const holder = held !== undefined && held !== c.canonicalGuid && ledger.objects[held] ? ([held, ledger.objects[held]] as const) : undefined;
    if (holder && files.has(holder[0])) {
      findings.push({ severity: 'error', source: 'offline', file: c.path, message: `${c.path}: its obj_id ${c.doc.objId!} names ${found.kind} "${found.name}", which the deploy ledger gives to ${holder[1].path}; one object, one file` });
      continue;
    }
    if (holder) delete ledger.objects[holder[0]];
    const known = ledger.objects[c.canonicalGuid];
    if (known && known.envGuid !== found.guid) log.warn({ path: c.path, objId: c.doc.objId, ledger: known.envGuid, found: found.guid }, 'the obj_id of a file names another object than the ledger: the obj_id wins');
    if (!known || known.envGuid !== found.guid) {
      const created = holder?.[1].created ?? false;
      ledger.objects[c.canonicalGuid] = { envGuid: found.guid, kind: c.doc.kind, name: c.doc.name, path: c.path, hash: '', created };
      holders.set(found.guid, c.canonicalGuid);
      if (c.action === 'create' || c.action === 'unchanged') c.action = 'update';
    }
    c.matchedByObjId = true;
  }
  if (findings.length > 0) throw new DeployGateError(findings);
}


/** The environment GUIDs of the ledger's objects whose files carry no guid (`canonicalKey`): what `exportBack` gives back without the GUID the export adds. */
export function guidlessIn(ledger: DeployLedger): Set<string> {
  return new Set(Object.entries(ledger.objects).flatMap(([key, entry]) => (key.startsWith(OBJ_ID_KEY) ? [entry.envGuid] : [])));
}

/** Over v1 a file with an obj_id and no guid has no identity at all: exit 2, naming each. */
function refuseObjIdOnly(withObjId: Candidate[]): void {
  const findings = withObjId.filter((c) => c.doc.guid === undefined).map((c): Finding => ({
    severity: 'error', source: 'offline', file: c.path,
    message: `${c.path}: ${c.doc.kind} "${c.doc.name}" has an obj_id (${c.doc.objId!}) and no guid, and this environment is reached over REST API v1, which has no object ids: deploy it over v2 (api: v2 or auto), or give the file its guid`,
  }));
  if (findings.length > 0) throw new DeployGateError(findings);
}

/**
 * What stops a deploy at its read of the files, whatever changed: files that do not parse, an identity
 * carried twice or contradicted by a file's name, files with neither guid nor obj_id. Every file, not
 * only the changed ones: a copy of an unchanged file is as wrong as a changed one. A sync asks it too,
 * to send such a branch to the gate when nothing else changed (sync.ts `mustDeploy`).
 */
export function refusedFiles({ files, findings: read }: Content): Finding[] {
  // identityFindings holds the identity rules, the one without a guid or an obj_id too: `tmlsync validate` applies them as well.
  return [...read, ...identityFindings(files.map((f) => f.doc))];
}

/** The canonical files, parsed, each with what the ledger says of it; connections apart (canonical name → GUID). */
function readCandidates(content: Content, ledger: DeployLedger): { candidates: Candidate[]; connections: Map<string, string> } {
  const findings = refusedFiles(content);
  if (findings.length > 0) throw new DeployGateError(findings);
  const candidates: Candidate[] = [];
  const connections = new Map<string, string>();
  for (const { doc, path, text } of content.files) {
    if (handlerFor(doc.kind).environmentOwned) {
      if (doc.guid) connections.set(doc.name, doc.guid);
      continue;
    }
    const key = canonicalKey(doc);
    // A file without either is refused by identityFindings above, the rule `tmlsync validate` applies too.
    if (!key) continue;
    const known = ledger.objects[key];
    candidates.push({ doc, path, text, canonicalGuid: key, action: known ? (known.hash === contentHash(text) ? 'unchanged' : 'update') : 'create' });
  }
  return { candidates, connections };
}

/**
 * A first deploy has no ledger, and neither has one whose ledger ref was
 * deleted: they differ in what the target holds. A file whose GUID the target
 * holds is updated in place, ledger or not (the import names it). But an object
 * with a file's kind and name under another GUID was made by a deploy whose
 * ledger is gone (a target that assigns its own GUIDs), or by hand: a deploy
 * cannot tell which, and would create every such file again (ThoughtSpot's
 * answer for tables: "Logical table ID to update is compulsory"), so it stops
 * and says how to recover.
 */
function refuseWithoutLedger(environment: string, candidates: Candidate[], target: KnownObject[]): void {
  const guids = new Set(target.map((t) => t.guid));
  // A file matched by its obj_id is known for what it is: no guess, no refusal.
  const found = candidates.filter((c) => !c.matchedByObjId && !guids.has(c.canonicalGuid) && sameListing(target, c.doc.kind, c.doc.name).length > 0);
  if (found.length > 0) throw new MissingLedgerError(environment, stateRef(environment, 'deploy'), found.map((c) => `${c.doc.kind} "${c.doc.name}"`));
}

/** An object the ledger knows but the target lost is created again; outside `only`, nothing changes. */
function settleActions(candidates: Candidate[], ledger: DeployLedger, present: ReadonlySet<string>, only: ReadonlySet<string> | undefined): void {
  for (const c of candidates) {
    const known = ledger.objects[c.canonicalGuid];
    if (known && !present.has(known.envGuid)) c.action = 'create';
    if (only && !only.has(c.canonicalGuid)) c.action = 'unchanged';
  }
}

function plannedChange(c: Candidate, ledger: DeployLedger, present: ReadonlySet<string>): PlannedChange {
  const known = ledger.objects[c.canonicalGuid];
  return { action: c.action, identity: identityOf(c, ledger, present), kind: c.doc.kind, name: c.doc.name, path: c.path, canonicalGuid: c.canonicalGuid, ...(known ? { envGuid: known.envGuid } : {}) };
}

/** How `c` was matched to the target's object (`tmlsync plan` says it). */
function identityOf(c: Candidate, ledger: DeployLedger, present: ReadonlySet<string>): Identity {
  if (c.matchedByObjId) return 'obj_id';
  const known = ledger.objects[c.canonicalGuid];
  if (known && present.has(known.envGuid)) return 'ledger';
  return present.has(c.canonicalGuid) ? 'guid' : 'new';
}

/** What the ledger knows, is still in the target, and has no file any more. */
function deletionsOf(ledger: DeployLedger, candidates: Candidate[], present: ReadonlySet<string>, only: ReadonlySet<string> | undefined): PlannedChange[] {
  const files = new Set(candidates.map((c) => c.canonicalGuid));
  return Object.entries(ledger.objects)
    .filter(([canonical, e]) => !files.has(canonical) && present.has(e.envGuid) && (!only || only.has(canonical)))
    .map(([canonical, e]) => ({ action: 'delete', kind: e.kind, name: e.name, path: e.path, canonicalGuid: canonical, envGuid: e.envGuid }));
}

function mappingOf(ledger: DeployLedger, present: ReadonlySet<string>, environment: WorkflowEnvironment): DeployMapping {
  const { mappings } = environment;
  return {
    guids: new Map(Object.entries(ledger.objects).filter(([, e]) => present.has(e.envGuid)).map(([canonical, e]) => [canonical, e.envGuid])),
    ...(mappings?.connections ? { connections: mappings.connections } : {}),
    ...(mappings?.databases ? { databases: mappings.databases } : {}),
    ...(mappings?.schemas ? { schemas: mappings.schemas } : {}),
  };
}

/**
 * Connections belong to the environment: each mapped name is resolved there,
 * exactly once, into the mapping. Every file's connections are mapped (so
 * that exports map back); only changed files must resolve.
 */
function resolveConnections(candidates: Candidate[], target: KnownObject[], environment: WorkflowEnvironment, connections: Map<string, string>, mapping: DeployMapping): Finding[] {
  const owned = (kind: TmlKind) => handlerFor(kind).environmentOwned === true;
  const targetConnections = target.filter((t) => owned(t.kind));
  const findings: Finding[] = [];
  for (const c of candidates) {
    for (const reference of references(c.doc).filter((r) => r.kinds.every(owned))) {
      const mapped = environment.mappings?.connections?.[reference.name] ?? reference.name;
      const matches = targetConnections.filter((t) => t.name === mapped);
      if (matches.length !== 1) {
        if (c.action === 'unchanged') continue;
        const how = matches.length === 0 ? 'does not exist' : `exists ${matches.length} times`;
        const message = `${c.path}: ${c.doc.kind} "${c.doc.name}" uses connection "${reference.name}"${mapped !== reference.name ? ` (mapped to "${mapped}")` : ''}, which ${how} in ${environment.name}`;
        findings.push({ severity: 'error', source: 'offline', file: c.path, message });
        continue;
      }
      if (reference.fqn) mapping.guids.set(reference.fqn, matches[0]!.guid);
      const canonical = connections.get(reference.name);
      if (canonical) mapping.guids.set(canonical, matches[0]!.guid);
    }
  }
  return findings;
}

/** What a run records before creating `c`: the GUID it asks for, and the same-named objects the target already holds. */
export function pendingCreation(c: Candidate, target: KnownObject[]): PendingCreation {
  // An unmapped create is sent with its canonical GUID (applyMapping keeps a GUID it has no mapping for); an obj_id-only file with none.
  const before = sameListing(target, c.doc.kind, c.doc.name).map((t) => t.guid);
  return { kind: c.doc.kind, name: c.doc.name, path: c.path, ...(c.doc.guid !== undefined ? { guid: c.doc.guid } : {}), before };
}

/** The target's objects listed as `kind` named `name` (listings cannot tell a worksheet from a model: both `WORKSHEET`). */
function sameListing(target: KnownObject[], kind: string, name: string): KnownObject[] {
  return target.filter((t) => listedKind(t.kind) === listedKind(kind as TmlKind) && t.name === name);
}

/**
 * A run that died after ThoughtSpot created objects but before it recorded
 * them left them in `pending`; an object found now is adopted (updated, not
 * created again) only when it is proven to be the one that run created
 * (issue 15, item 5): one the target did not hold when the run recorded its
 * intent (`before`, the same listing a deploy takes first), preferring the
 * GUID the import asked for. Why not names, or times and authors: a person's
 * object of the same name made earlier would be overwritten and later
 * pruned; headers' `created` is ThoughtSpot's clock, not ours, and the port
 * cannot tell the service user's id, while "absent before, present now" needs
 * neither and holds on v1 and v2 alike. What cannot be proven (a record
 * without `before`, several new objects of the name, only objects that were
 * there before) is named in a warning and left alone: never overwritten,
 * never recorded as created; the file is then created as any new file.
 */
function adoptPending(ledger: DeployLedger, target: KnownObject[], log: Logger): void {
  const claimed = new Set(Object.values(ledger.objects).map((e) => e.envGuid));
  for (const [canonical, intent] of Object.entries(ledger.pending ?? {})) {
    const known = ledger.objects[canonical];
    if (known && target.some((t) => t.guid === known.envGuid)) continue;
    const found = sameListing(target, intent.kind, intent.name).filter((t) => !claimed.has(t.guid));
    if (found.length === 0) continue;
    const created = intent.before ? found.filter((t) => !intent.before!.includes(t.guid)) : [];
    const proven = created.find((t) => t.guid === intent.guid) ?? (created.length === 1 ? created[0] : undefined);
    if (!proven) {
      log.warn({ canonical, path: intent.path, kind: intent.kind, name: intent.name, found: found.map((t) => t.guid) }, 'an interrupted deploy was creating this object; what the target holds under its name cannot be proven to be it, so it is left alone');
      continue;
    }
    ledger.objects[canonical] = { envGuid: proven.guid, kind: intent.kind, name: intent.name, path: intent.path, hash: '', created: true };
    claimed.add(proven.guid);
    log.info({ canonical, envGuid: proven.guid, name: intent.name }, 'adopted an object an interrupted deploy created');
  }
}
