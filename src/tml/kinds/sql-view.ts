import type { KindHandler } from '../types.js';
import { JOINS_WITH_RULES, columnRules, identityRef, joinsWithRefs } from './shared.js';

/** SQL view (§3.2 `SqlViewEDocProto`): a query on a connection. */
export const sqlView: KindHandler = {
  kind: 'sql_view',
  keys: ['sql_view'],
  metadataType: 'LOGICAL_TABLE',
  subtypes: ['SQL_VIEW'],
  rank: 2,
  suffix: '.sql_view.tml',
  rules: [
    { path: 'name', required: true, type: 'string' },
    { path: 'connection', required: true, type: 'map' },
    { path: 'sql_query', required: true, type: 'string' },
    ...columnRules('sql_view_columns'),
    ...JOINS_WITH_RULES,
  ],
  references: (body) => [...identityRef(body.connection, ['connection'], ['connection']), ...joinsWithRefs(body)],
};
