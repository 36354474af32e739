import { describe, expect, it } from 'vitest';
import { TmlParseError, format, formatPath, fromData, parse } from '../../src/tml/index.js';

const ANSWER = `guid: 11111111-1111-1111-1111-111111111111
answer:
  name: Sales by type
  tables:
  - id: Sales Model
    name: Sales Model
  search_query: "[Product Type] [Sales]"
  chart:
    axis_configs:
    - x:
      - Product Type
      "y":
      - Sales
`;

function parseError(text: string, file?: string): TmlParseError {
  try {
    parse(text, file === undefined ? {} : { file });
  } catch (error) {
    if (error instanceof TmlParseError) return error;
    throw error;
  }
  throw new Error('parsed without error');
}

describe('parse', () => {
  it('reads the envelope: identity, kind, name and body', () => {
    const doc = parse(ANSWER, { file: 'a.answer.tml' });
    expect(doc).toMatchObject({ kind: 'answer', kindKey: 'answer', guid: '11111111-1111-1111-1111-111111111111', name: 'Sales by type', format: 'yaml', file: 'a.answer.tml' });
    expect(doc.body).toBe(doc.data.answer);
  });

  it('reads obj_id next to guid', () => {
    const doc = parse('obj_id: sales-by-type\nguid: g-1\nanswer:\n  name: A\n');
    expect(doc).toMatchObject({ objId: 'sales-by-type', guid: 'g-1' });
  });

  it('accepts a document with no identity (a new object)', () => {
    const doc = parse('table:\n  name: t\n');
    expect(doc.guid).toBeUndefined();
    expect(doc.kind).toBe('table');
  });

  it('tells JSON from YAML and reads both to the same data', () => {
    const yaml = parse(ANSWER);
    const json = parse(JSON.stringify(yaml.data));
    expect(json.format).toBe('json');
    expect(json.data).toEqual(yaml.data);
  });

  it('reads CRLF files and writes them with \\n', () => {
    const doc = parse(ANSWER.replaceAll('\n', '\r\n'));
    expect(format(doc)).toBe(ANSWER);
  });

  it('rejects two kind keys, naming both and the line of the second', () => {
    const error = parseError('guid: g\nanswer:\n  name: a\nliveboard:\n  name: b\n', 'two.tml');
    expect(error.message).toBe('two.tml:4: more than one TML kind key (answer, liveboard); a document holds exactly one object');
    expect(error.line).toBe(4);
  });

  it('rejects a document without a kind key, listing the supported ones', () => {
    const error = parseError('guid: g\nanwser:\n  name: a\n');
    expect(error.message).toContain('no TML kind key: expected one of connection, table, sql_view, view, model, worksheet, cohort, answer, liveboard, pinboard; found "guid", "anwser"');
  });

  it('rejects an unknown key next to the kind key', () => {
    expect(parseError('gudi: g\nanswer:\n  name: a\n').message).toBe('<input>:1: unknown top-level key "gudi" next to "answer"');
  });

  it('says that a kind of the proto is not supported rather than unknown', () => {
    expect(parseError('guid: g\nmonitor_alert:\n- name: a\n').message).toContain('TML kind "monitor_alert" is not supported');
  });

  it('keeps the other envelope fields of the proto', () => {
    const text = 'guid: g\nanswer:\n  name: a\nis_demo_data: false\n';
    expect(format(parse(text))).toBe(text);
  });

  it.each([
    ['a list', '- guid: g\n', 'this one is a list'],
    ['a scalar', 'just text\n', 'this one is a string value'],
    ['a kind that is not a mapping', 'guid: g\nanswer: Sales\n', '"answer" must be a mapping'],
    ['a guid that is not a string', 'guid: 12\nanswer:\n  name: a\n', '"guid" must be a string'],
  ])('rejects %s', (_what, text, message) => {
    expect(parseError(text).message).toContain(message);
  });

  it.each([
    ['empty text', '', 'expected a document'],
    ['several YAML documents', 'guid: a\nanswer: {name: a}\n---\nguid: b\n', 'expected a single document'],
    ['a duplicated key', 'guid: g\nanswer:\n  name: a\n  name: b\n', 'duplicated mapping key'],
    ['broken JSON', '{"guid": "g",\n "answer": {"name": }\n}', 'invalid JSON'],
  ])('rejects %s with a TmlParseError', (_what, text, reason) => {
    const error = parseError(text, 'x.tml');
    expect(error.message).toMatch(/^x\.tml(:\d+:\d+)?: /);
    expect(error.reason).toContain(reason);
  });

  it('positions a JSON error on its line and column', () => {
    expect(parseError('{"guid": "g",\n "answer": {"name": "a"}')).toMatchObject({ line: 2, column: 25 });
  });

  it('positions a duplicated key on its line', () => {
    expect(parseError('guid: g\nanswer:\n  name: a\n  name: b\n')).toMatchObject({ line: 4 });
  });
});

describe('lineOf', () => {
  const doc = parse(ANSWER);

  it.each([
    [['guid'], 1],
    [['answer'], 2],
    [['answer', 'name'], 3],
    [['answer', 'tables', 0], 5],
    [['answer', 'tables', 0, 'name'], 6],
    [['answer', 'search_query'], 7],
    [['answer', 'chart', 'axis_configs', 0, 'y'], 12],
    [['answer', 'chart', 'axis_configs', 0, 'y', 0], 13],
  ] as const)('finds %j on line %i', (path, line) => {
    expect(doc.lineOf(path)).toBe(line);
  });

  it('answers a missing field with its nearest existing parent', () => {
    expect(doc.lineOf(['answer', 'display_mode'])).toBe(2);
    expect(doc.lineOf(['answer', 'tables', 3, 'name'])).toBe(4);
  });

  it('finds lines in JSON documents too', () => {
    const json = parse('{\n  "guid": "g",\n  "answer": {\n    "name": "a",\n    "tables": [\n      {"name": "t"}\n    ]\n  }\n}\n');
    expect(json.lineOf(['answer', 'name'])).toBe(4);
    expect(json.lineOf(['answer', 'tables', 0, 'name'])).toBe(6);
  });

  it('places an empty value on its key line', () => {
    expect(parse('guid: g\nanswer:\n  name: a\n  description:\n  tables: []\n').lineOf(['answer', 'tables'])).toBe(5);
  });
});

describe('fromData', () => {
  it('builds a document from data with the same envelope rules and no lines', () => {
    const doc = fromData({ guid: 'g', pinboard: { name: 'Board' } }, { file: 'b.pinboard.tml' });
    expect(doc).toMatchObject({ kind: 'liveboard', kindKey: 'pinboard', name: 'Board', file: 'b.pinboard.tml' });
    expect(doc.lineOf(['pinboard', 'name'])).toBeUndefined();
    expect(() => fromData({ guid: 'g' })).toThrow(TmlParseError);
  });

  it('names an object written with an unquoted number', () => {
    expect(parse('guid: g\ntable:\n  name: 2024\n').name).toBe('2024');
  });
});

describe('formatPath', () => {
  it('writes field paths the way ThoughtSpot import errors do', () => {
    expect(formatPath(['model', 'model_tables', 2, 'joins', 1])).toBe('model->model_tables(3rd)->joins(2nd)');
    expect(formatPath(['x', 0, 'y', 10, 'z', 11, 'w', 12, 'v', 20, 'u', 21, 't', 110])).toBe('x(1st)->y(11th)->z(12th)->w(13th)->v(21st)->u(22nd)->t(111th)');
  });
});
