import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { knownIndex } from '../../src/emulator/known-index.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { parse } from '../../src/tml/index.js';
import { loginCookie, raw } from './raw-http.js';

const fixtures = new URL('../fixtures/tml/', import.meta.url);
const corpus = (file: string) => readFileSync(new URL(file, fixtures), 'utf8');

let emulator: RunningEmulator;
let cookie: string;
beforeAll(async () => {
  emulator = await startEmulator({ seed: 'none' });
  cookie = await loginCookie(emulator.url);
});
afterAll(() => emulator.close());

type ImportItem = { response: { status: { status_code: string; error_code?: number; error_message?: string }; header?: Record<string, string> } };
type ExportItem = { info: { name: string; filename: string; type: string; id: string; status: { status_code: string; error_message?: string } }; edoc?: string };

async function importDocs(docs: string[], extra: Record<string, string> = {}, as = cookie): Promise<ImportItem[]> {
  const res = await raw(emulator.url, 'POST', 'metadata/tml/import', { cookie: as, headers: { Accept: 'text/plain' }, form: { import_objects: JSON.stringify(docs), ...extra } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { object: ImportItem[] }).object;
}

async function exportIds(ids: string[], extra: Record<string, string> = {}): Promise<ExportItem[]> {
  const res = await raw(emulator.url, 'POST', 'metadata/tml/export', { cookie, headers: { Accept: 'text/plain' }, form: { export_ids: JSON.stringify(ids), ...extra } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { object: ExportItem[] }).object;
}

/** The tables and connection the corpus refers to but does not hold, as plain TML. */
function supportingTable(name: string, connection: string, columns: string[]): string {
  return [
    'table:', `  name: ${name}`, '  db: PMMDB', '  schema: RETAILAPPAREL', `  db_table: ${name.toLowerCase()}`, '  connection:', `    name: ${connection}`, '  columns:',
    ...columns.flatMap((c) => [`  - name: ${c}`, `    db_column_name: ${c}`, '    properties:', '      column_type: ATTRIBUTE', '    db_column_properties:', '      data_type: VARCHAR']),
    '',
  ].join('\n');
}

describe('TML import and export', () => {
  it('imports the conformance corpus with what it references, and exports each file back byte for byte', async () => {
    const support = [
      supportingTable('fact_retapp_sales', 'Retail - Apparel', ['productid', 'City']),
      supportingTable('dim_retapp_stores', 'Retail - Apparel', ['storeid']),
      'guid: 0b8f7e7a-5c34-4d6b-9d0e-1f0c2a3b4c5d\nconnection:\n  name: Retail Banking - Export\n  type: RDBMS_SNOWFLAKE\n  authentication_type: SERVICE_ACCOUNT\n  properties:\n  - key: password\n    value: ""\n',
      supportingTable('dim_rb_customers', 'Retail Banking - Export', ['customer_id']),
      supportingTable('Retail - Apparel', 'Retail - Apparel', ['City', 'State', 'Zip Code', 'Quantity Purchased']),
    ];
    const first = await importDocs([corpus('DUMMY.connection.tml'), ...support]);
    expect(first.map((o) => o.response.status.status_code)).toEqual(['OK', 'OK', 'OK', 'OK', 'OK', 'OK']);
    // The tables first, then the worksheet and what stands on it.
    const files = ['DUMMY.table.tml', 'SPECIAL_TABLE.table.tml', 'DUMMY.worksheet.tml', 'DUMMY.answer.tml', 'DUMMY.sql_view.tml', 'DUMMY.liveboard.tml'];
    const imported = await importDocs(files.map(corpus));
    expect(imported.map((o, i) => `${files[i]}: ${o.response.status.status_code} ${o.response.status.error_message ?? ''}`.trim())).toEqual(files.map((f) => `${f}: OK`));
    for (const [i, file] of files.entries()) {
      const id = imported[i]!.response.header!.id_guid!;
      expect(id).toBe(parse(corpus(file)).guid);
      const [exported] = await exportIds([id]);
      expect(exported!.info.status.status_code).toBe('OK');
      expect(exported!.edoc, file).toBe(corpus(file));
    }
  });

  it('answers per-object statuses in input order with realistic codes', async () => {
    const results = await importDocs([
      corpus('BAD_DUMMY.answer.tml'),
      'guid: 11111111-2222-4333-8444-555555555555\nfeedback:\n  name: x\n',
      'table:\n  name: no_columns\n  db: D\n  schema: S\n  db_table: T\n  connection:\n    name: Retail - Apparel\n',
      'answer:\n  name: Dangling\n  tables:\n  - id: Nowhere\n    name: Nowhere\n  search_query: "[x]"\n',
      'model:\n  name: Bad join\n  model_tables:\n  - name: dim_retapp_products\n    joins:\n    - with: dim_retapp_stores\n      "on": "[a::b] = [c::d]"\n      type: FULL_OUTER\n      cardinality: MANY_TO_ONE\n  - name: dim_retapp_stores\n  columns:\n  - name: P\n    column_id: dim_retapp_products::productname\n    properties:\n      column_type: ATTRIBUTE\n',
    ]);
    const statuses = results.map((r) => r.response.status);
    expect(statuses.every((s) => s.status_code === 'ERROR')).toBe(true);
    expect(statuses[0]!.error_message).toContain('line 2');
    expect(statuses[2]!.error_message).toContain('columns');
    expect(statuses[3]).toMatchObject({ error_code: 14502 });
    expect(statuses[3]!.error_message).toContain('Nowhere');
    expect(statuses[4]).toMatchObject({ error_code: 14528 });
    expect(statuses[4]!.error_message).toContain('FULL_OUTER');
  });

  it('keeps an unchanged document as it was (modified does not move)', async () => {
    const before = emulator.state.objects.get(parse(corpus('DUMMY.table.tml')).guid!)!.modified;
    const [again] = await importDocs([corpus('DUMMY.table.tml')]);
    expect(again!.response.status.status_code).toBe('OK');
    expect(emulator.state.objects.get(parse(corpus('DUMMY.table.tml')).guid!)!.modified).toBe(before);
  });

  it('creates without a guid, creates with an unknown guid kept, and force_create makes a new object', async () => {
    const body = 'answer:\n  name: Fresh answer\n  tables:\n  - id: (Sample) Retail - Apparel\n    name: (Sample) Retail - Apparel\n  search_query: "[City]"\n';
    const [created] = await importDocs([body]);
    expect(created!.response.header!.id_guid).toMatch(/^[0-9a-f-]{36}$/);
    const unknown = '7a7a7a7a-1111-4222-8333-944444444444';
    const [kept] = await importDocs([`guid: ${unknown}\n${body.replace('Fresh', 'Kept')}`]);
    expect(kept!.response.header!.id_guid).toBe(unknown);
    const [forced] = await importDocs([`guid: ${unknown}\n${body.replace('Fresh', 'Kept')}`], { force_create: 'true' });
    expect(forced!.response.header!.id_guid).not.toBe(unknown);
    expect(emulator.state.objects.has(forced!.response.header!.id_guid!)).toBe(true);
  });

  it('imports nothing with ALL_OR_NONE when one document fails, and nothing ever with VALIDATE_ONLY', async () => {
    const good = 'answer:\n  name: Would be fine\n  tables:\n  - id: (Sample) Retail - Apparel\n    name: (Sample) Retail - Apparel\n  search_query: "[City]"\n';
    const count = emulator.state.objects.size;
    const results = await importDocs([good, 'answer:\n  name: Broken\n'], { import_policy: 'ALL_OR_NONE' });
    expect(results.map((r) => r.response.status.status_code)).toEqual(['ERROR', 'ERROR']);
    const validated = await importDocs([good], { import_policy: 'VALIDATE_ONLY' });
    expect(validated[0]!.response.status.status_code).toBe('OK');
    expect(emulator.state.objects.size).toBe(count);
  });

  it('resolves an fqn to another document of the same call', async () => {
    const tableGuid = '3c3c3c3c-1111-4222-8333-944444444444';
    const results = await importDocs([
      `answer:\n  name: Uses new table\n  tables:\n  - id: brand_new\n    name: brand_new\n    fqn: ${tableGuid}\n  search_query: "[id]"\n`,
      `guid: ${tableGuid}\n${supportingTable('brand_new', 'Retail - Apparel', ['id'])}`,
    ]);
    expect(results.map((r) => r.response.status.status_code)).toEqual(['OK', 'OK']);
  });

  it('reads import_objects as a Python repr list', async () => {
    const doc = "answer:\n  name: It's repr\n  tables:\n  - id: (Sample) Retail - Apparel\n    name: (Sample) Retail - Apparel\n  search_query: \"[City]\"\n";
    const repr = `['${doc.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}']`;
    const res = await raw(emulator.url, 'POST', 'metadata/tml/import', { cookie, form: { import_objects: repr } });
    const body = (await res.json()) as { object: ImportItem[] };
    expect(body.object[0]!.response).toMatchObject({ status: { status_code: 'OK' }, header: { name: "It's repr" } });
  });

  it('exports JSON on request, fqns with export_fqn, and dependencies after the object with export_associated', async () => {
    const answerId = parse(corpus('DUMMY.answer.tml')).guid!;
    const [asJson] = await exportIds([answerId], { formattype: 'JSON' });
    expect(JSON.parse(asJson!.edoc!)).toMatchObject({ guid: answerId, answer: { name: 'How many items purchased by state?' } });
    const [withFqn] = await exportIds([answerId], { export_fqn: 'true' });
    expect(withFqn!.edoc).toContain(`fqn: ${parse(corpus('DUMMY.worksheet.tml')).guid!}`);
    const associated = await exportIds([answerId], { export_associated: 'true' });
    expect(associated.map((o) => o.info.type)).toEqual(['answer', 'worksheet', 'table', 'table', 'table'].slice(0, associated.length));
    expect(associated[0]!.info).toMatchObject({ id: answerId, filename: 'How many items purchased by state?.answer.tml' });
    expect(associated.slice(1).map((o) => o.info.type)).toContain('worksheet');
  });

  it('reports an unknown GUID as a per-object error with HTTP 200', async () => {
    const [missing] = await exportIds(['00000000-0000-4000-8000-000000000000']);
    expect(missing!.info.status.status_code).toBe('ERROR');
    expect(missing!.info.status.error_message).toContain('00000000-0000-4000-8000-000000000000');
  });

  it('exports a connection as guid: + connection:, even when imported without the envelope', async () => {
    const id = [...emulator.state.objects.values()].find((o) => o.kind === 'connection' && o.name === 'Retail - Apparel')!.id;
    const [exported] = await exportIds([id]);
    expect(exported!.edoc!.split('\n').slice(0, 3)).toEqual([`guid: ${id}`, 'connection:', '  name: Retail - Apparel']);
    expect(exported!.info.filename).toBe('Retail - Apparel.connection.tml');
  });

  it('refuses TML export and import to a user without DATAMANAGEMENT or ADMINISTRATION (403)', async () => {
    const form = new FormData();
    form.append('principals', new Blob([JSON.stringify([{ name: 'viewer', principalTypeEnum: 'LOCAL_USER', password: 'viewer-pass-1' }])], { type: 'application/json' }), 'principals.json');
    form.append('applyChanges', 'true');
    form.append('removeDeleted', 'false');
    await raw(emulator.url, 'POST', 'user/sync', { cookie, multipart: form });
    const viewer = await loginCookie(emulator.url, 'viewer', 'viewer-pass-1');
    const res = await raw(emulator.url, 'POST', 'metadata/tml/export', { cookie: viewer, form: { export_ids: '[]' } });
    expect(res.status).toBe(403);
    const imp = await raw(emulator.url, 'POST', 'metadata/tml/import', { cookie: viewer, form: { import_objects: '[]' } });
    expect(imp.status).toBe(403);
  });

  it('exports a model in worksheet form with schema version v1, and as model: with v2', async () => {
    const model = 'guid: 4d4d4d4d-1111-4222-8333-944444444444\nmodel:\n  name: Tiny model\n  model_tables:\n  - name: dim_retapp_products\n  columns:\n  - name: Product\n    column_id: dim_retapp_products::productname\n    properties:\n      column_type: ATTRIBUTE\n';
    const [imported] = await importDocs([model]);
    expect(imported!.response.status.status_code).toBe('OK');
    const [v2] = await exportIds(['4d4d4d4d-1111-4222-8333-944444444444'], { export_schema_version: 'v2' });
    expect(v2!.edoc).toBe(model);
    const [v1] = await exportIds(['4d4d4d4d-1111-4222-8333-944444444444']);
    expect(v1!.edoc).toContain('worksheet:\n  name: Tiny model\n  schema:\n    tables:\n    - name: dim_retapp_products\n  worksheet_columns:');
  });
});

describe('corpus files', () => {
  it('are all present in the fixtures', () => {
    expect(readdirSync(fixtures).filter((f) => f.endsWith('.tml'))).toHaveLength(14);
  });
});

describe('the index of stored objects that export and import resolve references against', () => {
  it('is kept, and follows an import, a rename in place and a deletion', async () => {
    const first = knownIndex(emulator.state);
    expect(knownIndex(emulator.state)).toBe(first);
    await exportIds([parse(corpus('DUMMY.answer.tml')).guid!], { export_fqn: 'true' });
    expect(knownIndex(emulator.state)).toBe(first);

    const [imported] = await importDocs([supportingTable('index_probe', 'Retail - Apparel', ['a'])]);
    const id = imported!.response.header!.id_guid!;
    const afterImport = knownIndex(emulator.state);
    expect(afterImport.byGuid.get(id)?.name).toBe('index_probe');
    expect(afterImport.byName.get('index_probe')?.map((t) => t.guid)).toEqual([id]);

    emulator.state.objects.get(id)!.name = 'index_probe_renamed';
    const afterRename = knownIndex(emulator.state);
    expect(afterRename.byName.get('index_probe_renamed')?.map((t) => t.guid)).toEqual([id]);
    expect(afterRename.byName.has('index_probe')).toBe(false);

    emulator.state.objects.delete(id);
    const afterDelete = knownIndex(emulator.state);
    expect(afterDelete.byGuid.has(id)).toBe(false);
    expect(afterDelete.byName.has('index_probe_renamed')).toBe(false);
  });
});
