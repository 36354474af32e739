import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TmlParseError, dependencyOrder, format, parse, references, toJson, validate } from '../../src/tml/index.js';
import type { KnownObject, TmlDocument } from '../../src/tml/index.js';

const fixtures = new URL('../fixtures/tml/', import.meta.url);
const read = (file: string): string => readFileSync(new URL(file, fixtures), 'utf8');
const files = readdirSync(fixtures).filter((f) => f.endsWith('.tml'));
const valid = files.filter((f) => f !== 'BAD_DUMMY.answer.tml');
const load = (file: string): TmlDocument => parse(read(file), { file });

/** The corpus holds copies of the same objects (same GUID) under other names; this is one of each. */
const distinct = valid.filter((f) => !['DUMMY.pinboard.tml', 'SPECIAL_UNICODE_TABLE.table.tml', 'SPECIAL_v1.0_NAME.worksheet.tml'].includes(f));

describe('the conformance corpus', () => {
  it('has the thirteen valid documents and the malformed one', () => {
    expect(valid).toHaveLength(13);
    expect(files).toContain('BAD_DUMMY.answer.tml');
  });

  it.each(valid)('writes %s back byte for byte', (file) => {
    const text = read(file);
    expect(format(parse(text, { file }))).toBe(text);
  });

  it.each(valid)('carries %s through the JSON form without loss', (file) => {
    const doc = load(file);
    const back = parse(toJson(doc), { file });
    expect(back.format).toBe('json');
    expect(back.data).toEqual(doc.data);
    expect(Object.keys(back.data)).toEqual(Object.keys(doc.data));
    expect(toJson(back)).toBe(toJson(doc));
    expect(format(back)).toBe(read(file));
  });

  it.each(valid)('reads %s as the kind its file name says', (file) => {
    const doc = load(file);
    expect(file.split('.').at(-2)).toBe(doc.kindKey ?? doc.kind);
    expect(doc.name).not.toBe('');
  });

  it('rejects BAD_DUMMY.answer.tml naming line 2', () => {
    const attempt = (): TmlDocument => load('BAD_DUMMY.answer.tml');
    expect(attempt).toThrow(TmlParseError);
    expect(attempt).toThrow('BAD_DUMMY.answer.tml:2:9: invalid YAML: bad indentation of a mapping entry');
    try {
      attempt();
    } catch (error) {
      expect(error).toMatchObject({ file: 'BAD_DUMMY.answer.tml', line: 2, column: 9 });
      expect((error as Error).message).not.toContain('\n');
    }
  });

  it('reads the envelope-less connection of DUMMY.connection.tml', () => {
    const doc = load('DUMMY.connection.tml');
    expect(doc).toMatchObject({ kind: 'connection', kindKey: null, name: 'Retail - Apparel' });
    expect(doc.guid).toBeUndefined();
    expect(doc.body).toBe(doc.data);
    expect(references(doc)).toEqual([]);
  });

  it('reads the older pinboard: key as a liveboard and keeps the key when writing', () => {
    const doc = load('DUMMY.pinboard.tml');
    expect(doc).toMatchObject({ kind: 'liveboard', kindKey: 'pinboard', guid: '4c6e8502-1695-4dc4-b0b0-215dae7a6d71' });
    expect(format(doc).split('\n').slice(0, 2)).toEqual(['guid: 4c6e8502-1695-4dc4-b0b0-215dae7a6d71', 'pinboard:']);
  });

  it('finds what each object depends on, by name and by fqn', () => {
    const summary = (file: string): string[] => references(load(file)).map((r) => `${r.path.join('/')} → ${r.name}${r.fqn ? ` (${r.fqn})` : ''} [${r.kinds.join('|')}]`);
    expect(summary('DUMMY.table.tml')).toEqual([
      'table/connection/name → Retail - Apparel [connection]',
      'table/joins_with/0/destination/name → (Sample) Retail - Apparel [table|sql_view|view|worksheet|model]',
    ]);
    expect(summary('DUMMY.view.tml')[0]).toBe('view/tables/0/name → (Sample) Retail - Apparel (d00f3754-15a9-4a7a-a3d5-3248ad19aa9f) [table|sql_view|view|worksheet|model]');
    expect(summary('DUMMY.sql_view.tml')[0]).toBe('sql_view/connection/name → Retail - Apparel [connection]');
    expect(summary('DUMMY_MODEL.worksheet.tml').map((s) => s.split(' [')[0])).toEqual([
      'worksheet/schema/tables/0/name → DIM_RETAPP_PRODUCTS',
      'worksheet/schema/tables/1/name → DIM_RETAPP_STORES',
      'worksheet/schema/tables/2/name → FACT_RETAPP_SALES',
    ]);
    expect(summary('DUMMY.liveboard.tml').map((s) => s.split(' [')[0])).toEqual([
      'liveboard/visualizations/0/answer/tables/0/name → (Sample) Retail - Apparel',
      'liveboard/visualizations/1/answer/tables/0/name → (Sample) Retail - Apparel',
      'liveboard/visualizations/2/answer/tables/0/name → Retail - Apparel',
    ]);
  });

  it("reports the corpus's references to objects outside it, with file, line and path", () => {
    const issues = validate(distinct.map(load));
    expect(issues.every((i) => i.code === 'missing-reference' && i.tsCode === 14502)).toBe(true);
    expect(issues.map((i) => `${i.file}:${i.line} ${i.path}`)).toEqual(
      expect.arrayContaining([
        'SPECIAL_TABLE.table.tml:9 table->connection->name',
        'DUMMY.view.tml:6 view->tables(1st)->name',
        'DUMMY.liveboard.tml:100 liveboard->visualizations(3rd)->answer->tables(1st)->name',
        'DUMMY_MODEL.worksheet.tml:11 worksheet->schema->tables(3rd)->name',
        'SPECIAL_TABLE.table.tml:71 table->joins_with(1st)->destination->name',
      ]),
    );
    // Found in the corpus by name: the answer's worksheet, the table's connection (envelope-less).
    expect(issues.filter((i) => i.file === 'DUMMY.answer.tml')).toEqual([]);
    expect(issues.filter((i) => i.path === 'table->connection->name').map((i) => i.file)).not.toContain('DUMMY.table.tml');
  });

  it('validates the corpus cleanly once the objects outside it are known', () => {
    const outside: KnownObject[] = [
      { kind: 'connection', name: 'Retail Banking - Export', guid: 'c-2' },
      // DUMMY.view.tml names its source by fqn; the name there does not matter.
      { kind: 'worksheet', name: 'Retail worksheet, older copy', guid: 'd00f3754-15a9-4a7a-a3d5-3248ad19aa9f' },
      ...['dim_retapp_stores', 'fact_retapp_sales', 'DIM_RETAPP_PRODUCTS', 'DIM_RETAPP_STORES', 'FACT_RETAPP_SALES', 'dim_rb_customers', 'Retail - Apparel'].map(
        (name, i): KnownObject => ({ kind: 'table', name, guid: `t-${i}` }),
      ),
      ...['PARCOURS', 'HCP_THOUGHTSPOT', 'INTERACTION_THOUGHTSPOT', 'QUALIFICATION_THOUGHTSPOT'].map((name, i): KnownObject => ({ kind: 'table', name, guid: `g-${i}` })),
    ];
    expect(validate(distinct.map(load), { known: outside })).toEqual([]);
  });

  it('reports the copies that share a GUID with another corpus file', () => {
    const issues = validate(valid.map(load)).filter((i) => i.code === 'duplicate-guid');
    expect(issues.map((i) => i.file).sort()).toEqual(['DUMMY.pinboard.tml', 'SPECIAL_UNICODE_TABLE.table.tml', 'SPECIAL_v1.0_NAME.worksheet.tml']);
  });

  it('orders the corpus for import with each data source before its users', () => {
    const order = dependencyOrder(distinct.map(load)).map((d) => d.file);
    const at = (file: string): number => order.indexOf(file);
    expect(order).toHaveLength(distinct.length);
    expect(at('DUMMY.worksheet.tml')).toBeLessThan(at('DUMMY.answer.tml'));
    expect(at('DUMMY.worksheet.tml')).toBeLessThan(at('DUMMY.liveboard.tml'));
    expect(at('DUMMY.worksheet.tml')).toBeLessThan(at('DUMMY.sql_view.tml'));
    expect(at('DUMMY.connection.tml')).toBe(0);
  });
});
