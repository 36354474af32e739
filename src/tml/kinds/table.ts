import type { KindHandler } from '../types.js';
import { DATA_TYPES, JOINS_WITH_RULES, columnRules, identityRef, joinsWithRefs } from './shared.js';

/** Table on a connection (§3.2 `LogicalTableEDocProto`): depends on its connection and on the
 * destinations of its `joins_with`. */
export const table: KindHandler = {
  kind: 'table',
  keys: ['table'],
  metadataType: 'LOGICAL_TABLE',
  // USER_DEFINED: tables created by CSV upload are table TML too (§2.10).
  subtypes: ['ONE_TO_ONE_LOGICAL', 'USER_DEFINED'],
  rank: 1,
  suffix: '.table.tml',
  rules: [
    { path: 'name', required: true, type: 'string' },
    { path: 'db', required: true, type: 'string' },
    { path: 'schema', required: true, type: 'string' },
    { path: 'db_table', required: true, type: 'string' },
    { path: 'connection', required: true, type: 'map' },
    ...columnRules('columns'),
    { path: 'columns[].db_column_name', required: true, type: 'string' },
    { path: 'columns[].properties', required: true, type: 'map' },
    { path: 'columns[].properties.column_type', required: true },
    { path: 'columns[].db_column_properties', required: true, type: 'map' },
    { path: 'columns[].db_column_properties.data_type', required: true, enum: DATA_TYPES },
    ...JOINS_WITH_RULES,
  ],
  references: (body) => [...identityRef(body.connection, ['connection'], ['connection']), ...joinsWithRefs(body)],
};
