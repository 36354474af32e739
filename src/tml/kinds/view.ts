import type { KindHandler } from '../types.js';
import { JOINS_WITH_RULES, JOIN_TYPES, LOGICAL_TABLE_KINDS, columnRules, identityListRules, identityRefs, joinsWithRefs } from './shared.js';

/** View: a saved search used as a data source (§3.2 `ViewEDocProto`). */
export const view: KindHandler = {
  kind: 'view',
  keys: ['view'],
  metadataType: 'LOGICAL_TABLE',
  subtypes: ['AGGR_WORKSHEET'],
  rank: 2,
  suffix: '.view.tml',
  rules: [
    { path: 'name', required: true, type: 'string' },
    ...identityListRules('tables'),
    { path: 'search_query', required: true, type: 'string' },
    ...columnRules('view_columns'),
    { path: 'joins[].type', enum: JOIN_TYPES },
    ...JOINS_WITH_RULES,
  ],
  references: (body) => [...identityRefs(body, ['tables'], LOGICAL_TABLE_KINDS), ...joinsWithRefs(body)],
};
