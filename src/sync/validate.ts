import { dependencyOrder, resolveReferences, validate, type KnownObject, type TmlDocument, type TmlIssue } from '../tml/index.js';

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
export function validationBatches(docs: TmlDocument[], known: KnownObject[], size = 50): TmlDocument[][] {
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
  for (let start = 0; start < ordered.length; start += size) {
    const own = ordered.slice(start, start + size);
    const carried = new Set<TmlDocument>();
    for (const doc of own) closure(doc, carried);
    for (const doc of own) carried.delete(doc);
    // Dependencies first, in the set's order, so that names resolve within the call.
    batches.push([...ordered.filter((d) => carried.has(d)), ...own]);
  }
  return batches;
}
