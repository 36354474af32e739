import { dependencyOrder, format, handlerFor, resolveReferences, validate, type KnownObject, type TmlDocument, type TmlIssue } from '../../tml/index.js';
import { BATCH_SIZE, inBatches } from './batches.js';
import { guidNameMismatch } from './layout.js';
import type { ThoughtSpotPort } from '../ports.js';

/** One finding of `tmlsync validate`, offline or from ThoughtSpot. */
export interface Finding {
  severity: 'error' | 'warning';
  file?: string;
  line?: number;
  object?: string;
  message: string;
  source: 'parse' | 'offline' | 'thoughtspot';
}

export function fromIssue(issue: TmlIssue): Finding {
  return {
    severity: issue.severity, source: 'offline', message: issue.message, object: `${issue.object.kind} "${issue.object.name}"`,
    ...(issue.file ? { file: issue.file } : {}), ...(issue.line !== undefined ? { line: issue.line } : {}),
  };
}

/**
 * Offline checks of a set of documents (DESIGN.md "Deploy" step 5, first half):
 * their identities (`identityFindings`) unless the caller checked them on the
 * canonical files already (a deploy's mapped documents carry the target's GUIDs),
 * then their content.
 */
export function validateOffline(docs: TmlDocument[], known: KnownObject[] = [], options: { identity?: boolean } = {}): Finding[] {
  // tml's own duplicate-GUID issue is left to identityFindings, which a deploy runs over every file, not only the changed ones.
  const content = validate(docs, { known }).filter((issue) => issue.code !== 'duplicate-guid');
  return [...(options.identity === false ? [] : identityFindings(docs)), ...content.map(fromIssue)];
}

/**
 * What makes a file's identity unusable (issue 15, items 6 and 7; issue 13):
 * no identity at all (`withoutIdentity`), a GUID two files carry (each deploy
 * would rename one object back and forth between them), an `obj_id` two files
 * carry (both would be deployed into the one object it names in the target: an
 * obj_id is unique per Org), and a `guid:` its file name contradicts (a file
 * copied or edited by hand: the deploy would create a second object where the
 * name promises the first). Only documents read from a file are checked. The
 * deploy's gate runs this over every canonical file and `tmlsync validate`
 * over the files it is given, so that what validate passes a deploy does not
 * refuse for its identity.
 */
export function identityFindings(docs: TmlDocument[]): Finding[] {
  const findings: Finding[] = [];
  const guids = new Map<string, string[]>();
  const objIds = new Map<string, string[]>();
  for (const doc of docs) {
    if (!doc.file) continue;
    const missing = withoutIdentity(doc, doc.file);
    if (missing) findings.push(missing);
    if (doc.objId) objIds.set(doc.objId, [...(objIds.get(doc.objId) ?? []), doc.file]);
    if (!doc.guid) continue;
    guids.set(doc.guid, [...(guids.get(doc.guid) ?? []), doc.file]);
    const said = guidNameMismatch(doc.file, doc.guid);
    if (said) findings.push({ severity: 'error', source: 'offline', file: doc.file, message: `${doc.file}: its guid is ${doc.guid}, but its file name says ${said}; restore the guid, or rename the file if it is meant to be another object` });
  }
  findings.push(...carriedTwice(guids, (guid, list) => `duplicate GUID ${guid}: ${list} carry it; an object has one file (give each copy a guid of its own)`));
  findings.push(...carriedTwice(objIds, (objId, list) => `duplicate obj_id ${objId}: ${list} carry it; an obj_id names one object of an Org (give a copy another obj_id, or none if it carries a guid)`));
  return findings;
}

/**
 * What the deploy ledger tracks a file by: its GUID, or for a file with an
 * `obj_id` and no `guid` (what ThoughtSpot's own Git integration writes with
 * object ids on) `obj_id:<id>`, which no GUID can be. Such a file is matched
 * in the target by its obj_id only (`matchObjIds`), and imported without a
 * GUID: ThoughtSpot finds the object by its obj_id, or creates it.
 */
export function canonicalKey(doc: { guid?: string; objId?: string }): string | undefined {
  return doc.guid ?? (doc.objId !== undefined ? `${OBJ_ID_KEY}${doc.objId}` : undefined);
}

export const OBJ_ID_KEY = 'obj_id:';

/**
 * A file with neither a `guid` nor an `obj_id`: the deploy ledger tracks a
 * file by one of them (`canonicalKey`), and without either a
 * deploy would create the object anew each time. A copy's `guid:` removed by
 * hand, or a file written from scratch, reads so. Connections are exempt: they
 * are the environment's own, matched there by name and never deployed.
 */
function withoutIdentity(doc: TmlDocument, file: string): Finding | undefined {
  if (canonicalKey(doc) !== undefined || handlerFor(doc.kind).environmentOwned) return undefined;
  const object = `${doc.kind} "${doc.name}"`;
  return { severity: 'error', source: 'offline', file, object, message: `${file}: ${object} has neither a guid nor an obj_id; canonical files carry the GUID (or the object id) tmlsync tracks them by` };
}

/** One finding per identity more than one file carries, naming the files in order. */
function carriedTwice(files: Map<string, string[]>, message: (identity: string, list: string) => string): Finding[] {
  return [...files].filter(([, paths]) => paths.length > 1).map(([identity, paths]) => {
    const sorted = [...paths].sort();
    return { severity: 'error', source: 'offline', file: sorted.at(-1)!, message: message(identity, `${sorted.slice(0, -1).join(', ')} and ${sorted.at(-1)!}`) };
  });
}

/**
 * The `VALIDATE_ONLY` batches: documents in dependency order, at most `size`
 * each, every batch carrying the not-yet-present dependencies it references
 * (those resolved to another document of the set rather than to the target).
 */
export function validationBatches(docs: TmlDocument[], known: KnownObject[], size = BATCH_SIZE): TmlDocument[][] {
  const ordered = dependencyOrder(docs, { known });
  const needs = new Map<TmlDocument, Set<TmlDocument>>();
  for (const { from, resolution } of resolveReferences(ordered, { known })) {
    const target = resolution.status === 'resolved' ? resolution.target.document : undefined;
    if (target && target !== from) needs.set(from, (needs.get(from) ?? new Set()).add(target));
  }
  const closure = (doc: TmlDocument, into: Set<TmlDocument>) => {
    for (const dependency of needs.get(doc) ?? []) {
      if (into.has(dependency)) continue;
      into.add(dependency);
      closure(dependency, into);
    }
  };
  const batches: TmlDocument[][] = [];
  for (const own of inBatches(ordered, size)) {
    const carried = new Set<TmlDocument>();
    for (const doc of own) closure(doc, carried);
    for (const doc of own) carried.delete(doc);
    // Dependencies first, in the set's order, so that names resolve within the call.
    batches.push([...ordered.filter((d) => carried.has(d)), ...own]);
  }
  return batches;
}

/** What the `VALIDATE_ONLY` gate found: the batches it sent, and ThoughtSpot's message for each document it rejected. */
export interface TargetValidation {
  batches: TmlDocument[][];
  rejected: Map<TmlDocument, string>;
  findings: Finding[];
}

/**
 * The second half of the gate (DESIGN.md "Deploy" step 5), for a deploy and
 * for `tmlsync validate --env`: documents in dependency-ordered batches, each
 * carrying its not-yet-present dependencies, imported with `VALIDATE_ONLY`,
 * which writes nothing. A document carried in several batches is reported
 * once, with its first rejection.
 */
export async function validateInTarget(thoughtspot: ThoughtSpotPort, docs: TmlDocument[], known: KnownObject[], size: number = BATCH_SIZE): Promise<TargetValidation> {
  const batches = validationBatches(docs, known, size);
  const rejected = new Map<TmlDocument, string>();
  const findings: Finding[] = [];
  // VALIDATE_ONLY writes nothing: every batch may be in flight at once (the host's queue bounds them), read in order.
  const answers = await Promise.all(batches.map((batch) => thoughtspot.importTml(batch.map((d) => format(d)), 'VALIDATE_ONLY')));
  for (const [n, batch] of batches.entries()) {
    const answer = answers[n]!;
    if (!answer.answered) throw new Error(`validation of a batch got no answer: ${answer.error}`);
    answer.results.forEach((result, i) => {
      const doc = batch[i]!;
      if (result.ok || rejected.has(doc)) return;
      rejected.set(doc, result.error);
      const file = doc.file ?? doc.name;
      findings.push({ severity: 'error', source: 'thoughtspot', ...(doc.file ? { file: doc.file } : {}), object: `${doc.kind} "${doc.name}"`, message: `${file}: ${doc.kind} "${doc.name}": ${result.error}` });
    });
  }
  return { batches, rejected, findings };
}
