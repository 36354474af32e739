import type { KindHandler } from '../types.js';
import { CARDINALITIES, JOINS_WITH_RULES, JOIN_TYPES, LOGICAL_TABLE_KINDS, checkColumnIds, checkInlineJoins, columnRules, identityListRules, identityRefs, joinsWithRefs, names, searchColumnsOf } from './shared.js';

/** Model, the current form of a worksheet (§3.2): `model_tables[]` with inline joins, `columns[]`. */
export const model: KindHandler = {
  kind: 'model',
  keys: ['model'],
  metadataType: 'LOGICAL_TABLE',
  subtypes: ['WORKSHEET'],
  rank: 3,
  suffix: '.model.tml',
  rules: [
    { path: 'name', required: true, type: 'string' },
    ...identityListRules('model_tables'),
    { path: 'model_tables[].name', required: true },
    { path: 'model_tables[].joins[].type', enum: JOIN_TYPES },
    { path: 'model_tables[].joins[].cardinality', enum: CARDINALITIES },
    ...columnRules('columns'),
    ...JOINS_WITH_RULES,
  ],
  references: (body) => [...identityRefs(body, ['model_tables'], LOGICAL_TABLE_KINDS), ...joinsWithRefs(body)],
  dataCheck: 'search',
  searchColumns: (body) => searchColumnsOf(body.columns),
  check(body) {
    const sources = names(body.model_tables, 'name', 'alias', 'id');
    return [...checkColumnIds(body, 'columns', 'model', sources, names(body.formulas, 'id', 'name')), ...checkInlineJoins(body.model_tables, ['model_tables'])];
  },
};
