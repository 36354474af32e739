import { randomUUID } from 'node:crypto';
import { handlerForKey, type TmlMap } from '../../tml/index.js';
import type { EmulatorState } from '../state.js';

const CONNECTION = 'Scale Warehouse';

function column(name: string, type: 'ATTRIBUTE' | 'MEASURE', dataType: string): TmlMap {
  return { name, db_column_name: name, properties: { column_type: type, ...(type === 'MEASURE' ? { aggregation: 'SUM' } : {}) }, db_column_properties: { data_type: dataType } };
}

/**
 * The connection the generated content stands on; the benchmark creates it in an environment of
 * its own (a deploy never creates one), so both build it here.
 */
export function scaleConnection(): TmlMap {
  return { guid: randomUUID(), connection: { name: CONNECTION, type: 'RDBMS_SNOWFLAKE', authentication_type: 'SERVICE_ACCOUNT', properties: [{ key: 'password', value: '' }] } };
}

/**
 * `--seed-scale N`: N generated objects of every kind but connection (one
 * connection holds them), each small and valid, for benchmarks. Batches are
 * self-contained: each object's dependencies come in the same batch or earlier.
 */
export function* scaleBatches(n: number, batchSize = 500): Generator<TmlMap[]> {
  yield [scaleConnection()];
  const perBatch = Math.max(1, Math.floor(batchSize / 7));
  for (let start = 0; start < n; start += perBatch) {
    const batch: TmlMap[] = [];
    for (let i = start; i < Math.min(n, start + perBatch); i += 1) {
      const table = `scale_table_${i}`;
      const model = `Scale Model ${i}`;
      const [tableGuid, modelGuid] = [randomUUID(), randomUUID()];
      const source = { id: model, name: model, fqn: modelGuid };
      const answer: TmlMap = { name: `Scale Answer ${i}`, tables: [source], search_query: '[Key] [Amount]', answer_columns: [{ name: 'Key' }, { name: 'Total Amount' }], display_mode: 'TABLE_MODE' };
      batch.push(
        { guid: tableGuid, table: { name: table, db: 'SCALE', schema: 'PUBLIC', db_table: table, connection: { name: CONNECTION }, columns: [column('key', 'ATTRIBUTE', 'VARCHAR'), column('amount', 'MEASURE', 'DOUBLE'), column('day', 'ATTRIBUTE', 'DATE')] } },
        { guid: randomUUID(), sql_view: { name: `Scale SQL ${i}`, connection: { name: CONNECTION }, sql_query: `SELECT key, amount FROM SCALE.PUBLIC.${table}`, sql_view_columns: [{ name: 'key', sql_output_column: 'key', properties: { column_type: 'ATTRIBUTE' } }] } },
        { guid: modelGuid, model: { name: model, model_tables: [{ name: table, fqn: tableGuid }], columns: [{ name: 'Key', column_id: `${table}::key`, properties: { column_type: 'ATTRIBUTE' } }, { name: 'Amount', column_id: `${table}::amount`, properties: { column_type: 'MEASURE', aggregation: 'SUM' } }] } },
        { guid: randomUUID(), worksheet: { name: `Scale Worksheet ${i}`, tables: [{ name: table, fqn: tableGuid }], table_paths: [{ id: `${table}_1`, table, join_path: [{}] }], worksheet_columns: [{ name: 'Key', column_id: `${table}_1::key`, properties: { column_type: 'ATTRIBUTE' } }] } },
        { guid: randomUUID(), view: { name: `Scale View ${i}`, tables: [source], search_query: '[Key] [Amount]', view_columns: [{ name: 'Key', search_output_column: 'Key', properties: { column_type: 'ATTRIBUTE' } }] } },
        { guid: randomUUID(), answer },
        { guid: randomUUID(), liveboard: { name: `Scale Liveboard ${i}`, visualizations: [{ id: 'Viz_1', answer, viz_guid: randomUUID() }], layout: { tiles: [{ visualization_id: 'Viz_1', x: 0, y: 0, height: 4, width: 6 }] } } },
      );
    }
    yield batch;
  }
}

/**
 * Generated documents put in the store as the import path would keep them
 * (the document with its GUID first, references by final GUIDs, authored by
 * `authorId`), without its validation: for the batches after the first,
 * whose shapes the first batch's import already proved.
 */
export function storeDirectly(state: EmulatorState, authorId: string, batch: TmlMap[]): void {
  const now = state.now();
  for (const document of batch) {
    const key = Object.keys(document).find((k) => k !== 'guid')!;
    const kind = handlerForKey(key)?.kind;
    const body = document[key] as { name?: unknown };
    if (!kind || typeof document.guid !== 'string' || typeof body.name !== 'string') throw new Error(`scale seed: a generated ${key} document has no kind, guid or name`);
    // A copy: the generator shares an answer between its answer and its liveboard, the store keeps each apart.
    state.objects.set(document.guid, { id: document.guid, kind, name: body.name, author: authorId, created: now, modified: now, modifiedBy: authorId, tags: [], document: structuredClone(document) });
  }
}
