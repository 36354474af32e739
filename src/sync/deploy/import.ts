import { applyMapping, format, listedKind, resolveReferences, type KnownObject, type TmlDocument } from '../../tml/index.js';
import { levelBatches } from '../kernel/batches.js';
import { pendingCreation } from './prepare.js';
import type { Candidate, ChangeSet } from './types.js';
import { contentHash, writeDeployLedger } from '../kernel/ledger.js';
import type { ContentRepo, ImportAnswer, ImportPolicy, ThoughtSpotPort } from '../ports.js';
import type { ObjectResult } from '../kernel/report.js';
import { targetObjects } from '../kernel/target.js';

/** What the import phase works on: the change set, as the gate left it. */
export interface ImportStep {
  set: ChangeSet;
  thoughtspot: ThoughtSpotPort;
  repo: ContentRepo;
  policy: ImportPolicy;
  batchSize: number;
  /** Each changed file and its mapped document, as validated. */
  mapped: Map<Candidate, TmlDocument>;
  /** The changed files in dependency order (the gate's batches, flattened). */
  ordered: Candidate[];
  /** Files the target refused at the gate (PARTIAL imports the rest), with why. */
  rejected: Map<Candidate, string>;
  /** Called after each batch: files through the import so far, of all. */
  onProgress?: (done: number, total: number) => void;
}

/** Per object what the import did, and the canonical GUIDs that failed. */
export interface ImportOutcome {
  results: ObjectResult[];
  failed: Set<string>;
}

const result = (c: Candidate, outcome: ObjectResult['outcome'], error?: string): ObjectResult => ({
  id: c.canonicalGuid, kind: c.doc.kind, name: c.doc.name, outcome, path: c.path, ...(error ? { error } : {}),
});

/**
 * Step 6 of a deploy: imports in dependency order, each batch mapped when it
 * is sent with the GUIDs the earlier batches got; a file whose dependency
 * failed is skipped with that reason. The batches of one dependency level go
 * out together (the host's queue bounds how many are in flight): a first
 * promotion of thousands of objects is a handful of levels, not hundreds of
 * round trips one after the other (issue 16). The ledger learns each new
 * GUID as it lands (the caller records it).
 */
export async function importChanges(step: ImportStep): Promise<ImportOutcome> {
  const { set, rejected } = step;
  const outcome: ImportOutcome = { results: [], failed: new Set() };
  for (const [c, error] of rejected) {
    outcome.failed.add(c.canonicalGuid);
    outcome.results.push(result(c, 'failed', `rejected by ${set.run.environment}: ${error}`));
  }
  const needs = dependenciesOf(step.mapped, set.target);
  await recordPending(step);
  // What the target holds, kept up to date as batches land (no listing per batch).
  const present = new Set(set.target.map((t) => t.guid));
  let done = 0;
  const levels = levelBatches(step.ordered, (c) => needs.get(c) ?? [], (c) => set.mapping.guids.get(c.canonicalGuid) ?? c.canonicalGuid, step.batchSize);
  for (const batches of levels) {
    const ready = batches.map((batch) => batch.filter((c) => !rejected.has(c) && !skippedForDependency(c, needs, outcome))).filter((b) => b.length > 0);
    await importLevel(step, ready, present, outcome);
    step.onProgress?.((done += batches.reduce((n, batch) => n + batch.length, 0)), step.ordered.length);
  }
  return outcome;
}

/**
 * One level's batches, in flight together. A batch whose answer was lost is
 * checked once the others have settled: what they created is then known
 * (`present`), so it cannot be mistaken for what the lost batch did.
 */
async function importLevel(step: ImportStep, batches: Candidate[][], present: Set<string>, outcome: ImportOutcome): Promise<void> {
  const { set, thoughtspot, policy } = step;
  const sent = await Promise.all(batches.map(async (batch) => {
    const docs = batch.map((c) => applyMapping(c.doc, set.mapping));
    return { batch, docs, answer: await thoughtspot.importTml(docs.map((d) => format(d)), policy) };
  }));
  for (const { batch, answer } of sent) if (answer.answered) recordAnswer(step, batch, answer, present, outcome);
  for (const { batch, docs, answer } of sent) {
    if (answer.answered) continue;
    // The import may have taken effect: look before sending anything again.
    set.run.log.warn({ error: answer.error }, 'import answer lost; checking what took effect');
    recordAnswer(step, batch, await verifyLostImport(thoughtspot, batch, docs, present, policy), present, outcome);
  }
}

/** For each changed file, the changed files it references. */
function dependenciesOf(mapped: Map<Candidate, TmlDocument>, known: KnownObject[]): Map<Candidate, Candidate[]> {
  const byDoc = new Map([...mapped].map(([c, d]) => [d, c]));
  const needs = new Map<Candidate, Candidate[]>();
  for (const { from, resolution } of resolveReferences([...mapped.values()], { known })) {
    const to = resolution.status === 'resolved' && resolution.target.document ? byDoc.get(resolution.target.document) : undefined;
    if (to) needs.set(byDoc.get(from)!, [...(needs.get(byDoc.get(from)!) ?? []), to]);
  }
  return needs;
}

function skippedForDependency(c: Candidate, needs: Map<Candidate, Candidate[]>, outcome: ImportOutcome): boolean {
  const blocker = (needs.get(c) ?? []).find((d) => outcome.failed.has(d.canonicalGuid));
  if (!blocker) return false;
  outcome.failed.add(c.canonicalGuid);
  outcome.results.push(result(c, 'failed', `skipped: depends on ${blocker.doc.kind} "${blocker.doc.name}", which failed`));
  return true;
}

/** Says what is about to be created before creating it: a run killed now can be resumed without duplicates. */
async function recordPending({ set, repo, ordered }: ImportStep): Promise<void> {
  const creations = ordered.filter((c) => c.action === 'create');
  set.ledger.pending = Object.fromEntries(creations.map((c) => [c.canonicalGuid, pendingCreation(c, set.target)]));
  if (creations.length === 0) return;
  await writeDeployLedger(repo, set.run.environment, set.ledger, `deploy(${set.run.environment}): creating ${creations.length} objects, run ${set.run.runId}`);
}

/** `present`: the target's GUIDs before this answer (an object the batch adds to it was created by this deploy). */
function recordAnswer(step: ImportStep, batch: Candidate[], answer: Extract<ImportAnswer, { answered: true }>, present: Set<string>, outcome: ImportOutcome): void {
  const { set } = step;
  answer.results.forEach((imported, i) => {
    const c = batch[i]!;
    if (!imported.ok) {
      outcome.failed.add(c.canonicalGuid);
      outcome.results.push(result(c, 'failed', imported.error));
      return;
    }
    const previous = set.ledger.objects[c.canonicalGuid];
    set.ledger.objects[c.canonicalGuid] = { envGuid: imported.id, kind: c.doc.kind, name: c.doc.name, path: c.path, hash: contentHash(c.text), created: previous?.created ?? !present.has(imported.id) };
    set.mapping.guids.set(c.canonicalGuid, imported.id);
    // The deploy's one listing learns what the run created, for the phases after the import.
    if (!present.has(imported.id)) set.target.push({ kind: listedKind(c.doc.kind), name: c.doc.name, guid: imported.id });
    present.add(imported.id);
    outcome.results.push(result(c, c.action === 'create' ? 'added' : 'updated'));
  });
}

/**
 * After an import whose answer was lost: objects that now exist (new GUIDs,
 * or the expected ones) count as imported; the rest are sent once more.
 */
async function verifyLostImport(thoughtspot: ThoughtSpotPort, batch: Candidate[], docs: TmlDocument[], before: Set<string>, policy: ImportPolicy): Promise<Extract<ImportAnswer, { answered: true }>> {
  // Only the batch's kinds are listed again: the rest of the deploy's listing still holds.
  const after = await targetObjects(thoughtspot, batch.map((c) => c.doc.kind));
  const results = batch.map((c, i) => {
    const doc = docs[i]!;
    const found = after.find((t) => t.kind === listedKind(c.doc.kind) && t.name === doc.name && ((doc.guid && t.guid === doc.guid && before.has(t.guid)) || !before.has(t.guid)));
    return found ? { ok: true as const, id: found.guid } : undefined;
  });
  const missing = docs.filter((_, i) => !results[i]);
  if (missing.length === 0) return { answered: true, results: results.map((r) => r!) };
  const again = await thoughtspot.importTml(missing.map((d) => format(d)), policy);
  if (!again.answered) throw new Error(`import failed twice without an answer: ${again.error}`);
  let next = 0;
  return { answered: true, results: results.map((r) => r ?? again.results[next++]!) };
}
