import type { KindHandler } from '../types.js';
import { CARDINALITIES, JOINS_WITH_RULES, JOIN_TYPES, LOGICAL_TABLE_KINDS, checkColumnIds, checkInlineJoins, columnRules, identityListRules, identityRefs, joinsWithRefs, names, searchColumnsOf } from './shared.js';
import { isMap } from '../path.js';

/**
 * Worksheet, legacy (§3.2 `WorksheetEDocProto`), in two shapes: classic (`tables`, `joins`,
 * `table_paths`; corpus DUMMY.worksheet.tml) and the interim "worksheet with `schema:`" that was
 * the first model format (`schema.tables[]` with aliases and inline joins; DUMMY_MODEL.worksheet.tml).
 */
export const worksheet: KindHandler = {
  kind: 'worksheet',
  keys: ['worksheet'],
  metadataType: 'LOGICAL_TABLE',
  subtypes: ['WORKSHEET'],
  rank: 3,
  suffix: '.worksheet.tml',
  rules: [
    { path: 'name', required: true, type: 'string' },
    { path: 'tables', required: true, unless: 'schema', type: 'list' },
    ...identityListRules('tables', false),
    ...identityListRules('schema.tables'),
    { path: 'schema.tables[].joins[].type', enum: JOIN_TYPES },
    { path: 'schema.tables[].joins[].cardinality', enum: CARDINALITIES },
    { path: 'joins[].type', enum: JOIN_TYPES },
    ...columnRules('worksheet_columns'),
    ...JOINS_WITH_RULES,
  ],
  references: (body) => [
    ...identityRefs(body, ['tables'], LOGICAL_TABLE_KINDS),
    ...identityRefs(body, ['schema', 'tables'], LOGICAL_TABLE_KINDS),
    ...joinsWithRefs(body),
  ],
  dataCheck: 'search',
  searchColumns: (body) => searchColumnsOf(body.worksheet_columns),
  check(body) {
    const schemaTables = isMap(body.schema) ? body.schema.tables : undefined;
    const sources = new Set([...names(body.table_paths, 'id'), ...names(body.tables, 'id', 'name'), ...names(schemaTables, 'name', 'alias')]);
    return [
      ...checkColumnIds(body, 'worksheet_columns', 'worksheet', sources, names(body.formulas, 'id', 'name')),
      ...checkInlineJoins(schemaTables, ['schema', 'tables']),
    ];
  },
};
