import type { KindHandler } from '../types.js';
import { DATA_TYPES, JOINS_WITH_RULES, LOGICAL_TABLE_KINDS, columnRules, identityRef, identityRefs, joinsWithRefs } from './shared.js';

/**
 * Table (§3.2 `LogicalTableEDocProto`): depends on its connection, on the destinations of its
 * `joins_with`, and on the tables its row-level security rules go through (`rls_rules.tables`,
 * an Identity list that names the table itself too, as ThoughtSpot exports it: a rule on a
 * joined table's column cannot be imported before that table exists).
 *
 * A table without `connection` is a Falcon table: it lives in ThoughtSpot Software's own
 * in-memory database, whose tables are created by TQL, not mapped from a warehouse. The
 * `connection` is what tells the two apart (`db`/`schema`/`db_table` name the Falcon table
 * too, in any schema, not only `falcon_default_schema`), and ThoughtSpot imports such a table
 * with no `db_column_properties`, since Falcon already knows each column's type (cs_tools
 * imports them so: its `introspect_*.table.tml` and `falcon_table_info.table.tml`). So the
 * connection is not required, and the fields that only a connected table must carry are
 * checked only where it has one. On ThoughtSpot Cloud, which has no Falcon, the import
 * itself refuses a table without a connection.
 */
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
    { path: 'connection', type: 'map' },
    ...columnRules('columns'),
    { path: 'columns[].db_column_name', required: true, type: 'string' },
    { path: 'columns[].properties', required: true, type: 'map' },
    { path: 'columns[].properties.column_type', required: true },
    { path: 'columns[].db_column_properties', required: true, onlyWith: 'connection' },
    { path: 'columns[].db_column_properties', type: 'map' },
    { path: 'columns[].db_column_properties.data_type', required: true, enum: DATA_TYPES },
    ...JOINS_WITH_RULES,
  ],
  references: (body) => [
    ...identityRef(body.connection, ['connection'], ['connection']),
    ...joinsWithRefs(body),
    ...identityRefs(body, ['rls_rules', 'tables'], LOGICAL_TABLE_KINDS),
  ],
};
