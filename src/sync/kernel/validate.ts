import { dependencyOrder, format, resolveReferences, validate, type KnownObject, type TmlDocument, type TmlIssue } from '../../tml/index.js';
import { BATCH_SIZE, inBatches } from './batches.js';
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

/** Offline checks of a set of documents (DESIGN.md "Deploy" step 5, first half). */
export function validateOffline(docs: TmlDocument[], known: KnownObject[] = []): Finding[] {
  return validate(docs, { known }).map(fromIssue);
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
  for (const batch of batches) {
    const answer = await thoughtspot.importTml(batch.map((d) => format(d)), 'VALIDATE_ONLY');
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
