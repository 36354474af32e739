import type { KindHandler } from '../types.js';

/** Fields of `ConnectionDoc` (thoughtspot_tml `_scriptability.py`): the whole top level of the
 * envelope-less form. */
const CONNECTION_FIELDS = new Set(['name', 'type', 'authentication_type', 'properties', 'table', 'description', 'connection_configurations']);

/**
 * Data connection (§3.1, §3.2 `ConnectionDoc`). It depends on nothing. Two forms: the modern
 * envelope (`guid:` + `connection:`) and the older `connection/export` file with no envelope,
 * whose top level is the connection itself (corpus DUMMY.connection.tml).
 */
export const connection: KindHandler = {
  kind: 'connection',
  keys: ['connection'],
  metadataType: 'DATA_SOURCE',
  subtypes: [],
  rank: 0,
  suffix: '.connection.tml',
  rules: [
    { path: 'name', required: true, type: 'string' },
    { path: 'type', required: true, type: 'string' },
    { path: 'properties', type: 'list' },
    { path: 'table', type: 'list' },
  ],
  references: () => [],
  environmentOwned: true,
  recognizesBare: (data) => typeof data.name === 'string' && typeof data.type === 'string' && Object.keys(data).every((key) => CONNECTION_FIELDS.has(key)),
};
