import { describe, expect, it } from 'vitest';
import { KINDS, KIND_LISTINGS, dependencyOrder, fromData, handlerFor, handlerForKey, handlers, kindForMetadata, listingSubtypes, parse, references, validate } from '../../src/tml/index.js';
import type { TmlDocument, TmlMap } from '../../src/tml/index.js';

describe('the kind registry', () => {
  it('has one handler per kind, in dependency order', () => {
    expect(KINDS).toEqual(['connection', 'table', 'sql_view', 'view', 'model', 'worksheet', 'cohort', 'answer', 'liveboard']);
    const ranks = KINDS.map((k) => handlerFor(k).rank);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(handlers().map((h) => h.kind)).toEqual(KINDS);
  });

  it('declares for each kind its key, file suffix and metadata type', () => {
    for (const handler of handlers()) {
      expect(handler.keys[0]).toBe(handler.kind);
      expect(handler.suffix).toBe(`.${handler.kind}.tml`);
      expect(['LOGICAL_TABLE', 'LOGICAL_COLUMN', 'QUESTION_ANSWER_BOOK', 'PINBOARD_ANSWER_BOOK', 'DATA_SOURCE']).toContain(handler.metadataType);
    }
    expect(handlers().filter((h) => h.unlisted === true)).toEqual([]);
  });

  it('finds handlers by document key and export type, pinboard and sqlview included', () => {
    expect(handlerForKey('pinboard')?.kind).toBe('liveboard');
    expect(handlerForKey('sqlview')?.kind).toBe('sql_view');
    expect(handlerForKey('model')?.kind).toBe('model');
    expect(handlerForKey('monitor_alert')).toBeUndefined();
    expect(handlerForKey('cohort')?.kind).toBe('cohort');
    expect(() => handlerFor('monitor_alert' as never)).toThrow('no TML handler for kind "monitor_alert"');
  });

  it.each([
    ['DATA_SOURCE', undefined, 'connection'],
    ['LOGICAL_TABLE', 'ONE_TO_ONE_LOGICAL', 'table'],
    ['LOGICAL_TABLE', 'USER_DEFINED', 'table'],
    ['LOGICAL_TABLE', 'SQL_VIEW', 'sql_view'],
    ['LOGICAL_TABLE', 'AGGR_WORKSHEET', 'view'],
    ['LOGICAL_TABLE', 'WORKSHEET', 'model'],
    ['QUESTION_ANSWER_BOOK', undefined, 'answer'],
    ['PINBOARD_ANSWER_BOOK', undefined, 'liveboard'],
    ['LOGICAL_TABLE', undefined, undefined],
    ['LOGICAL_COLUMN', 'FORMULA', undefined],
  ])('maps metadata %s/%s to %s', (type, subtype, kind) => {
    expect(kindForMetadata(type, subtype)).toBe(kind);
  });

  it.each(KINDS.map((kind) => [kind]))('requires a name on an empty %s', (kind) => {
    const doc = fromData({ guid: 'g', [kind]: {} }, { file: `empty.${kind}.tml` });
    const issues = validate([doc]);
    expect(issues.map((i) => i.path)).toContain(`${kind}->name`);
    expect(issues.every((i) => i.code === 'required-field')).toBe(true);
  });
});

describe('references', () => {
  it('names what each kind depends on, with fqn and obj_id when given', () => {
    const table = parse('guid: t\ntable:\n  name: t\n  connection:\n    name: Conn\n    fqn: c-guid\n  joins_with:\n  - destination:\n      name: other\n      obj_id: other-table\n');
    expect(references(table)).toEqual([
      { kinds: ['connection'], name: 'Conn', fqn: 'c-guid', path: ['table', 'connection', 'name'] },
      { kinds: ['table', 'sql_view', 'view', 'worksheet', 'model'], name: 'other', objId: 'other-table', path: ['table', 'joins_with', 0, 'destination', 'name'] },
    ]);
  });

  it('ignores malformed parts instead of failing (validation reports them)', () => {
    const doc = parse('guid: a\nanswer:\n  name: a\n  tables: oops\n');
    expect(references(doc)).toEqual([]);
  });
});

describe('dependencyOrder', () => {
  const doc = (kind: string, name: string, body: TmlMap = {}): TmlDocument => fromData({ guid: `${kind}-${name}`, [kind]: { name, ...body } }, { file: `${name}.${kind}.tml` });
  const connection = doc('connection', 'conn', { type: 'RDBMS_SNOWFLAKE' });
  const table = doc('table', 'sales', { connection: { name: 'conn' } });
  const view = doc('view', 'sales view', { tables: [{ name: 'sales model' }] });
  const model = doc('model', 'sales model', { model_tables: [{ name: 'sales' }] });
  const answer = doc('answer', 'answer', { tables: [{ name: 'sales view' }] });
  const board = doc('liveboard', 'board', { visualizations: [{ id: 'Viz_1', answer: { name: 'a', tables: [{ name: 'sales model' }] } }] });

  it('puts every object after what it references, whatever the input order', () => {
    const order = dependencyOrder([board, answer, view, model, table, connection]).map((d) => d.name);
    expect(order).toEqual(['conn', 'sales', 'sales model', 'sales view', 'answer', 'board']);
  });

  it('breaks a reference cycle by kind rank, deterministically', () => {
    const a = doc('table', 'a', { joins_with: [{ destination: { name: 'b' } }] });
    const b = doc('table', 'b', { joins_with: [{ destination: { name: 'a' } }] });
    const w = doc('worksheet', 'w', { tables: [{ name: 'a' }, { name: 'b' }] });
    expect(dependencyOrder([w, b, a]).map((d) => d.name)).toEqual(['b', 'a', 'w']);
    expect(dependencyOrder([w, a, b]).map((d) => d.name)).toEqual(['a', 'b', 'w']);
  });

  it('does not wait for objects outside the set', () => {
    expect(dependencyOrder([answer, table]).map((d) => d.name)).toEqual(['sales', 'answer']);
  });

  // Row-level security rules name the tables their table paths go through (LogicalTableEDocProto
  // RlsRule `tables`, Identity list): the table itself, as a real export does
  // (test/fixtures/real-tml, DIM_RETAPP_PRODUCTS 287df18d…), and the tables it joins to.
  it('puts a table after the tables its row-level security rules go through, itself aside', () => {
    const region = doc('table', 'region');
    const rls = { tables: [{ name: 'orders', fqn: 'table-orders' }, { name: 'region', fqn: 'table-region' }], rules: [{ name: 'r', expr: 'ts_groups = [region_1::name]' }] };
    const orders = doc('table', 'orders', { rls_rules: rls });
    expect(references(orders).map((r) => [r.path.join('.'), r.fqn])).toEqual([
      ['table.rls_rules.tables.0.name', 'table-orders'],
      ['table.rls_rules.tables.1.name', 'table-region'],
    ]);
    expect(dependencyOrder([orders, region]).map((d) => d.name)).toEqual(['region', 'orders']);
    expect(validate([orders]).filter((i) => i.code === 'missing-reference').map((i) => i.path)).toEqual(['table->rls_rules->tables(2nd)->name']);
  });
});

describe('cohorts (Sets)', () => {
  const cohortDoc = (body: TmlMap, name = 'Region Groupings'): TmlDocument => fromData({ guid: name, cohort: { name, ...body } }, { file: `${name}.cohort.tml` });
  const simple = cohortDoc({
    config: { cohort_type: 'SIMPLE', cohort_grouping_type: 'GROUP_BASED', groups: [{ name: 'West', conditions: [{ operator: 'CONTAINS', value: ['west'] }], combine_type: 'ALL' }] },
    worksheet: { id: 'Retail', name: 'Retail' },
  });
  const advanced = cohortDoc({ answer: { tables: [{ id: 'Retail', name: 'Retail', fqn: 'r-guid' }], search_query: '[SKU] min [date]' }, config: { cohort_type: 'ADVANCED' } }, 'First Purchase Date');

  it('stand on the data source named by worksheet:, and on the tables of an advanced set\'s answer', () => {
    const sources = ['table', 'sql_view', 'view', 'worksheet', 'model'];
    expect(references(simple)).toEqual([{ kinds: sources, name: 'Retail', path: ['cohort', 'worksheet', 'name'] }]);
    expect(references(advanced)).toEqual([{ kinds: sources, name: 'Retail', fqn: 'r-guid', path: ['cohort', 'answer', 'tables', 0, 'name'] }]);
  });

  it('are imported after their model and before the answers that may use them', () => {
    const model = fromData({ guid: 'm', model: { name: 'Retail', model_tables: [] } });
    const answer = fromData({ guid: 'a', answer: { name: 'by region', tables: [{ name: 'Retail' }], search_query: '[Region Groupings]' } });
    expect(dependencyOrder([answer, simple, model]).map((d) => d.kind)).toEqual(['model', 'cohort', 'answer']);
  });

  it('are valid as ThoughtSpot exports them, and report values outside the proto\'s enums', () => {
    const known = [{ kind: 'model' as const, name: 'Retail', guid: 'r-guid' }];
    expect(validate([simple, advanced], { known })).toEqual([]);
    const wrong = cohortDoc({ config: { cohort_type: 'FANCY', groups: [{ name: 'West', conditions: [{ operator: 'LIKE' }], combine_type: 'SOME' }] } });
    expect(validate([wrong]).map((i) => `${i.code} ${i.path}`)).toEqual([
      'invalid-enum cohort->config->cohort_type',
      'invalid-enum cohort->config->groups(1st)->combine_type',
      'invalid-enum cohort->config->groups(1st)->conditions(1st)->operator',
    ]);
  });

  it('are listed as LOGICAL_COLUMNs of subtype COHORT (UNCONFIRMED), and a listing of that type asks for that subtype only', () => {
    expect(KIND_LISTINGS.filter((l) => l.kind === 'cohort')).toEqual([{ metadataType: 'LOGICAL_COLUMN', subtypes: ['COHORT'], kind: 'cohort' }]);
    expect(kindForMetadata('LOGICAL_COLUMN', 'COHORT')).toBe('cohort');
    // Any other column (a formula, a table's column) is no TML object.
    expect(kindForMetadata('LOGICAL_COLUMN', 'FORMULA')).toBeUndefined();
    expect(listingSubtypes('LOGICAL_COLUMN')).toEqual(['COHORT']);
    expect(listingSubtypes('LOGICAL_TABLE')).toBeUndefined();
  });
});
