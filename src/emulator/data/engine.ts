import { invalidQuery, type ParsedQuery, type QueryFilter } from './query.js';

export interface DataColumn {
  name: string;
  columnType: 'ATTRIBUTE' | 'MEASURE';
  /** TML aggregation of a measure: SUM (default), COUNT, COUNT_DISTINCT, AVERAGE, MIN, MAX, … */
  aggregation?: string;
  /** TML data type; DATE and DATE_TIME values are epoch seconds (reference §1.8). */
  dataType?: string;
}

/** One value of a row: dates are epoch seconds. */
export type Cell = string | number | boolean | null;

/** Rows are positional, aligned with `columns`. */
export interface Dataset {
  columns: DataColumn[];
  rows: Cell[][];
}

export interface Paging {
  batchsize: number;
  offset: number;
  pagenumber: number;
}

/** The v1 data envelope (reference §2.12); FULL rows are objects keyed by column name (a guess, flagged there). */
export interface DataBlock {
  columnNames: string[];
  data: Cell[][] | Record<string, Cell>[];
  samplingRatio: number;
  totalRowCount: number;
  rowCount: number;
  pageSize: number;
  offset: number;
}

/** cs_tools documents a hard cap of 100K rows per search call. */
export const MAX_PAGE_SIZE = 100_000;

/** Result column names as the UI shows them: SUM of Sales is "Total Sales" (reference §2.12). */
const MEASURE_PREFIX: Record<string, string> = {
  SUM: 'Total ', COUNT: 'Number of ', COUNT_DISTINCT: 'Unique Number of ', AVERAGE: 'Average ', MIN: 'Min ', MAX: 'Max ',
  STD_DEVIATION: 'Standard Deviation ', VARIANCE: 'Variance ', NONE: '',
};

export function resultName(column: DataColumn): string {
  if (column.columnType !== 'MEASURE') return column.name;
  return `${MEASURE_PREFIX[column.aggregation ?? 'SUM'] ?? ''}${column.name}`;
}

function aggregate(values: Cell[], aggregation: string): Cell {
  const numbers = values.filter((v): v is number => typeof v === 'number');
  switch (aggregation) {
    case 'COUNT':
      return values.filter((v) => v !== null && v !== undefined).length;
    case 'COUNT_DISTINCT':
      return new Set(values).size;
    case 'AVERAGE':
      return numbers.length ? numbers.reduce((a, b) => a + b, 0) / numbers.length : null;
    case 'MIN':
      return numbers.length ? Math.min(...numbers) : null;
    case 'MAX':
      return numbers.length ? Math.max(...numbers) : null;
    case 'NONE':
      return values[0] ?? null;
    default:
      return numbers.reduce((a, b) => a + b, 0);
  }
}

/** Coarse date buckets on epoch seconds; unknown buckets leave the value alone. */
function bucketed(value: Cell, bucket: string | undefined): Cell {
  if (!bucket || typeof value !== 'number') return value;
  const d = new Date(value * 1000);
  const at = (y: number, m: number, day = 1) => Date.UTC(y, m, day) / 1000;
  switch (bucket) {
    case 'daily':
      return at(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
    case 'weekly':
      return at(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - d.getUTCDay());
    case 'monthly':
      return at(d.getUTCFullYear(), d.getUTCMonth());
    case 'quarterly':
      return at(d.getUTCFullYear(), Math.floor(d.getUTCMonth() / 3) * 3);
    case 'yearly':
      return at(d.getUTCFullYear(), 0);
    default:
      return value;
  }
}

function matches(value: Cell, filter: QueryFilter): boolean {
  const text = String(value ?? '').toLowerCase();
  return filter.values.some((wanted) => {
    const w = typeof wanted === 'string' ? wanted.toLowerCase() : wanted;
    switch (filter.operator) {
      case '=':
        return typeof w === 'number' ? value === w : text === w;
      case '!=':
        return typeof w === 'number' ? value !== w : text !== w;
      case '>':
        return value !== null && value > w;
      case '>=':
        return value !== null && value >= w;
      case '<':
        return value !== null && value < w;
      case '<=':
        return value !== null && value <= w;
      case 'contains':
        return text.includes(String(w));
      case 'not contains':
        return !text.includes(String(w));
      case 'begins with':
        return text.startsWith(String(w));
      case 'ends with':
        return text.endsWith(String(w));
    }
  });
}

function compare(a: Cell | undefined, b: Cell | undefined): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (a === null || a === undefined) return b === null || b === undefined ? 0 : -1;
  if (b === null || b === undefined) return 1;
  return String(a).localeCompare(String(b));
}

/**
 * Runs a parsed query: attribute filters before grouping, measure filters
 * after (as ThoughtSpot filters aggregates); attributes group, measures
 * aggregate with their own aggregation; then sort, top/bottom, paging.
 */
export function runQuery(dataset: Dataset, query: ParsedQuery, paging: Paging, format: 'COMPACT' | 'FULL'): DataBlock {
  const index = new Map(dataset.columns.map((c, i) => [c.name.toLowerCase(), i]));
  const find = (name: string) => {
    const i = index.get(name.toLowerCase());
    if (i === undefined) throw invalidQuery(`Search did not find [${name}]`);
    return i;
  };
  if (query.columns.length === 0) throw invalidQuery('no [column] to show');
  const selected = query.columns.map((c) => ({ index: find(c.name), bucket: c.bucket }));
  const isMeasure = (i: number) => dataset.columns[i]!.columnType === 'MEASURE';
  const cell = (row: Cell[], i: number): Cell => row[i] ?? null;
  const filters = query.filters.map((f) => ({ filter: f, index: find(f.column) }));

  let rows = dataset.rows.filter((row) => filters.every(({ filter, index: i }) => isMeasure(i) || matches(cell(row, i), filter)));
  const keys = selected.filter((s) => !isMeasure(s.index));
  const measures = selected.filter((s) => isMeasure(s.index));
  const groups = new Map<string, Cell[][]>();
  for (const row of rows) {
    const key = JSON.stringify(keys.map((k) => bucketed(cell(row, k.index), k.bucket)));
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  if (keys.length === 0 && groups.size === 0) groups.set('[]', []);
  let result = [...groups.entries()].map(([key, members]) => {
    const keyValues = JSON.parse(key) as Cell[];
    return selected.map((s) =>
      isMeasure(s.index)
        ? aggregate(members.map((m) => cell(m, s.index)), dataset.columns[s.index]!.aggregation ?? 'SUM')
        : (keyValues[keys.indexOf(s)] ?? null),
    );
  });
  for (const { filter, index: i } of filters.filter((f) => isMeasure(f.index))) {
    const at = selected.findIndex((s) => s.index === i);
    if (at >= 0) result = result.filter((row) => matches(cell(row, at), filter));
  }
  rows = result;

  if (query.sort) {
    const at = selected.findIndex((s) => s.index === find(query.sort!.column));
    if (at < 0) throw invalidQuery(`sort by [${query.sort.column}] needs that column in the query`);
    const sign = query.sort.descending ? -1 : 1;
    rows.sort((a, b) => sign * compare(a[at], b[at]));
  } else if (query.limit && measures.length > 0) {
    const at = selected.indexOf(measures[0]!);
    rows.sort((a, b) => (query.limit!.from === 'top' ? -1 : 1) * compare(a[at], b[at]));
  } else {
    rows.sort((a, b) => {
      for (const k of keys) {
        const at = selected.indexOf(k);
        const c = compare(a[at], b[at]);
        if (c !== 0) return c;
      }
      return 0;
    });
  }
  if (query.limit) rows = rows.slice(0, query.limit.count);

  const pageSize = paging.batchsize > 0 ? Math.min(paging.batchsize, MAX_PAGE_SIZE) : MAX_PAGE_SIZE;
  const offset = paging.pagenumber > 0 ? (paging.pagenumber - 1) * pageSize : Math.max(0, paging.offset);
  const page = rows.slice(offset, offset + pageSize);
  const columnNames = selected.map((s) => resultName(dataset.columns[s.index]!));
  return {
    columnNames,
    data: format === 'FULL' ? page.map((row) => Object.fromEntries(columnNames.map((n, i) => [n, cell(row, i)]))) : page,
    samplingRatio: 1,
    totalRowCount: rows.length,
    rowCount: page.length,
    pageSize,
    offset,
  };
}
