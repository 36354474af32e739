import { describe, expect, it } from 'vitest';
import { applyMapping, copyTml, format, numberFormsOf, parse, restoreNumberForms, toJson } from '../../src/tml/index.js';
import type { TmlMap } from '../../src/tml/index.js';

const FORMS = ['0.0', '1', '5.0', '1e3', '-0.50', '212.0', '1.5E+2', '12345678901234567890'];

const yaml = (value: string): string => `guid: g\nanswer:\n  name: A\n  decimals: ${value}\n  widths:\n  - ${value}\n`;
const json = (value: string): string => `{\n  "guid": "g",\n  "answer": {\n    "name": "A",\n    "decimals": ${value},\n    "widths": [\n      ${value}\n    ]\n  }\n}\n`;

describe('lossless scalars (issue 18)', () => {
  it.each(FORMS)('writes the YAML number %s back as it was written', (value) => {
    expect(format(parse(yaml(value)))).toBe(yaml(value));
  });

  it.each(FORMS)('writes the JSON number %s back as it was written', (value) => {
    expect(toJson(parse(json(value)))).toBe(json(value));
  });

  it('gives every consumer a plain number, equal to its value', () => {
    for (const text of [yaml('0.0'), json('0.0')]) {
      const body = parse(text).body;
      expect(body.decimals).toBe(0);
      expect(typeof body.decimals).toBe('number');
      expect(body.widths).toEqual([0]);
      expect(JSON.stringify(body)).toBe('{"name":"A","decimals":0,"widths":[0]}');
    }
  });

  it('writes a changed number in JavaScript form, and an unchanged neighbour as written', () => {
    const doc = parse(yaml('5.0'));
    doc.body.decimals = 2;
    expect(format(doc)).toBe(yaml('5.0').replace('decimals: 5.0', 'decimals: 2'));
  });

  it('keeps the forms through a mapping and a copy', () => {
    const doc = parse(`guid: a\ntable:\n  name: T\n  db: DEV\n  index_priority: 5.0\n  columns:\n  - name: c\n    width: 10.0\n`);
    const mapped = applyMapping(doc, { guids: new Map([['a', 'b']]), databases: { DEV: 'PROD' } });
    expect(format(mapped)).toBe(`guid: b\ntable:\n  name: T\n  db: PROD\n  index_priority: 5.0\n  columns:\n  - name: c\n    width: 10.0\n`);
    expect(format(copyTml(doc.data))).toBe(format(doc));
  });

  it('writes a YAML form that JSON has not in JSON form', () => {
    expect(toJson(parse('guid: g\nanswer:\n  name: A\n  n: 0x1F\n  m: +1.0\n'))).toBe('{\n  "guid": "g",\n  "answer": {\n    "name": "A",\n    "n": 31,\n    "m": 1\n  }\n}\n');
  });

  it('writes the JSON form of a YAML file with its numbers as written, and back', () => {
    const doc = parse(yaml('0.0'));
    expect(toJson(doc)).toBe(json('0.0'));
    expect(format(parse(toJson(doc)))).toBe(yaml('0.0'));
  });

  it('writes JSON exactly as JSON.stringify does where no number has a form of its own', () => {
    const data: TmlMap = { guid: 'g', answer: { name: 'A "q" é', list: [], map: {}, nested: [{ a: null, b: true, c: -1.25 }] } };
    expect(toJson(data)).toBe(`${JSON.stringify(data, null, 2)}\n`);
  });

  it('reads a number used as a key as written', () => {
    expect(format(parse('guid: g\nanswer:\n  name: A\n  map:\n    1.0: x\n'))).toBe('guid: g\nanswer:\n  name: A\n  map:\n    "1.0": x\n');
  });

  it('reads a JSON key written twice as JSON.parse does, the last one winning, with numbers or without', () => {
    expect(parse('{\n  "guid": "g",\n  "guid": "h",\n  "answer": {"name": "A"}\n}').guid).toBe('h');
    expect(parse('{\n  "guid": "g",\n  "guid": "h",\n  "answer": {"name": "A", "n": 0.0}\n}').body.n).toBe(0);
  });

  it('reads JSON with JSON.parse unless a number may have a form of its own, with the same data either way', () => {
    const plain = '{"guid": "g", "answer": {"name": "A", "n": [1, -2, 3.25, 0.000001, 123456789012345]}}';
    expect(parse(plain).data).toEqual(JSON.parse(plain));
    for (const lexeme of ['1.50', '1e3', '-0', '1234567890123456789', '0.0000001', '1.0E-3']) {
      expect(toJson(parse(`{"guid": "g", "answer": {"name": "A", "n": ${lexeme}}}`))).toContain(`"n": ${lexeme}\n`);
    }
  });

  it('keeps the forms as plain data for a store that holds JSON, and puts them back', () => {
    const doc = parse(yaml('5.0'));
    const stored = JSON.parse(JSON.stringify({ data: doc.data, forms: numberFormsOf(doc.data) })) as { data: TmlMap; forms: Record<string, string> };
    expect(stored.forms).toEqual({ '["answer","decimals"]': '5.0', '["answer","widths",0]': '5.0' });
    expect(format(stored.data)).toBe(yaml('5.0').replaceAll('5.0', '5'));
    restoreNumberForms(stored.data, stored.forms);
    expect(format(stored.data)).toBe(yaml('5.0'));
  });
});
