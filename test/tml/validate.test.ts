import { describe, expect, it } from 'vitest';
import { parse, validate } from '../../src/tml/index.js';
import type { KnownObject, TmlDocument, TmlIssue } from '../../src/tml/index.js';

const CONNECTION = `guid: c0000000-0000-0000-0000-000000000001
connection:
  name: Retail - Apparel
  type: RDBMS_SNOWFLAKE
  authentication_type: SERVICE_ACCOUNT
`;

const TABLE = `guid: t0000000-0000-0000-0000-000000000001
table:
  name: dim_products
  db: PMMDB
  schema: RETAIL
  db_table: dim_products
  connection:
    name: Retail - Apparel
  columns:
  - name: productid
    db_column_name: productid
    properties:
      column_type: MEASURE
      aggregation: SUM
    db_column_properties:
      data_type: INT64
  - name: producttype
    db_column_name: producttype
    properties:
      column_type: ATTRIBUTE
    db_column_properties:
      data_type: VARCHAR
`;

const MODEL = `guid: m0000000-0000-0000-0000-000000000001
model:
  name: Sales Model
  model_tables:
  - name: dim_products
    alias: PRODUCTS
    fqn: t0000000-0000-0000-0000-000000000001
  formulas:
  - id: formula_count
    name: "# of Products"
    expr: "count ( [PRODUCTS::productid] )"
  columns:
  - name: Product Type
    column_id: PRODUCTS::producttype
    properties:
      column_type: ATTRIBUTE
  - name: "# of Products"
    formula_id: formula_count
    properties:
      column_type: MEASURE
      aggregation: SUM
`;

const ANSWER = `guid: a0000000-0000-0000-0000-000000000001
answer:
  name: Products by type
  tables:
  - id: Sales Model
    name: Sales Model
  search_query: "[Product Type] [# of Products]"
  chart:
    type: A_CHART_TYPE_FROM_THE_FUTURE
  display_mode: CHART_MODE
`;

const LIVEBOARD = `guid: l0000000-0000-0000-0000-000000000001
liveboard:
  name: Product Universe
  visualizations:
  - id: Viz_1
    answer:
      name: Products by type
      tables:
      - id: Sales Model
        name: Sales Model
      search_query: "[Product Type]"
      display_mode: TABLE_MODE
  - id: Viz_2
    note_tile:
      html_parsed_string: "<p>hello</p>"
  layout:
    tiles:
    - visualization_id: Viz_1
    - visualization_id: Viz_2
    tabs:
    - name: Tab 1
      tiles:
      - visualization_id: Viz_1
`;

const SET: Record<string, string> = {
  'retail.connection.tml': CONNECTION,
  'dim_products.table.tml': TABLE,
  'sales.model.tml': MODEL,
  'products.answer.tml': ANSWER,
  'universe.liveboard.tml': LIVEBOARD,
};

function docs(files: Record<string, string>): TmlDocument[] {
  return Object.entries(files).map(([file, text]) => parse(text, { file }));
}

/** The set with one file replaced by an edited copy. */
function edited(file: string, edit: (text: string) => string): TmlDocument[] {
  return docs({ ...SET, [file]: edit(SET[file]!) });
}

function summary(issues: TmlIssue[]): string[] {
  return issues.map((i) => `${i.severity} ${i.code}${i.tsCode ? ` ${i.tsCode}` : ''} ${i.file}:${i.line} ${i.path}`);
}

describe('validate on a consistent set', () => {
  it('finds nothing wrong (open chart types, note tiles and all)', () => {
    expect(validate(docs(SET))).toEqual([]);
  });
});

describe('validate: required fields', () => {
  it('reports a missing top-level field at the kind key line', () => {
    const issues = validate(edited('dim_products.table.tml', (t) => t.replace('  db: PMMDB\n', '')));
    expect(summary(issues)).toEqual(['error required-field dim_products.table.tml:2 table->db']);
    expect(issues[0]!.message).toBe('dim_products.table.tml:2: table "dim_products", table->db: required field "db" is missing');
  });

  it('reports a missing field of a list item at that item', () => {
    const issues = validate(edited('dim_products.table.tml', (t) => t.replace('    db_column_name: producttype\n', '')));
    expect(summary(issues)).toEqual(['error required-field dim_products.table.tml:17 table->columns(2nd)->db_column_name']);
  });

  it('reports an empty required value as empty', () => {
    const issues = validate(edited('products.answer.tml', (t) => t.replace('search_query: "[Product Type] [# of Products]"', 'search_query: ""')));
    expect(issues.map((i) => i.message)).toEqual(['products.answer.tml:7: answer "Products by type", answer->search_query: required field "search_query" is empty']);
  });

  it('checks the answers embedded in a liveboard as answers, with their full path', () => {
    const issues = validate(edited('universe.liveboard.tml', (t) => t.replace('      search_query: "[Product Type]"\n', '')));
    expect(summary(issues)).toEqual(['error required-field universe.liveboard.tml:6 liveboard->visualizations(1st)->answer->search_query']);
  });

  it('requires an answer on a visualization that is not a note tile', () => {
    const issues = validate(edited('universe.liveboard.tml', (t) => t.replace('    note_tile:\n      html_parsed_string: "<p>hello</p>"\n', '    viz_guid: v-2\n')));
    expect(summary(issues)).toEqual(['error required-field universe.liveboard.tml:13 liveboard->visualizations(2nd)->answer']);
  });

  it('accepts a worksheet in the schema: form without tables, not a classic one', () => {
    const schemaForm = parse('guid: w1\nworksheet:\n  name: W\n  schema:\n    tables:\n    - name: dim_products\n  worksheet_columns: []\n', { file: 'w1.tml' });
    const classic = parse('guid: w2\nworksheet:\n  name: W2\n  worksheet_columns: []\n', { file: 'w2.tml' });
    expect(summary(validate([...docs(SET), schemaForm, classic]))).toEqual(['error required-field w2.tml:2 worksheet->tables']);
  });

  it('names the connection field of the envelope-less form', () => {
    const bare = parse('name: Old connection\ntype: ""\n', { file: 'old.connection.tml' });
    expect(summary(validate([bare]))).toEqual(['error required-field old.connection.tml:2 connection->type']);
  });

  it('reports a field of the wrong shape', () => {
    const issues = validate(edited('products.answer.tml', (t) => t.replace(/ {2}tables:\n.*\n.*\n/, '  tables: Sales Model\n')));
    expect(summary(issues)).toEqual(['error invalid-type products.answer.tml:4 answer->tables']);
    expect(issues[0]!.message).toContain('"tables" must be a list, not the string "Sales Model"');
  });

  it('reports a name that is not a string', () => {
    const issues = validate(edited('dim_products.table.tml', (t) => t.replace('name: dim_products', 'name: 2024')));
    expect(summary(issues)).toContain('error invalid-type dim_products.table.tml:3 table->name');
  });
});

describe('validate: enum values', () => {
  it.each([
    ['a column type', 'dim_products.table.tml', 'column_type: ATTRIBUTE', 'column_type: DIMENSION', 'table->columns(2nd)->properties->column_type', 20],
    ['an aggregation', 'dim_products.table.tml', 'aggregation: SUM', 'aggregation: MEDIAN', 'table->columns(1st)->properties->aggregation', 14],
    ['a data type', 'dim_products.table.tml', 'data_type: VARCHAR', 'data_type: STRING', 'table->columns(2nd)->db_column_properties->data_type', 22],
    ['a display mode', 'products.answer.tml', 'display_mode: CHART_MODE', 'display_mode: GRAPH_MODE', 'answer->display_mode', 10],
  ])('rejects %s ThoughtSpot does not know (14528)', (_what, file, from, to, path, line) => {
    const issues = validate(edited(file, (t) => t.replace(from, to)));
    expect(summary(issues)).toEqual([`error invalid-enum 14528 ${file}:${line} ${path}`]);
    expect(issues[0]!.message).toContain(`invalid value "${to.split(': ')[1]}"; allowed values are`);
  });

  it('rejects a join type and a cardinality of a model join', () => {
    const join = '    joins:\n    - with: PRODUCTS\n      "on": "[SALES::productid] = [PRODUCTS::productid]"\n      type: FULL_OUTER\n      cardinality: SOME_TO_SOME\n';
    const issues = validate(edited('sales.model.tml', (t) => t.replace('  formulas:\n', `  - name: dim_products\n    alias: SALES\n    fqn: t0000000-0000-0000-0000-000000000001\n${join}  formulas:\n`)));
    expect(summary(issues)).toEqual([
      'error invalid-enum 14528 sales.model.tml:14 model->model_tables(2nd)->joins(1st)->type',
      'error invalid-enum 14528 sales.model.tml:15 model->model_tables(2nd)->joins(1st)->cardinality',
    ]);
    expect(issues[0]!.message).toContain('allowed values are INNER, LEFT_OUTER, OUTER, RIGHT_OUTER');
  });

  it('rejects a joins_with type on a table', () => {
    const issues = validate(edited('dim_products.table.tml', (t) => `${t}  joins_with:\n  - name: to_self\n    destination:\n      name: dim_products\n    "on": "[a::b] = [c::d]"\n    type: FULL_OUTER\n`));
    expect(summary(issues)).toEqual(['error invalid-enum 14528 dim_products.table.tml:28 table->joins_with(1st)->type']);
  });
});

describe('validate: references between objects', () => {
  it('reports a dangling reference by name (14502)', () => {
    const issues = validate(edited('products.answer.tml', (t) => t.replaceAll('Sales Model', 'Sales Modle')));
    expect(summary(issues)).toEqual(['error missing-reference 14502 products.answer.tml:6 answer->tables(1st)->name']);
    expect(issues[0]!.message).toBe(
      'products.answer.tml:6: answer "Products by type", answer->tables(1st)->name: referenced table, sql_view, view, worksheet or model "Sales Modle" not found among the documents or the known objects',
    );
  });

  it('reports a dangling fqn even when the name exists', () => {
    const issues = validate(edited('sales.model.tml', (t) => t.replace('fqn: t0000000-0000-0000-0000-000000000001', 'fqn: t9999999-0000-0000-0000-000000000001')));
    expect(summary(issues)).toEqual(['error missing-reference 14502 sales.model.tml:5 model->model_tables(1st)->name']);
    expect(issues[0]!.message).toContain('"dim_products" with fqn t9999999-0000-0000-0000-000000000001 not found');
  });

  it('resolves a reference by obj_id, in the set or among known objects', () => {
    const set = (objId: string): TmlDocument[] =>
      docs({
        'retail.connection.tml': CONNECTION,
        'dim_products.table.tml': `obj_id: dim-products\n${TABLE}`,
        'sales.model.tml': MODEL.replace('fqn: t0000000-0000-0000-0000-000000000001', `obj_id: ${objId}`),
      });
    expect(validate(set('dim-products'))).toEqual([]);
    expect(validate(set('dim-products-prod'), { known: [{ kind: 'table', name: 'x', guid: 'g', objId: 'dim-products-prod' }] })).toEqual([]);
    expect(summary(validate(set('nowhere')))).toEqual(['error missing-reference 14502 sales.model.tml:5 model->model_tables(1st)->name']);
  });

  it('does not take an object of the wrong kind for a reference', () => {
    const issues = validate(edited('products.answer.tml', (t) => t.replaceAll('Sales Model', 'Retail - Apparel')));
    expect(summary(issues)).toEqual(['error missing-reference 14502 products.answer.tml:6 answer->tables(1st)->name']);
  });

  it('resolves references to known objects outside the set, by name or by fqn', () => {
    const set = docs({ 'dim_products.table.tml': TABLE, 'sales.model.tml': MODEL.replace('fqn: t0000000-0000-0000-0000-000000000001', 'fqn: t-in-prod') });
    const known: KnownObject[] = [
      { kind: 'connection', name: 'Retail - Apparel', guid: 'c-prod' },
      { kind: 'table', name: 'dim_products (prod)', guid: 't-in-prod' },
    ];
    expect(validate(set, { known })).toEqual([]);
    expect(summary(validate(set))).toEqual([
      'error missing-reference 14502 dim_products.table.tml:8 table->connection->name',
      'error missing-reference 14502 sales.model.tml:5 model->model_tables(1st)->name',
    ]);
  });

  it('treats a known object with the GUID of a document as that document, not a rival', () => {
    const known: KnownObject[] = [{ kind: 'model', name: 'Sales Model', guid: 'm0000000-0000-0000-0000-000000000001' }];
    expect(validate(docs(SET), { known })).toEqual([]);
  });

  it('fails a reference to an ambiguous name and warns about the duplicate name', () => {
    const twin = parse(TABLE.replace('t0000000-0000-0000-0000-000000000001', 't0000000-0000-0000-0000-000000000002'), { file: 'twin.table.tml' });
    const set = [...edited('sales.model.tml', (t) => t.replace('    fqn: t0000000-0000-0000-0000-000000000001\n', '')), twin];
    const issues = validate(set);
    expect(summary(issues)).toEqual(['warning duplicate-name twin.table.tml:3 table->name', 'error ambiguous-reference sales.model.tml:5 model->model_tables(1st)->name']);
    expect(issues[1]!.message).toContain('referenced name "dim_products" is ambiguous, 2 objects match (table "dim_products" (dim_products.table.tml, guid t0000000-0000-0000-0000-000000000001); table "dim_products" (twin.table.tml');
  });

  it('lets an fqn settle a duplicate name', () => {
    const twin = parse(TABLE.replace('t0000000-0000-0000-0000-000000000001', 't0000000-0000-0000-0000-000000000002'), { file: 'twin.table.tml' });
    expect(summary(validate([...docs(SET), twin]))).toEqual(['warning duplicate-name twin.table.tml:3 table->name']);
  });

  it('finds a name duplicated between the set and the known objects ambiguous', () => {
    const known: KnownObject[] = [{ kind: 'worksheet', name: 'Sales Model', guid: 'w-prod' }];
    expect(summary(validate(docs(SET), { known }))).toEqual([
      'error ambiguous-reference products.answer.tml:6 answer->tables(1st)->name',
      'error ambiguous-reference universe.liveboard.tml:10 liveboard->visualizations(1st)->answer->tables(1st)->name',
    ]);
  });

  it('reports two files carrying one GUID', () => {
    const copy = parse(ANSWER.replace('name: Products by type', 'name: Copy'), { file: 'copy.answer.tml' });
    expect(summary(validate([...docs(SET), copy]))).toEqual(['error duplicate-guid copy.answer.tml:1 guid']);
  });
});

describe('validate: references inside a document', () => {
  it('rejects a column_id whose table is not in the model (14547)', () => {
    const issues = validate(edited('sales.model.tml', (t) => t.replace('column_id: PRODUCTS::producttype', 'column_id: PRODUCT::producttype')));
    expect(summary(issues)).toEqual(['error invalid-column-id 14547 sales.model.tml:14 model->columns(1st)->column_id']);
    expect(issues[0]!.message).toContain('names "PRODUCT", which is not a table, alias or table path of this model ("dim_products", "PRODUCTS")');
  });

  it('rejects a column_id that is not table-qualified', () => {
    const issues = validate(edited('sales.model.tml', (t) => t.replace('column_id: PRODUCTS::producttype', 'column_id: producttype')));
    expect(issues.map((i) => i.message)).toEqual([expect.stringContaining('column_id "producttype" is not of the form <table>::<column>')]);
  });

  it('rejects a formula_id that names no formula', () => {
    const issues = validate(edited('sales.model.tml', (t) => t.replace('formula_id: formula_count', 'formula_id: formula_sum')));
    expect(summary(issues)).toEqual(['error invalid-column-id 14547 sales.model.tml:18 model->columns(2nd)->formula_id']);
  });

  it('rejects a column with neither column_id nor formula_id', () => {
    const issues = validate(edited('sales.model.tml', (t) => t.replace('    formula_id: formula_count\n', '')));
    expect(summary(issues)).toEqual(['error required-field sales.model.tml:17 model->columns(2nd)']);
  });

  it('rejects a model join to an unknown table and a join without cardinality', () => {
    const join = '    joins:\n    - with: STORES\n      "on": "[PRODUCTS::productid] = [STORES::productid]"\n      type: INNER\n';
    const issues = validate(edited('sales.model.tml', (t) => t.replace('  formulas:\n', `${join}  formulas:\n`)));
    expect(summary(issues)).toEqual(['error unknown-local-id sales.model.tml:9 model->model_tables(1st)->joins(1st)->with', 'error required-field sales.model.tml:9 model->model_tables(1st)->joins(1st)']);
    expect(issues[1]!.message).toContain('a join with "on" needs both type and cardinality');
  });

  it('rejects layout tiles that name no visualization, on the board and in tabs', () => {
    const issues = validate(edited('universe.liveboard.tml', (t) => t.replace('    - visualization_id: Viz_2\n', '    - visualization_id: Viz_9\n').replace('      - visualization_id: Viz_1\n', '      - visualization_id: viz_1\n')));
    expect(summary(issues)).toEqual(['error unknown-local-id universe.liveboard.tml:19 liveboard->layout->tiles(2nd)->visualization_id', 'error unknown-local-id universe.liveboard.tml:23 liveboard->layout->tabs(1st)->tiles(1st)->visualization_id']);
    expect(issues[0]!.message).toContain('visualization_id "Viz_9" names no visualization of this liveboard ("Viz_1", "Viz_2")');
  });

  it('checks worksheet column ids against table paths and formulas by name', () => {
    const worksheet = `guid: w1
worksheet:
  name: W
  tables:
  - name: dim_products
  table_paths:
  - id: dim_products_1
    table: dim_products
    join_path:
    - {}
  formulas:
  - name: '# of Products'
    expr: "count ( [dim_products_1::productid] )"
  worksheet_columns:
  - name: Type
    column_id: dim_products_1::producttype
  - name: Count
    formula_id: '# of Products'
  - name: Broken
    column_id: dim_products_2::producttype
`;
    expect(summary(validate([...docs(SET), parse(worksheet, { file: 'w.worksheet.tml' })]))).toEqual(['error invalid-column-id 14547 w.worksheet.tml:20 worksheet->worksheet_columns(3rd)->column_id']);
  });
});

describe('validate reports everything at once', () => {
  it('lists every problem of every document, not the first', () => {
    const broken = docs({
      'a.answer.tml': 'guid: x1\nanswer:\n  tables:\n  - name: Nowhere\n  display_mode: WIDE\n',
      'b.table.tml': 'guid: x2\ntable:\n  name: t\n',
    });
    expect(summary(validate(broken))).toEqual([
      'error required-field a.answer.tml:2 answer->name',
      'error required-field a.answer.tml:2 answer->search_query',
      'error invalid-enum 14528 a.answer.tml:5 answer->display_mode',
      'error required-field b.table.tml:2 table->db',
      'error required-field b.table.tml:2 table->schema',
      'error required-field b.table.tml:2 table->db_table',
      'error required-field b.table.tml:2 table->columns',
      'error missing-reference 14502 a.answer.tml:4 answer->tables(1st)->name',
    ]);
    expect(validate(broken)[0]!.message).toBe('a.answer.tml:2: answer (unnamed), answer->name: required field "name" is missing');
  });
});

describe('Falcon tables (issue 18)', () => {
  const column = (extra: string) => `  - name: Name\n    db_column_name: name\n    properties:\n      column_type: ATTRIBUTE\n${extra}`;
  const falcon = (extra = '') => `guid: f1\ntable:\n  name: introspect_user\n  db: cs_tools\n  schema: falcon_default_schema\n  db_table: introspect_user\n  columns:\n${column(extra)}`;

  it('accepts a table without connection and without db_column_properties: it lives in Falcon', () => {
    expect(summary(validate(docs({ 'f.table.tml': falcon() })))).toEqual([]);
  });

  it('still checks the data type a Falcon table does give', () => {
    expect(summary(validate(docs({ 'f.table.tml': falcon('    db_column_properties:\n      data_type: TEXT\n') })))).toEqual([
      'error invalid-enum 14528 f.table.tml:13 table->columns(1st)->db_column_properties->data_type',
    ]);
  });

  it('requires db_column_properties of a table on a connection', () => {
    const connected = falcon().replace('  columns:\n', '  connection:\n    name: Conn\n  columns:\n');
    expect(summary(validate(docs({ 'c.table.tml': connected }), { known: [{ kind: 'connection', name: 'Conn', guid: 'c' }] }))).toEqual([
      'error required-field c.table.tml:10 table->columns(1st)->db_column_properties',
    ]);
  });
});
