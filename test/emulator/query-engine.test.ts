import { describe, expect, it } from 'vitest';
import { runQuery, type Dataset } from '../../src/emulator/data/engine.js';
import { parseQuery } from '../../src/emulator/data/query.js';
import { V1Error } from '../../src/emulator/errors.js';

const sales: Dataset = {
  columns: [
    { name: 'Region', columnType: 'ATTRIBUTE', dataType: 'VARCHAR' },
    { name: 'Product', columnType: 'ATTRIBUTE', dataType: 'VARCHAR' },
    { name: 'Sales', columnType: 'MEASURE', aggregation: 'SUM', dataType: 'DOUBLE' },
    { name: 'Customer', columnType: 'MEASURE', aggregation: 'COUNT_DISTINCT', dataType: 'VARCHAR' },
    { name: 'Order Date', columnType: 'ATTRIBUTE', dataType: 'DATE' },
  ],
  rows: [
    ['west', 'jackets', 100, 'c1', Date.UTC(2024, 0, 5) / 1000],
    ['west', 'shoes', 50, 'c2', Date.UTC(2024, 0, 20) / 1000],
    ['east', 'jackets', 70, 'c1', Date.UTC(2024, 1, 3) / 1000],
    ['midwest', 'hats', 10, 'c3', Date.UTC(2024, 1, 9) / 1000],
    ['east', 'hats', 5, 'c3', Date.UTC(2024, 2, 1) / 1000],
  ],
};
const all = { batchsize: -1, offset: -1, pagenumber: -1 };
const run = (q: string, paging = all, format: 'COMPACT' | 'FULL' = 'COMPACT') => runQuery(sales, parseQuery(q), paging, format);

describe('search query engine', () => {
  it('groups by attributes and names aggregated measures as the UI does', () => {
    const block = run('[Region] [Sales] [Customer]');
    expect(block.columnNames).toEqual(['Region', 'Total Sales', 'Unique Number of Customer']);
    expect(block.data).toEqual([['east', 75, 2], ['midwest', 10, 1], ['west', 150, 2]]);
    expect(block).toMatchObject({ samplingRatio: 1, totalRowCount: 3, rowCount: 3, pageSize: 100000, offset: 0 });
  });

  it('filters attributes, with several values meaning any of them, case-insensitively', () => {
    expect(run("[Product] [Sales] [Region] = 'WEST'").data).toEqual([['jackets', 100], ['shoes', 50]]);
    expect(run("[Region] [Sales] [Product] = 'hats' , 'shoes'").data).toEqual([['east', 5], ['midwest', 10], ['west', 50]]);
    expect(run("[Region] [Sales] [Product] contains 'ack'").data).toEqual([['east', 70], ['west', 100]]);
  });

  it('filters measures after aggregation', () => {
    expect(run('[Region] [Sales] [Sales] > 60').data).toEqual([['east', 75], ['west', 150]]);
  });

  it('takes top N by the first measure, and sorts by a column', () => {
    expect(run('[Region] [Sales] top 1').data).toEqual([['west', 150]]);
    expect(run('[Region] [Sales] bottom 1').data).toEqual([['midwest', 10]]);
    expect(run('[Product] [Sales] sort by [Sales] descending').data).toEqual([['jackets', 170], ['shoes', 50], ['hats', 15]]);
  });

  it('buckets dates', () => {
    const block = run('[Order Date].monthly [Sales]');
    expect(block.data).toEqual([[Date.UTC(2024, 0, 1) / 1000, 150], [Date.UTC(2024, 1, 1) / 1000, 80], [Date.UTC(2024, 2, 1) / 1000, 5]]);
  });

  it('pages with batchsize and pagenumber or offset', () => {
    expect(run('[Region] [Product]', { batchsize: 2, offset: -1, pagenumber: 2 })).toMatchObject({ rowCount: 2, totalRowCount: 5, pageSize: 2, offset: 2 });
    expect(run('[Region] [Product]', { batchsize: 2, offset: 4, pagenumber: -1 })).toMatchObject({ rowCount: 1, offset: 4 });
  });

  it('answers FULL rows as objects keyed by column name', () => {
    expect(run("[Region] [Sales] [Region] = 'east'", all, 'FULL').data).toEqual([{ Region: 'east', 'Total Sales': 75 }]);
  });

  it('rejects an unknown column with a 400 naming it', () => {
    expect(() => run('[Region] [Profit]')).toThrow(V1Error);
    expect(() => run('[Region] [Profit]')).toThrow('[Profit]');
    expect(() => run('[Region')).toThrow('unclosed');
  });

  it('answers one row for measures alone, even with no matching rows', () => {
    expect(run('[Sales]').data).toEqual([[235]]);
    expect(run("[Sales] [Region] = 'north'").data).toEqual([[0]]);
  });
});
