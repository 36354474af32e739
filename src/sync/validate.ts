import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { InvalidInputError } from '../errors/index.js';
import { dependencyOrder, parse, resolveReferences, TmlParseError, validate, type KnownObject, type TmlDocument, type TmlIssue } from '../tml/index.js';

/** One finding of `tmlsync validate`, offline or from ThoughtSpot. */
export interface Finding {
  severity: 'error' | 'warning';
  file?: string;
  line?: number;
  object?: string;
  message: string;
  source: 'parse' | 'offline' | 'thoughtspot';
}

export interface SourceFile {
  /** Path shown to the user (relative to the repository). */
  path: string;
  text: string;
}

/** A path given to read TML from does not exist: the user's input, exit 2. */
export class MissingSourceError extends InvalidInputError {
  override readonly name = 'MissingSourceError';
}

/**
 * Every `.tml` file under the given paths (files or folders; hidden folders
 * and node_modules skipped), read, sorted, with paths relative to `base`.
 * A file named explicitly is read whatever its extension.
 */
export function readTmlFiles(paths: string[], base: string): SourceFile[] {
  const found: string[] = [];
  const visit = (path: string, explicit: boolean) => {
    let stat;
    try {
      stat = statSync(path);
    } catch {
      throw new MissingSourceError(`${relative(base, path) || path}: no such file or folder`);
    }
    if (stat.isDirectory()) {
      for (const entry of readdirSync(path)) if (!entry.startsWith('.') && entry !== 'node_modules') visit(join(path, entry), false);
    } else if (explicit || path.endsWith('.tml')) {
      found.push(path);
    }
  };
  for (const path of paths) visit(path, true);
  return found.sort().map((path) => ({ path: relative(base, path) || path, text: readFileSync(path, 'utf8') }));
}

/** Parses every file; an unreadable one becomes a finding naming its line. */
export function parseFiles(files: SourceFile[]): { docs: TmlDocument[]; findings: Finding[] } {
  const docs: TmlDocument[] = [];
  const findings: Finding[] = [];
  for (const file of files) {
    try {
      docs.push(parse(file.text, { file: file.path }));
    } catch (error) {
      if (!(error instanceof TmlParseError)) throw error;
      findings.push({ severity: 'error', file: file.path, ...(error.line !== undefined ? { line: error.line } : {}), message: error.message, source: 'parse' });
    }
  }
  return { docs, findings };
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
