import { isMap } from '../path.js';
import type { FieldRule, LocalIssue, SearchColumn, TmlKind, TmlMap, TmlPath, TmlReference, TmlValue } from '../types.js';

/**
 * Building blocks the kind handlers share. Enum lists are only the closed ones ThoughtSpot
 * documents; anything open (chart types, index types, connection types) is left alone.
 */

/** Everything a data-source Identity may point at: the LOGICAL_TABLE kinds (§2.10, §3.3). */
export const LOGICAL_TABLE_KINDS: readonly TmlKind[] = ['table', 'sql_view', 'view', 'worksheet', 'model'];

/** §3.2 (`column_type*: ATTRIBUTE|MEASURE`). */
export const COLUMN_TYPES = ['ATTRIBUTE', 'MEASURE'] as const;
/**
 * Column `aggregation`. ThoughtSpot's own TML definition leaves it open (`ColumnProperties.aggregation`
 * is a `string` in thoughtspot/thoughtspot_tml `_scriptability.py`, generated from `edoc.proto`), so
 * the closed list is ours: the values of the TML table syntax (docs.thoughtspot.com/software/7.1/tml-tables,
 * cloud/10.12.0.cl/tml-properties), plus the cumulative and moving aggregations ThoughtSpot exports
 * for columns set to one of its cumulative_* / moving_* aggregate functions (the formula reference,
 * thoughtspot/thoughtspot.github.io `_includes/content/aggregate.md`). CUMULATIVE_SUM is seen in a
 * real export (test/fixtures/real-tml/view, Masking Store Name View); the other seven are
 * UNCONFIRMED as TML values, named after the functions the same way.
 */
export const AGGREGATIONS = [
  'SUM',
  'COUNT',
  'AVERAGE',
  'MAX',
  'MIN',
  'COUNT_DISTINCT',
  'NONE',
  'STD_DEVIATION',
  'VARIANCE',
  'CUMULATIVE_SUM',
  'CUMULATIVE_AVERAGE',
  'CUMULATIVE_MAX',
  'CUMULATIVE_MIN',
  'MOVING_SUM',
  'MOVING_AVERAGE',
  'MOVING_MAX',
  'MOVING_MIN',
] as const;
/** The allowed values ThoughtSpot lists in its own 14528 error (§3.6). */
export const JOIN_TYPES = ['INNER', 'LEFT_OUTER', 'OUTER', 'RIGHT_OUTER'] as const;
/** Model/schema inline joins (§3.2, corpus DUMMY_MODEL.worksheet.tml). */
export const CARDINALITIES = ['MANY_TO_ONE', 'ONE_TO_MANY', 'ONE_TO_ONE', 'MANY_TO_MANY'] as const;
/** §3.2 answer `display_mode`. */
export const DISPLAY_MODES = ['TABLE_MODE', 'CHART_MODE'] as const;
/** tml-tables syntax (BOOL … TIME) plus DATE_TIME seen in exports (§3.2). */
export const DATA_TYPES = ['BOOL', 'VARCHAR', 'DOUBLE', 'FLOAT', 'INT32', 'INT64', 'DATE', 'DATE_TIME', 'TIME'] as const;

export function list(value: TmlValue | undefined): TmlValue[] {
  return Array.isArray(value) ? value : [];
}

export function text(value: TmlValue | undefined): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The named field of each mapping in a list. */
export function names(items: TmlValue | undefined, ...fields: string[]): Set<string> {
  const found = new Set<string>();
  for (const item of list(items)) {
    if (!isMap(item)) continue;
    for (const field of fields) {
      const value = text(item[field]);
      if (value !== undefined) found.add(value);
    }
  }
  return found;
}

/** An Identity `{id?, name, fqn?, obj_id?}` (§3.3) as a reference; `path` leads to the Identity. */
export function identityRef(value: TmlValue | undefined, path: TmlPath, kinds: readonly TmlKind[]): TmlReference[] {
  if (!isMap(value)) return [];
  const name = text(value.name);
  const fqn = text(value.fqn);
  const objId = text(value.obj_id);
  // No name and no id at all is a required-field problem, reported by the rules.
  if (name === undefined && fqn === undefined && objId === undefined) return [];
  return [{ kinds, name: name ?? '', path: [...path, 'name'], ...(fqn && { fqn }), ...(objId && { objId }) }];
}

/** Each Identity of a list field (`tables[]`, `model_tables[]`). */
export function identityRefs(body: TmlMap, path: readonly string[], kinds: readonly TmlKind[]): TmlReference[] {
  let items: TmlValue | undefined = body;
  for (const step of path) items = isMap(items) ? items[step] : undefined;
  return list(items).flatMap((item, i) => identityRef(item, [...path, i], kinds));
}

/** `joins_with[]`: joins declared on the source object (§3.3). */
export function joinsWithRefs(body: TmlMap): TmlReference[] {
  return list(body.joins_with).flatMap((join, i) => (isMap(join) ? identityRef(join.destination, ['joins_with', i, 'destination'], LOGICAL_TABLE_KINDS) : []));
}

export const JOINS_WITH_RULES: readonly FieldRule[] = [
  { path: 'joins_with', type: 'list' },
  { path: 'joins_with[].destination', required: true, type: 'map' },
  { path: 'joins_with[].type', enum: JOIN_TYPES },
];

/** The columns of a list as a search names them; `column_type` is ATTRIBUTE unless it says MEASURE. */
export function searchColumnsOf(items: TmlValue | undefined): SearchColumn[] {
  return list(items).flatMap((item) => {
    if (!isMap(item)) return [];
    const name = text(item.name);
    const properties = item.properties;
    const type = isMap(properties) && properties.column_type === 'MEASURE' ? 'MEASURE' : 'ATTRIBUTE';
    return name ? [{ name, type }] : [];
  });
}

/** name/column_type/aggregation of a list of column definitions. */
export function columnRules(listPath: string, required = true): FieldRule[] {
  return [
    { path: listPath, required, type: 'list' },
    { path: `${listPath}[].name`, required: true, type: 'string' },
    { path: `${listPath}[].properties.column_type`, enum: COLUMN_TYPES },
    { path: `${listPath}[].properties.aggregation`, enum: AGGREGATIONS },
  ];
}

/** A data-source list of Identities (`tables[]`). */
export function identityListRules(listPath: string, required = true): FieldRule[] {
  return [
    { path: listPath, required, type: 'list' },
    { path: `${listPath}[]`, type: 'map' },
    { path: `${listPath}[].name`, type: 'string' },
  ];
}

/**
 * Worksheet/model columns: `column_id` is `<table path id | table name | alias>::<column>` and
 * `formula_id` names a formula of the same document (§3.2, §3.3); ThoughtSpot rejects other
 * values with 14547 (§3.6).
 */
export function checkColumnIds(body: TmlMap, columnsKey: string, owner: TmlKind, sources: Set<string>, formulas: Set<string>): LocalIssue[] {
  const issues: LocalIssue[] = [];
  list(body[columnsKey]).forEach((column, i) => {
    if (!isMap(column)) return;
    const columnId = column.column_id;
    const formulaId = column.formula_id;
    if (columnId === undefined && formulaId === undefined) {
      issues.push({ code: 'required-field', path: [columnsKey, i], message: 'the column has neither column_id nor formula_id' });
    }
    if (columnId !== undefined) {
      const source = typeof columnId === 'string' && columnId.includes('::') ? columnId.slice(0, columnId.indexOf('::')) : undefined;
      if (source === undefined || !sources.has(source)) {
        const why = source === undefined ? 'is not of the form <table>::<column>' : `names ${JSON.stringify(source)}, which is not a table, alias or table path of this ${owner} (${listed(sources)})`;
        issues.push({ code: 'invalid-column-id', tsCode: 14547, path: [columnsKey, i, 'column_id'], message: `column_id ${JSON.stringify(columnId)} ${why}` });
      }
    }
    if (formulaId !== undefined && (typeof formulaId !== 'string' || !formulas.has(formulaId))) {
      issues.push({ code: 'invalid-column-id', tsCode: 14547, path: [columnsKey, i, 'formula_id'], message: `formula_id ${JSON.stringify(formulaId)} matches no formula id or name (${listed(formulas)})` });
    }
  });
  return issues;
}

/**
 * Inline joins of model tables (and of the interim worksheet `schema:` form): `with` names
 * another table of the document, and an `on` join needs both `type` and `cardinality`
 * (ThoughtSpot: "both type and cardinality should be defined", §3.2).
 */
export function checkInlineJoins(tables: TmlValue | undefined, path: TmlPath): LocalIssue[] {
  const known = names(tables, 'name', 'alias');
  const issues: LocalIssue[] = [];
  list(tables).forEach((table, t) => {
    if (!isMap(table)) return;
    list(table.joins).forEach((join, j) => {
      if (!isMap(join)) return;
      const at = [...path, t, 'joins', j];
      const target = join.with;
      if (typeof target !== 'string' || !known.has(target)) {
        issues.push({ code: 'unknown-local-id', path: [...at, 'with'], message: `join with ${JSON.stringify(target ?? null)} names no table or alias of this document (${listed(known)})` });
      }
      if (join.on !== undefined && (join.type === undefined || join.cardinality === undefined)) {
        issues.push({ code: 'required-field', path: at, message: 'a join with "on" needs both type and cardinality' });
      }
    });
  });
  return issues;
}

export function listed(values: Set<string>): string {
  const all = [...values];
  if (all.length === 0) return 'none declared';
  const shown = all.slice(0, 5).map((v) => JSON.stringify(v)).join(', ');
  return all.length > 5 ? `${shown}, … ${all.length - 5} more` : shown;
}
