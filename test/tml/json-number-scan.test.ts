import { describe, expect, it } from 'vitest';
import { mayHoldWrittenNumbers } from '../../src/tml/numbers.js';
import { format, parse } from '../../src/tml/index.js';

describe('which JSON edocs need the lossless reader', () => {
  it.each([
    ['a float written with a trailing zero', '{"decimals": 0.0}'],
    ['an exponent', '{"a": [1, 1e3]}'],
    ['minus zero', '{"a":-0}'],
    ['more digits than a double keeps', '{"id": 12345678901234567}'],
    ['a small value JavaScript writes with an exponent', '{"a": 0.0000001}'],
    ['a number as the whole document', '  2.50'],
  ])('%s: yes', (_, json) => {
    expect(mayHoldWrittenNumbers(json)).toBe(true);
  });

  it.each([
    // Nearly every GUID holds an `e` followed by a digit: the reason for looking at values only.
    ['GUIDs holding e and digits', '{"guid": "cfc005be-8bae-41a7-97b6-170190f342ec", "name": "1e3 0.0 -0"}'],
    ['numbers JavaScript writes as they are', '{"a": 1, "b": [2, 3.5, -4], "c": {"d": 10.25}}'],
    ['no numbers', '{"answer": {"name": "x", "tables": []}}'],
  ])('%s: no', (_, json) => {
    expect(mayHoldWrittenNumbers(json)).toBe(false);
  });

  it('a document read the fast way and one read the lossless way format alike where their numbers agree', () => {
    const guid = 'cfc005be-8bae-41a7-97b6-170190f342ec';
    const fast = parse(JSON.stringify({ guid, answer: { name: 'A', display_mode: 'TABLE_MODE', table: { ordered_column_ids: ['x'], table_columns: [{ column_id: 'x', show_headline: false }] } } }), { file: 'a.answer.tml' });
    expect(format(fast.data)).toContain(`guid: ${guid}`);
    const lossless = parse(`{"guid": "${guid}", "table": {"name": "t", "columns": [{"name": "c", "properties": {"index_priority": 5.0}}]}}`, { file: 't.table.tml' });
    expect(format(lossless.data)).toContain('index_priority: 5.0');
  });
});
