import { createHash } from 'node:crypto';
import { fromData, resolveReferences, text as tmlText, type TmlKind, type TmlMap, type TmlValue } from '../../tml/index.js';
import { CODE, V1Error } from '../errors.js';
import { bodyOf } from '../handlers/metadata.js';
import { knownIndex } from '../known-index.js';
import { prng } from '../seed/demo.js';
import type { ContentRecord, EmulatorState } from '../state.js';
import { runQuery, type Cell, type DataColumn, type Dataset } from './engine.js';
import { parseQuery } from './query.js';

/** Rows generated for a table that has none seeded (e.g. one imported into an empty emulator). */
const GENERATED_ROWS = 24;

const asMaps = (value: TmlValue | undefined): TmlMap[] =>
  Array.isArray(value) ? value.filter((v): v is TmlMap => v !== null && typeof v === 'object' && !Array.isArray(v)) : [];
const text = (value: TmlValue | undefined): string => tmlText(value) ?? '';

function columnOf(column: TmlMap, dataType?: string): DataColumn {
  const properties = (column.properties ?? {}) as TmlMap;
  const type = properties.column_type === 'MEASURE' ? 'MEASURE' : 'ATTRIBUTE';
  const aggregation = text(properties.aggregation);
  return { name: text(column.name), columnType: type, ...(aggregation ? { aggregation } : {}), ...(dataType ? { dataType } : {}) };
}

/** Deterministic values from a column's type, seeded by the object's GUID: the same rows on every run. */
function generatedRows(id: string, columns: DataColumn[]): Cell[][] {
  const random = prng(createHash('sha256').update(id).digest().readUInt32BE(0));
  const start = Date.UTC(2025, 0, 1) / 1000;
  return Array.from({ length: GENERATED_ROWS }, (_, row) =>
    columns.map((c): Cell => {
      const type = c.dataType ?? (c.columnType === 'MEASURE' ? 'DOUBLE' : 'VARCHAR');
      if (type === 'DATE' || type === 'DATE_TIME') return start + Math.floor(random() * 365) * 86400;
      if (type === 'BOOL') return random() < 0.5;
      if (type === 'INT64' || type === 'INT32') return c.columnType === 'MEASURE' ? 1 + Math.floor(random() * 100) : row + 1;
      if (type === 'DOUBLE' || type === 'FLOAT') return Math.round(random() * 100_000) / 100;
      return `${c.name} ${1 + (row % 6)}`;
    }),
  );
}

function tableDataset(record: ContentRecord, state: EmulatorState): Dataset {
  const columns = asMaps(bodyOf(record).columns).map((c) => columnOf(c, text(((c.db_column_properties ?? {}) as TmlMap).data_type)));
  return { columns, rows: state.rows.get(record.id) ?? generatedRows(record.id, columns) };
}

/** `[A::x] = [B::y]` → the two sides. */
function joinSides(on: string): [string, string, string, string] | undefined {
  const m = /^\s*\[([^\]]+?)::([^\]]+)\]\s*=\s*\[([^\]]+?)::([^\]]+)\]\s*$/.exec(on);
  return m ? [m[1]!, m[2]!, m[3]!, m[4]!] : undefined;
}

/**
 * A model or worksheet's rows: its tables joined along their joins (inline
 * `on`, or the tables' own `joins_with`), starting from the largest table, one
 * matching row per side (fact → dimension lookups).
 */
function joinedDataset(record: ContentRecord, state: EmulatorState): Dataset {
  const body = bodyOf(record);
  const schema = (body.schema ?? {}) as TmlMap;
  const entries = asMaps(body.model_tables ?? schema.tables ?? body.tables);
  // The kept index: the record itself in it is its document (the same GUID), which the resolution leaves out.
  const resolved = resolveReferences([fromData(record.document)], { known: knownIndex(state) });
  const tables = new Map<string, ContentRecord>();
  for (const { reference, resolution } of resolved) {
    if (resolution.status !== 'resolved' || !resolution.target.guid) continue;
    const target = state.objects.get(resolution.target.guid);
    if (target) tables.set(reference.name, target);
  }
  // Every name a column may use for a table: its name, alias, or table path id.
  const alias = new Map<string, string>();
  for (const entry of entries) {
    for (const key of ['name', 'alias', 'id'] as const) if (text(entry[key])) alias.set(text(entry[key]), text(entry.name));
  }
  for (const path of asMaps(body.table_paths)) alias.set(text(path.id), text(path.table));
  const data = new Map<string, { columns: Map<string, number>; rows: Cell[][] }>();
  for (const [name, table] of tables) {
    const ds = datasetFor(table, state);
    data.set(name, { columns: new Map(ds.columns.map((c, i) => [c.name.toLowerCase(), i])), rows: ds.rows });
  }
  const joins: [string, string, string, string][] = [];
  for (const entry of entries) for (const join of asMaps(entry.joins)) {
    const sides = joinSides(text(join.on));
    if (sides) joins.push(sides);
  }
  for (const table of tables.values()) for (const join of asMaps(bodyOf(table).joins_with)) {
    const sides = joinSides(text(join.on));
    if (sides) joins.push(sides);
  }
  const columns = asMaps(body.columns ?? body.worksheet_columns);
  const base = [...data.entries()].sort((a, b) => b[1].rows.length - a[1].rows.length)[0];
  if (!base) return { columns: columns.map((c) => columnOf(c)), rows: [] };
  const [baseName, baseData] = base;
  // Each other table is reached from the base table by one equality join: a lookup by key.
  const links = new Map<string, { baseAt: number; index: Map<string, Cell[]> }>();
  for (const [left, leftColumn, right, rightColumn] of joins) {
    const [l, r] = [alias.get(left) ?? left, alias.get(right) ?? right];
    const [other, baseColumn, otherColumn] = l === baseName ? [r, leftColumn, rightColumn] : r === baseName ? [l, rightColumn, leftColumn] : [];
    if (!other || links.has(other)) continue;
    const table = data.get(other);
    const otherAt = table?.columns.get(otherColumn!.toLowerCase());
    const baseAt = baseData.columns.get(baseColumn!.toLowerCase());
    if (!table || otherAt === undefined || baseAt === undefined) continue;
    links.set(other, { baseAt, index: new Map(table.rows.map((row) => [String(row[otherAt]), row])) });
  }
  const rows = baseData.rows.map((row) =>
    columns.map((c): Cell => {
      const [source, column] = text(c.column_id).split('::');
      const tableName = alias.get(source ?? '') ?? source ?? '';
      const at = data.get(tableName)?.columns.get((column ?? '').toLowerCase());
      if (at === undefined) return null;
      if (tableName === baseName) return row[at] ?? null;
      const link = links.get(tableName);
      return (link && link.index.get(String(row[link.baseAt]))?.[at]) ?? null;
    }),
  );
  return { columns: columns.map((c) => columnOf(c)), rows };
}

/** A view's rows: its search over its source, named by its view columns. */
function viewDataset(record: ContentRecord, state: EmulatorState): Dataset {
  const body = bodyOf(record);
  const source = sourceOf(body, state);
  const block = runQuery(datasetFor(source, state), parseQuery(text(body.search_query)), { batchsize: -1, offset: -1, pagenumber: -1 }, 'COMPACT');
  const viewColumns = asMaps(body.view_columns);
  const columns = block.columnNames.map((name) => {
    const declared = viewColumns.find((c) => text(c.search_output_column) === name);
    return declared ? columnOf(declared) : { name, columnType: 'ATTRIBUTE' as const };
  });
  return { columns, rows: block.data as Cell[][] };
}

/** The data source of an answer or view: its first `tables[]` entry, by fqn or name. */
export function sourceOf(body: TmlMap, state: EmulatorState): ContentRecord {
  const resolved = resolveReferences([fromData({ answer: body })], { known: knownIndex(state) });
  const first = resolved.find((r) => r.reference.path[2] === 0);
  const target = first?.resolution.status === 'resolved' && first.resolution.target.guid ? state.objects.get(first.resolution.target.guid) : undefined;
  if (!target) throw new V1Error(400, CODE.invalidParameter, `Data source ${first?.reference.name ?? ''} of ${text(body.name)} not found`);
  return target;
}

/** The rows behind any searchable object (table, model, worksheet, view, sql view). */
export function datasetFor(record: ContentRecord, state: EmulatorState, depth = 0): Dataset {
  if (depth > 8) throw new V1Error(400, CODE.invalidParameter, `Data source ${record.name} nests too deeply`);
  switch (record.kind as TmlKind) {
    case 'table':
      return tableDataset(record, state);
    case 'model':
    case 'worksheet':
      return joinedDataset(record, state);
    case 'view':
      return viewDataset(record, state);
    case 'sql_view': {
      const columns = asMaps(bodyOf(record).sql_view_columns).map((c) => columnOf(c));
      return { columns, rows: generatedRows(record.id, columns) };
    }
    default:
      throw new V1Error(400, CODE.invalidParameter, `${record.name} is a ${record.kind}, not a data source`);
  }
}
