import { bodiesOf, list, text, isMap, type ResolvedReference, type TmlDocument, type TmlMap } from '../../tml/index.js';
import { parseQuery } from '../data/query.js';
import { V1Error } from '../errors.js';
import type { EmulatorState } from '../state.js';

/** Where each kind of data source lists the columns a search can name. */
const COLUMN_LISTS: Record<string, string> = {
  table: 'columns', model: 'columns', worksheet: 'worksheet_columns', view: 'view_columns', sql_view: 'sql_view_columns',
};

function columnNames(kind: string, body: TmlMap): string[] {
  return list(body[COLUMN_LISTS[kind] ?? 'columns']).flatMap((c) => (isMap(c) && text(c.name) ? [text(c.name)!] : []));
}

/**
 * The import's search check (reference §3.6, code 14516): every `[column]` of
 * an answer's or a view's `search_query` (liveboard visualizations included)
 * must be a column of its data source, or one of its own formulas, by name
 * or by id (`[formula_Forecast]` in real view exports, issue 18). Tokens
 * with `::` (the answer's own table paths) are not checked. `references` are
 * those of the whole import, resolved once per call (per document, resolving
 * them against thousands of stored objects made large imports quadratic).
 */
export function searchProblems(doc: TmlDocument, references: readonly ResolvedReference[], state: EmulatorState): string[] {
  const problems: string[] = [];
  const resolved = references.filter((r) => r.from === doc);
  for (const { body, path, handler } of bodiesOf(doc)) {
    const query = text(body.search_query);
    if (!query || (handler.kind !== 'answer' && handler.kind !== 'view')) continue;
    const source = resolved.find((r) => r.reference.path.length === path.length + 3 && path.every((p, i) => r.reference.path[i] === p) && r.reference.path[path.length] === 'tables' && r.reference.path[path.length + 1] === 0);
    if (source?.resolution.status !== 'resolved') continue;
    const target = source.resolution.target;
    const sourceBody = target.document ? target.document.body : target.guid ? bodyOfStored(state, target.guid) : undefined;
    if (!sourceBody) continue;
    const available = new Set([...columnNames(target.kind, sourceBody), ...list(body.formulas).flatMap((f) => (isMap(f) ? [text(f.name), text(f.id)].filter((n): n is string => n !== undefined) : []))].map((n) => n.toLowerCase()));
    let parsed;
    try {
      parsed = parseQuery(query);
    } catch (error) {
      problems.push(`${error instanceof V1Error ? error.message : String(error)} (field <b> ${handler.kind}->search_query </b>)`);
      continue;
    }
    const tokens = [...parsed.columns.map((c) => c.name), ...parsed.filters.map((f) => f.column), ...(parsed.sort ? [parsed.sort.column] : [])];
    for (const token of tokens) {
      if (!token.includes('::') && !available.has(token.toLowerCase())) problems.push(`Search did not find "[${token}]" in ${target.kind} <b> ${target.name} </b> (field <b> ${handler.kind}->search_query </b>)`);
    }
  }
  return problems;
}

function bodyOfStored(state: EmulatorState, id: string): TmlMap | undefined {
  const record = state.objects.get(id);
  if (!record) return undefined;
  const key = Object.keys(record.document).find((k) => k !== 'guid' && k !== 'obj_id');
  const body = key ? record.document[key] : undefined;
  return isMap(body) ? body : undefined;
}
