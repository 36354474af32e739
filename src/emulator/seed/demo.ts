/**
 * The demo content (`--seed demo`): a small retail warehouse in the shapes
 * ThoughtSpot exports (reference §3.7): one connection, four joined tables
 * with rows, a worksheet, a model, a view, an SQL view, six answers and three
 * liveboards (the first with nine visualizations, filters and tabs), plus
 * users and groups with privileges. Loaded through the import path, so the
 * seed is also a test of it.
 */

export const DEMO_GUIDS = {
  connection: '85bb45ae-76b8-4455-a64d-204a9bef6d06',
  factSales: 'a5b6a32b-4cb4-4c51-b180-46ba491596bd',
  products: 'ff9fbd4a-6909-4907-b750-9a9ad155e7a3',
  stores: 'd5f88d92-c3f7-47c9-b7f0-fba0c9db8ece',
  customers: 'a1b2aa74-5e66-49c3-b8d7-81a6cb292ec8',
  worksheet: 'dc8465eb-6e66-4674-9d77-f9293d17b298',
  model: '1bb74611-b085-4ab0-a57a-ef0bdbba6d6e',
  view: '88225edf-f0de-40ff-ac5a-85b3bc5ab173',
  sqlView: '4fe9a405-6009-4d32-9f5a-4489500b178f',
  answers: [
    '6d4056ed-a2fb-440b-8227-4dfad7cc6b2f', '0e15105c-2a58-486f-9b6f-45006616fe44', '981db8f1-e60f-4db1-bd4f-87ab1daa11ae',
    '32fbc443-1de6-4fa8-a651-5dceab4739d9', '8b34081f-2218-4f21-b56a-433ba25c621a', '1daeb947-2637-4976-beb2-48e46b2d289b',
  ],
  liveboards: ['b5bd617f-0d23-49ec-9485-bfad5d3ddf84', '21e690cc-1b74-478e-ba78-1ecb9a23cc2b', 'f41aaf1a-fa7c-4cf3-8db4-e983afb5962d'],
} as const;

const CONNECTION = 'Retail Warehouse';
const DB = 'RETAIL';
const SCHEMA = 'PUBLIC';
const MODEL = 'Retail Sales';

type Column = [name: string, dataType: string, type: 'ATTRIBUTE' | 'MEASURE', aggregation?: string];

const TABLES: Record<string, { guid: string; columns: Column[]; joins?: [string, string][] }> = {
  fact_sales: {
    guid: DEMO_GUIDS.factSales,
    columns: [
      ['sale_id', 'INT64', 'ATTRIBUTE'], ['product_id', 'INT64', 'ATTRIBUTE'], ['store_id', 'INT64', 'ATTRIBUTE'],
      ['customer_id', 'INT64', 'ATTRIBUTE'], ['sale_date', 'DATE', 'ATTRIBUTE'], ['quantity', 'INT64', 'MEASURE', 'SUM'],
      ['amount', 'DOUBLE', 'MEASURE', 'SUM'],
    ],
    joins: [['dim_products', 'product_id'], ['dim_stores', 'store_id'], ['dim_customers', 'customer_id']],
  },
  dim_products: {
    guid: DEMO_GUIDS.products,
    columns: [['product_id', 'INT64', 'ATTRIBUTE'], ['product_name', 'VARCHAR', 'ATTRIBUTE'], ['category', 'VARCHAR', 'ATTRIBUTE'], ['unit_price', 'DOUBLE', 'MEASURE', 'AVERAGE']],
  },
  dim_stores: {
    guid: DEMO_GUIDS.stores,
    columns: [['store_id', 'INT64', 'ATTRIBUTE'], ['store_name', 'VARCHAR', 'ATTRIBUTE'], ['city', 'VARCHAR', 'ATTRIBUTE'], ['state', 'VARCHAR', 'ATTRIBUTE'], ['region', 'VARCHAR', 'ATTRIBUTE']],
  },
  dim_customers: {
    guid: DEMO_GUIDS.customers,
    columns: [['customer_id', 'INT64', 'ATTRIBUTE'], ['customer_name', 'VARCHAR', 'ATTRIBUTE'], ['segment', 'VARCHAR', 'ATTRIBUTE']],
  },
};

/** Model columns: [display name, table, column, type, aggregation?]. */
const MODEL_COLUMNS: [string, string, string, 'ATTRIBUTE' | 'MEASURE', string?][] = [
  ['Product', 'dim_products', 'product_name', 'ATTRIBUTE'],
  ['Category', 'dim_products', 'category', 'ATTRIBUTE'],
  ['Store', 'dim_stores', 'store_name', 'ATTRIBUTE'],
  ['City', 'dim_stores', 'city', 'ATTRIBUTE'],
  ['State', 'dim_stores', 'state', 'ATTRIBUTE'],
  ['Region', 'dim_stores', 'region', 'ATTRIBUTE'],
  ['Customer', 'dim_customers', 'customer_name', 'ATTRIBUTE'],
  ['Segment', 'dim_customers', 'segment', 'ATTRIBUTE'],
  ['Sale Date', 'fact_sales', 'sale_date', 'ATTRIBUTE'],
  ['Quantity', 'fact_sales', 'quantity', 'MEASURE', 'SUM'],
  ['Sales', 'fact_sales', 'amount', 'MEASURE', 'SUM'],
];

function connection(): Record<string, unknown> {
  return {
    guid: DEMO_GUIDS.connection,
    connection: {
      name: CONNECTION,
      type: 'RDBMS_SNOWFLAKE',
      authentication_type: 'SERVICE_ACCOUNT',
      properties: [
        { key: 'accountName', value: 'retail_demo' },
        { key: 'user', value: 'TS_SERVICE' },
        { key: 'password', value: '' },
        { key: 'role', value: 'TS_READER' },
        { key: 'warehouse', value: 'DEMO_WH' },
        { key: 'database', value: DB },
      ],
      table: Object.entries(TABLES).map(([name, t]) => ({
        name,
        id: t.guid,
        external_table: { db_name: DB, schema_name: SCHEMA, table_name: name },
        column: t.columns.map(([column, dataType]) => ({ name: column, data_type: dataType, external_column: column })),
      })),
      description: 'Demo retail warehouse',
    },
  };
}

function table(name: string): Record<string, unknown> {
  const t = TABLES[name]!;
  return {
    guid: t.guid,
    table: {
      name,
      db: DB,
      schema: SCHEMA,
      db_table: name,
      connection: { name: CONNECTION },
      columns: t.columns.map(([column, dataType, type, aggregation]) => ({
        name: column,
        db_column_name: column,
        properties: { column_type: type, ...(aggregation ? { aggregation } : {}), ...(type === 'MEASURE' ? { index_type: 'DONT_INDEX' } : {}) },
        db_column_properties: { data_type: dataType },
      })),
      ...(t.joins
        ? {
            joins_with: t.joins.map(([target, key]) => ({
              name: `${name}_to_${target}`,
              destination: { name: target },
              on: `[${name}::${key}] = [${target}::${key}]`,
              type: 'INNER',
              is_one_to_one: false,
            })),
          }
        : {}),
    },
  };
}

function worksheet(): Record<string, unknown> {
  const dims = ['dim_products', 'dim_stores', 'dim_customers'];
  return {
    guid: DEMO_GUIDS.worksheet,
    worksheet: {
      name: 'Retail Sales Worksheet',
      description: 'Sales with products, stores and customers (worksheet form).',
      tables: Object.keys(TABLES).map((name) => ({ name })),
      joins: dims.map((dim) => ({ name: `fact_sales_to_${dim}`, source: 'fact_sales', destination: dim, type: 'INNER', is_one_to_one: false })),
      table_paths: Object.keys(TABLES).map((name) => ({
        id: `${name}_1`,
        table: name,
        join_path: name === 'fact_sales' ? [{}] : [{ join: [`fact_sales_to_${name}`] }],
      })),
      worksheet_columns: MODEL_COLUMNS.map(([display, tableName, column, type, aggregation]) => ({
        name: display,
        column_id: `${tableName}_1::${column}`,
        properties: { column_type: type, ...(aggregation ? { aggregation } : {}) },
      })),
      properties: { is_bypass_rls: false, join_progressive: true },
    },
  };
}

function model(): Record<string, unknown> {
  return {
    guid: DEMO_GUIDS.model,
    model: {
      name: MODEL,
      description: 'Retail sales as a model.',
      model_tables: [
        {
          name: 'fact_sales',
          fqn: DEMO_GUIDS.factSales,
          joins: TABLES.fact_sales!.joins!.map(([dim, key]) => ({
            with: dim,
            on: `[fact_sales::${key}] = [${dim}::${key}]`,
            type: 'INNER',
            cardinality: 'MANY_TO_ONE',
          })),
        },
        { name: 'dim_products', fqn: DEMO_GUIDS.products },
        { name: 'dim_stores', fqn: DEMO_GUIDS.stores },
        { name: 'dim_customers', fqn: DEMO_GUIDS.customers },
      ],
      formulas: [{ id: 'formula_Revenue per Unit', name: 'Revenue per Unit', expr: 'sum ( [fact_sales::amount] ) / sum ( [fact_sales::quantity] )' }],
      columns: [
        ...MODEL_COLUMNS.map(([display, tableName, column, type, aggregation]) => ({
          name: display,
          column_id: `${tableName}::${column}`,
          properties: { column_type: type, ...(aggregation ? { aggregation } : {}) },
        })),
        { name: 'Revenue per Unit', formula_id: 'formula_Revenue per Unit', properties: { column_type: 'MEASURE', aggregation: 'SUM', index_type: 'DONT_INDEX' } },
      ],
      properties: { is_bypass_rls: false, join_progressive: true },
    },
  };
}

function view(): Record<string, unknown> {
  return {
    guid: DEMO_GUIDS.view,
    view: {
      name: 'Regional Sales View',
      tables: [{ id: MODEL, name: MODEL, fqn: DEMO_GUIDS.model }],
      search_query: '[Region] [Sales]',
      view_columns: [
        { name: 'Region', search_output_column: 'Region', properties: { column_type: 'ATTRIBUTE' } },
        { name: 'Total Sales', search_output_column: 'Total Sales', properties: { column_type: 'MEASURE', aggregation: 'SUM' } },
      ],
    },
  };
}

function sqlView(): Record<string, unknown> {
  return {
    guid: DEMO_GUIDS.sqlView,
    sql_view: {
      name: 'Top Products SQL',
      connection: { name: CONNECTION, fqn: DEMO_GUIDS.connection },
      sql_query: `SELECT p.product_name, SUM(s.amount) AS total_amount\nFROM ${DB}.${SCHEMA}.fact_sales s\nJOIN ${DB}.${SCHEMA}.dim_products p ON s.product_id = p.product_id\nGROUP BY 1`,
      sql_view_columns: [
        { name: 'product_name', sql_output_column: 'product_name', properties: { column_type: 'ATTRIBUTE' } },
        { name: 'total_amount', sql_output_column: 'total_amount', properties: { column_type: 'MEASURE', aggregation: 'SUM' } },
      ],
    },
  };
}

interface AnswerSpec {
  name: string;
  query: string;
  columns: string[];
  chart?: string;
}

const ANSWERS: AnswerSpec[] = [
  { name: 'Sales by Region', query: '[Region] [Sales]', columns: ['Region', 'Total Sales'], chart: 'COLUMN' },
  { name: 'Sales by Category', query: '[Category] [Sales]', columns: ['Category', 'Total Sales'], chart: 'PIE' },
  { name: 'Monthly Sales', query: '[Sale Date].monthly [Sales]', columns: ['Month(Sale Date)', 'Total Sales'], chart: 'LINE' },
  { name: 'Top 10 Products', query: '[Product] [Sales] top 10', columns: ['Product', 'Total Sales'] },
  { name: 'Quantity by State', query: '[State] [Quantity]', columns: ['State', 'Total Quantity'], chart: 'BAR' },
  { name: 'Sales by Segment', query: '[Segment] [Sales] [Quantity]', columns: ['Segment', 'Total Sales', 'Total Quantity'] },
];

const EXTRA_VIZZES: AnswerSpec[] = [
  { name: 'Total Sales', query: '[Sales]', columns: ['Total Sales'], chart: 'KPI' },
  { name: 'Units Sold', query: '[Quantity]', columns: ['Total Quantity'], chart: 'KPI' },
  { name: 'Sales by Store', query: '[Store] [Sales]', columns: ['Store', 'Total Sales'], chart: 'BAR' },
];

function answerBody(spec: AnswerSpec): Record<string, unknown> {
  const [first, ...rest] = spec.columns;
  return {
    name: spec.name,
    tables: [{ id: MODEL, name: MODEL, fqn: DEMO_GUIDS.model }],
    search_query: spec.query,
    answer_columns: spec.columns.map((name) => ({ name })),
    table: {
      table_columns: spec.columns.map((column_id) => ({ column_id, headline_aggregation: column_id.startsWith('Total') ? 'SUM' : 'COUNT_DISTINCT' })),
      ordered_column_ids: spec.columns,
      client_state: '',
      client_state_v2: '{"tableVizPropVersion": "V1"}',
    },
    ...(spec.chart
      ? {
          chart: {
            type: spec.chart,
            chart_columns: spec.columns.map((column_id) => ({ column_id })),
            axis_configs: [spec.chart === 'KPI' || rest.length === 0 ? { y: [first] } : { x: [first], y: rest }],
            client_state: '',
          },
        }
      : {}),
    display_mode: spec.chart ? 'CHART_MODE' : 'TABLE_MODE',
  };
}

function answer(spec: AnswerSpec, guid: string): Record<string, unknown> {
  return { guid, answer: answerBody(spec) };
}

/** Deterministic viz GUIDs: a liveboard's GUID with its last 4 hex digits replaced by the viz number. */
function vizGuid(liveboard: string, n: number): string {
  return `${liveboard.slice(0, -4)}${n.toString(16).padStart(4, '0')}`;
}

function liveboard(guid: string, name: string, specs: AnswerSpec[], extras: Record<string, unknown> = {}): Record<string, unknown> {
  const ids = specs.map((_, i) => `Viz_${i + 1}`);
  const tile = (id: string, i: number) => ({ visualization_id: id, x: (i % 2) * 6, y: Math.floor(i / 2) * 4, height: 4, width: 6 });
  return {
    guid,
    liveboard: {
      name,
      visualizations: specs.map((spec, i) => ({ id: ids[i], answer: answerBody(spec), viz_guid: vizGuid(guid, i + 1) })),
      ...extras,
      layout: { tiles: ids.map(tile) },
    },
  };
}

function retailOverview(): Record<string, unknown> {
  const specs = [...EXTRA_VIZZES.slice(0, 2), ...ANSWERS, EXTRA_VIZZES[2]!];
  const board = liveboard(DEMO_GUIDS.liveboards[0], 'Retail Overview', specs, {
    filters: [
      { column: ['Region'], oper: 'in', values: ['West', 'East', 'Central', 'South'], is_mandatory: false, is_single_value: false },
      { column: ['Category'], oper: 'in', values: ['Outerwear', 'Footwear'], is_mandatory: false, is_single_value: false },
    ],
  });
  const body = board.liveboard as { layout: { tiles: unknown[]; tabs?: unknown[] } };
  const tiles = body.layout.tiles;
  body.layout = { tiles, tabs: [{ name: 'Overview', description: 'Headline numbers', tiles: tiles.slice(0, 4) }, { name: 'Details', description: 'Breakdowns', tiles: tiles.slice(4) }] };
  return board;
}

/** Every demo document, in dependency order. */
export function demoDocuments(): Record<string, unknown>[] {
  return [
    connection(),
    ...Object.keys(TABLES).map(table),
    worksheet(),
    model(),
    view(),
    sqlView(),
    ...ANSWERS.map((spec, i) => answer(spec, DEMO_GUIDS.answers[i]!)),
    retailOverview(),
    liveboard(DEMO_GUIDS.liveboards[1], 'Store Performance', [EXTRA_VIZZES[2]!, ANSWERS[0]!, ANSWERS[4]!]),
    liveboard(DEMO_GUIDS.liveboards[2], 'Product Insights', [ANSWERS[1]!, ANSWERS[3]!, ANSWERS[2]!]),
  ];
}

/** Demo users and groups, in `user/sync` form (the password is the emulator's documented demo one). */
export const DEMO_PRINCIPALS = {
  groups: [
    { name: 'Data Engineers', displayName: 'Data Engineers', principalTypeEnum: 'LOCAL_GROUP', groupNames: [], privileges: ['DATAMANAGEMENT', 'USERDATAUPLOADING'] },
    { name: 'Analysts', displayName: 'Analysts', principalTypeEnum: 'LOCAL_GROUP', groupNames: [], privileges: ['DATADOWNLOADING'] },
    { name: 'Executives', displayName: 'Executives', principalTypeEnum: 'LOCAL_GROUP', groupNames: ['Analysts'], privileges: [] },
  ],
  users: [
    { name: 'dana.engineer', displayName: 'Dana Engineer', mail: 'dana.engineer@example.com', groupNames: ['Data Engineers'] },
    { name: 'alex.analyst', displayName: 'Alex Analyst', mail: 'alex.analyst@example.com', groupNames: ['Analysts'] },
    { name: 'erin.exec', displayName: 'Erin Executive', mail: 'erin.exec@example.com', groupNames: ['Executives'] },
  ],
  password: 'demo-password',
};

/** A small deterministic PRNG (mulberry32), so that the demo rows are the same everywhere. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PRODUCTS: [string, string, number][] = [
  ['Trail Jacket', 'Outerwear', 129], ['Rain Shell', 'Outerwear', 89], ['Down Parka', 'Outerwear', 249], ['Running Shoe', 'Footwear', 119],
  ['Hiking Boot', 'Footwear', 159], ['Sandal', 'Footwear', 39], ['Wool Beanie', 'Accessories', 25], ['Leather Belt', 'Accessories', 45],
  ['Backpack 30L', 'Accessories', 99], ['Base Layer', 'Apparel', 59], ['Fleece Pullover', 'Apparel', 79], ['Cargo Pants', 'Apparel', 69],
];
const STORES: [string, string, string, string][] = [
  ['Downtown Seattle', 'Seattle', 'WA', 'West'], ['Portland Pearl', 'Portland', 'OR', 'West'], ['SF Union Square', 'San Francisco', 'CA', 'West'],
  ['Chicago Loop', 'Chicago', 'IL', 'Central'], ['Denver LoDo', 'Denver', 'CO', 'Central'], ['Austin Congress', 'Austin', 'TX', 'South'],
  ['Atlanta Midtown', 'Atlanta', 'GA', 'South'], ['Boston Back Bay', 'Boston', 'MA', 'East'], ['NYC SoHo', 'New York', 'NY', 'East'],
];
const SEGMENTS = ['Consumer', 'Corporate', 'Small Business'];
const FIRST = ['Ada', 'Ben', 'Cleo', 'Dev', 'Eva', 'Finn', 'Gia', 'Hugo', 'Iris', 'Jon'];
const LAST = ['Park', 'Ng', 'Silva', 'Okafor', 'Berg', 'Moreau', 'Kato', 'Rossi'];

/** The rows of each demo table, positional in the table's column order (dates as epoch seconds). */
export function demoRows(): Map<string, (string | number)[][]> {
  const random = prng(20261128);
  const customers = Array.from({ length: 40 }, (_, i) => [i + 1, `${FIRST[i % FIRST.length]} ${LAST[(i * 7) % LAST.length]}`, SEGMENTS[i % 3]!]);
  const start = Date.UTC(2025, 0, 1) / 1000;
  const sales = Array.from({ length: 600 }, (_, i) => {
    const product = Math.floor(random() * PRODUCTS.length);
    const quantity = 1 + Math.floor(random() * 5);
    const day = Math.floor(random() * 365);
    return [i + 1, product + 1, 1 + Math.floor(random() * STORES.length), 1 + Math.floor(random() * customers.length), start + day * 86400, quantity, quantity * PRODUCTS[product]![2]];
  });
  return new Map<string, (string | number)[][]>([
    ['fact_sales', sales],
    ['dim_products', PRODUCTS.map(([name, category, price], i) => [i + 1, name, category, price])],
    ['dim_stores', STORES.map((store, i) => [i + 1, ...store])],
    ['dim_customers', customers],
  ]);
}
