import { formatPath, isMap, matchPattern, valueAt } from './path.js';
import { bodiesOf, resolveReferences } from './references.js';
import { checkMessage, messageOfKindKey } from './schema/check.js';
import type { ResolveOptions, ResolvedReference } from './references.js';
import type { FieldRule, LocalIssue, TmlDocument, TmlIssue, TmlIssueCode, TmlKind, TmlMap, TmlPath, TmlSeverity, TmlValue } from './types.js';

export type ValidateOptions = ResolveOptions;

/**
 * Offline validation of a set of documents, before anything reaches ThoughtSpot (DESIGN.md
 * "Deploy" step 5), following the import's checklist (§3.6): each handler's declared rules
 * (required fields, types, closed enums), its own checks of references inside the document,
 * then across the set: duplicate GUIDs and names, and every reference resolvable by fqn or by
 * a unique name among the documents and `known`. Every problem is reported, not the first.
 */
export function validate(docs: readonly TmlDocument[], options: ValidateOptions = {}): TmlIssue[] {
  const issues: TmlIssue[] = docs.flatMap(localIssues);
  issues.push(...duplicates(docs));
  issues.push(...resolveReferences(docs, options).flatMap(referenceIssue));
  return issues;
}

/**
 * One document's own problems: each body's rules and checks, then its fields against ThoughtSpot's
 * definitions (schema/). A problem both find (a cohort's enum) is reported once, as the rule says it.
 */
function localIssues(doc: TmlDocument): TmlIssue[] {
  const findings: (Finding & { readonly path: TmlPath })[] = [];
  for (const { handler, body, path } of bodiesOf(doc)) {
    const local = [...handler.rules.flatMap((rule) => checkRule(body, rule)), ...(handler.check?.(body) ?? [])];
    findings.push(...local.map((found) => ({ ...found, path: [...path, ...found.path] })));
  }
  const message = messageOfKindKey(doc.kindKey);
  if (message !== undefined) findings.push(...checkMessage(doc.body, message, doc.kindKey === null ? [] : [doc.kindKey]));
  const seen = new Set<string>();
  return findings.flatMap((finding) => {
    const key = `${finding.code}\u0000${formatPath(finding.path)}`;
    if (seen.has(key)) return [];
    seen.add(key);
    return [toIssue(doc, finding)];
  });
}

interface Finding extends LocalIssue {
  readonly severity?: TmlSeverity;
}

function checkRule(body: TmlMap, rule: FieldRule): LocalIssue[] {
  if (rule.onlyWith !== undefined && !present(body[rule.onlyWith])) return [];
  return matchPattern(body, rule.path).flatMap(({ path, value }): LocalIssue[] => {
    const field = String(path.at(-1) ?? rule.path);
    if (value === undefined || value === null || value === '') {
      if (!rule.required || (rule.unless !== undefined && present(valueAt(body, [...path.slice(0, -1), rule.unless])))) return [];
      return [{ code: 'required-field', path, message: `required field "${field}" is ${value === undefined ? 'missing' : 'empty'}` }];
    }
    if (rule.type !== undefined && kindOfValue(value) !== rule.type) {
      return [{ code: 'invalid-type', path, message: `"${field}" must be a ${rule.type}, not ${describe(value)}` }];
    }
    if (rule.enum !== undefined && (typeof value !== 'string' || !rule.enum.includes(value))) {
      return [{ code: 'invalid-enum', tsCode: 14528, path, message: `invalid value ${JSON.stringify(value)}; allowed values are ${rule.enum.join(', ')}` }];
    }
    return [];
  });
}

function present(value: TmlValue | undefined): boolean {
  return value !== undefined && value !== null && value !== '';
}

function kindOfValue(value: TmlValue): string {
  return Array.isArray(value) ? 'list' : isMap(value) ? 'map' : typeof value;
}

function describe(value: TmlValue): string {
  const kind = kindOfValue(value);
  return kind === 'list' || kind === 'map' ? `a ${kind}` : `the ${kind} ${JSON.stringify(value)}`;
}

function duplicates(docs: readonly TmlDocument[]): TmlIssue[] {
  const issues: TmlIssue[] = [];
  const byGuid = new Map<string, TmlDocument>();
  const byName = new Map<string, TmlDocument>();
  for (const doc of docs) {
    const root = doc.kindKey === null ? [] : [doc.kindKey];
    const sameGuid = doc.guid === undefined ? undefined : byGuid.get(doc.guid);
    if (sameGuid !== undefined) {
      issues.push(toIssue(doc, { code: 'duplicate-guid', path: ['guid'], message: `guid ${doc.guid} is also the guid of ${label(sameGuid)}; one object, one file` }));
    } else if (doc.guid !== undefined) byGuid.set(doc.guid, doc);

    if (doc.name === '') continue;
    const key = `${doc.kind}\u0000${doc.name}`;
    const sameName = byName.get(key);
    if (sameName === undefined) byName.set(key, doc);
    else if (sameName.guid === undefined || sameName.guid !== doc.guid) {
      // ThoughtSpot allows it; only references by name alone break, and those are errors below.
      issues.push(toIssue(doc, { code: 'duplicate-name', severity: 'warning', path: [...root, 'name'], message: `${label(sameName)} has the same name; references to either by name alone are ambiguous (use fqn)` }));
    }
  }
  return issues;
}

function referenceIssue({ from, reference, resolution }: ResolvedReference): TmlIssue[] {
  const what = kindList(reference.kinds);
  const by = reference.fqn !== undefined ? ` with fqn ${reference.fqn}` : reference.objId !== undefined ? ` with obj_id ${reference.objId}` : '';
  if (resolution.status === 'missing') {
    return [toIssue(from, { code: 'missing-reference', tsCode: 14502, path: reference.path, message: `referenced ${what} ${JSON.stringify(reference.name)}${by} not found among the documents or the known objects` })];
  }
  if (resolution.status === 'ambiguous') {
    const candidates = resolution.candidates.map((c) => (c.document ? label(c.document) : `${c.kind} guid ${c.guid ?? '?'}`)).join('; ');
    return [toIssue(from, { code: 'ambiguous-reference', path: reference.path, message: `referenced name ${JSON.stringify(reference.name)} is ambiguous, ${resolution.candidates.length} objects match (${candidates}); add fqn: <guid> to choose` })];
  }
  return [];
}

function kindList(kinds: readonly TmlKind[]): string {
  return kinds.length <= 1 ? kinds.join('') : `${kinds.slice(0, -1).join(', ')} or ${kinds.at(-1)}`;
}

/** `table "dim_x" (DUMMY.table.tml, guid …)`. */
function label(doc: TmlDocument): string {
  const where = [doc.file, doc.guid && `guid ${doc.guid}`].filter(Boolean).join(', ');
  return `${doc.kind} ${JSON.stringify(doc.name)}${where === '' ? '' : ` (${where})`}`;
}

function toIssue(doc: TmlDocument, finding: Finding & { readonly path: TmlPath }): TmlIssue {
  const line = doc.lineOf(finding.path);
  const path = formatPath(doc.kindKey === null ? [doc.kind, ...finding.path] : finding.path);
  const where = `${doc.file ?? '<document>'}${line === undefined ? '' : `:${line}`}`;
  // JSON quoting keeps a hostile name (quotes, newlines, controls) on one readable line.
  const object = doc.name === '' ? `${doc.kind} (unnamed)` : `${doc.kind} ${JSON.stringify(doc.name)}`;
  const code: TmlIssueCode = finding.code;
  return {
    severity: finding.severity ?? 'error',
    code,
    ...(finding.tsCode !== undefined && { tsCode: finding.tsCode }),
    message: `${where}: ${object}, ${path}: ${finding.message}`,
    ...(doc.file !== undefined && { file: doc.file }),
    ...(line !== undefined && { line }),
    path,
    object: { kind: doc.kind, name: doc.name, ...(doc.guid !== undefined && { guid: doc.guid }) },
  };
}
