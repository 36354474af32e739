import type { Logger } from '../../log/index.js';
import { handlerFor, listedKind, references, type KnownObject, type TmlKind } from '../../tml/index.js';
import { readContent } from '../kernel/content.js';
import { DeployGateError, type Candidate, type ChangeSet, type DeployEnvironment, type DeployMapping, type DeployOptions, type PlannedChange } from './types.js';
import { contentHash, readDeployLedger, type DeployLedger } from '../kernel/ledger.js';
import { startRun } from '../kernel/report.js';
import { targetObjects } from '../kernel/target.js';
import type { Finding } from '../kernel/validate.js';

/**
 * Steps 1–3 of a deploy (DESIGN.md "Deploy"), shared with `tmlsync plan`:
 * the files at the commit, the target, the change set and the mapping. Any
 * problem with the files stops here, before anything is written.
 */
export async function prepareDeploy(options: DeployOptions): Promise<ChangeSet> {
  const { environment, thoughtspot, repo } = options;
  const run = startRun('deploy', environment.name, options);
  await repo.fetch();
  await repo.checkout(environment.branch);
  const commit = options.ref ? await repo.checkoutRef(options.ref) : ((await repo.revParse('HEAD')) ?? '');
  const ledger = await readDeployLedger(repo, environment.name);
  const { candidates, connections } = readCandidates(repo.dir, ledger);
  const target = await targetObjects(thoughtspot);
  const present = new Set(target.map((t) => t.guid));
  adoptPending(ledger, target, run.log);
  settleActions(candidates, ledger, present, options.only);
  const mapping = mappingOf(ledger, present, environment);
  const findings = resolveConnections(candidates, target, environment, connections, mapping);
  if (findings.length > 0) throw new DeployGateError(findings);
  return {
    run, commit, ledger, candidates, changed: candidates.filter((c) => c.action !== 'unchanged'), target, mapping,
    plan: candidates.map((c) => plannedChange(c, ledger)), deletions: deletionsOf(ledger, candidates, present, options.only),
  };
}

/** The canonical files, parsed, each with what the ledger says of it; connections apart (canonical name → GUID). */
function readCandidates(dir: string, ledger: DeployLedger): { candidates: Candidate[]; connections: Map<string, string> } {
  const { files, findings } = readContent(dir);
  const candidates: Candidate[] = [];
  const connections = new Map<string, string>();
  for (const { doc, path, text } of files) {
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
  return { candidates, connections };
}

/** An object the ledger knows but the target lost is created again; outside `only`, nothing changes. */
function settleActions(candidates: Candidate[], ledger: DeployLedger, present: ReadonlySet<string>, only: ReadonlySet<string> | undefined): void {
  for (const c of candidates) {
    const known = ledger.objects[c.canonicalGuid];
    if (known && !present.has(known.envGuid)) c.action = 'create';
    if (only && !only.has(c.canonicalGuid)) c.action = 'unchanged';
  }
}

function plannedChange(c: Candidate, ledger: DeployLedger): PlannedChange {
  const known = ledger.objects[c.canonicalGuid];
  return { action: c.action, kind: c.doc.kind, name: c.doc.name, path: c.path, canonicalGuid: c.canonicalGuid, ...(known ? { envGuid: known.envGuid } : {}) };
}

/** What the ledger knows, is still in the target, and has no file any more. */
function deletionsOf(ledger: DeployLedger, candidates: Candidate[], present: ReadonlySet<string>, only: ReadonlySet<string> | undefined): PlannedChange[] {
  const files = new Set(candidates.map((c) => c.canonicalGuid));
  return Object.entries(ledger.objects)
    .filter(([canonical, e]) => !files.has(canonical) && present.has(e.envGuid) && (!only || only.has(canonical)))
    .map(([canonical, e]) => ({ action: 'delete', kind: e.kind, name: e.name, path: e.path, canonicalGuid: canonical, envGuid: e.envGuid }));
}

function mappingOf(ledger: DeployLedger, present: ReadonlySet<string>, environment: DeployEnvironment): DeployMapping {
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
function resolveConnections(candidates: Candidate[], target: KnownObject[], environment: DeployEnvironment, connections: Map<string, string>, mapping: DeployMapping): Finding[] {
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
