import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CORE_SCHEMA } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { format, isMap, parse, parseYaml } from '../../src/tml/index.js';
import type { TmlMap, TmlValue } from '../../src/tml/index.js';
import { formatWithJsYaml } from '../support/js-yaml-format.js';

/**
 * format() writes YAML itself (issue 16); js-yaml's dump() with Jackson's rules wrote it before
 * (test/support/js-yaml-format.ts). The two must agree byte for byte on any data: every fixture,
 * and documents made of the strings, numbers and shapes that YAML treats specially.
 */

const FIXTURES = join(import.meta.dirname, '../fixtures');

function tmlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tmlFiles(path);
    return /\.tml$|\.yaml$/.test(name) ? [path] : [];
  });
}

/** Deterministic pseudo-random numbers (mulberry32), so that a failure names a seed that reproduces it. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Characters YAML, Jackson or the escapes treat specially, and some that nothing does. */
const CHARACTERS = [
  ...'-?:,[]{}#&*!|>\'"%@`=~.+0123456789eExX_ \n\t\r\\/()aZ',
  'é', '日', '🐢', '\u0085', '\u00a0', '\u2028', '\u2029', '\ufeff', '\ufffe', '\uffff', '\x00', '\x07', '\x1b', '\x7f', '\x80', '\x9f', '\ud800', '\udc00',
];
/** Whole strings that read as something else, or that a writer must place with care. */
const WORDS = [
  '', ' ', 'true', 'False', 'NULL', '~', 'null', 'y', 'n', 'on', 'Off', 'yes', '=', '-', '?', ':', '#', '---', '...', '- x', '? x', ': x', 'a: b', 'a:b', 'a #b', 'a#b', 'x:',
  '1', '-1', '+1', '0.0', '1e5', '1.0E7', '0x1F', '0o17', '.inf', '-.inf', '.nan', '.NaN', '12345678901234567890', '2020-01-01', '1_000', '0b101', '1:30',
  'a\n', 'a\n\n', '\n', '\n\n', ' a\nb', '\n a', 'a \nb', 'a\nb ', 'a\tb\nc', 'SELECT 1\r\nFROM t', 'a\n\n\nb', '[City] [State]', 'HCP #', "'ok'", '"x"', 'C:\\path',
];

function randomString(next: () => number): string {
  if (next() < 0.3) return WORDS[Math.floor(next() * WORDS.length)]!;
  let text = '';
  const length = Math.floor(next() * 12);
  for (let i = 0; i < length; i += 1) text += next() < 0.5 ? CHARACTERS[Math.floor(next() * CHARACTERS.length)]! : 'abcdefgh'[Math.floor(next() * 8)]!;
  return text;
}

const NUMBERS = [0, -0, 1, -7, 1.5, 0.1, 1e21, 5e-7, 123456789012, Number.MAX_SAFE_INTEGER, NaN, Infinity, -Infinity, 2 ** 53 + 2];

function randomValue(next: () => number, depth: number): TmlValue {
  const pick = next();
  if (depth > 0 && pick < 0.2) return randomMap(next, depth - 1);
  if (depth > 0 && pick < 0.35) return Array.from({ length: Math.floor(next() * 4) }, () => randomValue(next, depth - 1));
  if (pick < 0.45) return NUMBERS[Math.floor(next() * NUMBERS.length)]!;
  if (pick < 0.5) return next() < 0.5;
  if (pick < 0.55) return null;
  return randomString(next);
}

/** Keys: a few that repeat, array indexes (which JavaScript lists first), and any string. */
function randomKey(next: () => number): string {
  const pick = next();
  if (pick < 0.5) return 'abcdefghij'[Math.floor(next() * 10)]!;
  if (pick < 0.6) return String(Math.floor(next() * 20));
  return randomString(next);
}

function randomMap(next: () => number, depth: number): TmlMap {
  const map: TmlMap = {};
  const size = Math.floor(next() * 5);
  for (let i = 0; i < size; i += 1) map[randomKey(next)] = next() < 0.05 ? (undefined as unknown as TmlValue) : randomValue(next, depth);
  return map;
}

/** A document with its guid anywhere among its keys, as data built by hand may have it. */
function randomDocument(seed: number): TmlMap {
  const next = random(seed);
  const body = randomMap(next, 3);
  const keys = Object.keys(body);
  const at = Math.floor(next() * (keys.length + 1));
  return Object.fromEntries([...keys.slice(0, at).map((k) => [k, body[k]]), ['guid', 'g'], ...keys.slice(at).map((k) => [k, body[k]])]) as TmlMap;
}

/**
 * Whether `back`, read from the text written for `data`, is that data: pairs whose value is
 * undefined left out, undefined items read as null, and strings that YAML 1.2 reads as numbers
 * (written plain, as Jackson writes them) read as numbers.
 */
function readsBackAs(back: unknown, data: TmlValue | undefined): boolean {
  if (data === undefined) return back === null;
  if (Array.isArray(data)) return Array.isArray(back) && back.length === data.length && data.every((item, i) => readsBackAs(back[i], item));
  if (isMap(data)) {
    const keys = Object.keys(data).filter((key) => data[key] !== undefined);
    return isMap(back) && Object.keys(back).length === keys.length && keys.every((key) => Object.hasOwn(back, key) && readsBackAs(back[key], data[key]));
  }
  if (typeof data === 'string' && typeof back === 'number') return CORE_SCHEMA.resolveImplicitScalarTag(data).tag.tagName !== CORE_SCHEMA.defaultScalarTag.tagName;
  return Object.is(back, data);
}

describe('the YAML writer, against js-yaml', () => {
  it('writes every fixture as js-yaml does', () => {
    const files = tmlFiles(FIXTURES);
    expect(files.length).toBeGreaterThan(100);
    let compared = 0;
    for (const file of files) {
      let data: TmlMap;
      try {
        data = parse(readFileSync(file, 'utf8')).data;
      } catch {
        continue; // the fixtures of malformed TML
      }
      expect(format(data), file).toBe(formatWithJsYaml(data));
      compared += 1;
    }
    expect(compared).toBeGreaterThan(100);
  });

  it('writes 3,000 documents of hostile strings, numbers and shapes as js-yaml does, each read back as its data and written again the same', () => {
    for (let seed = 1; seed <= 3000; seed += 1) {
      const data = randomDocument(seed);
      const text = formatWithJsYaml(data);
      expect(format(data), `seed ${seed}`).toBe(text);
      expect(text.startsWith('guid: g\n'), `seed ${seed}: the identity key first`).toBe(true);
      // Read back, the data carries the numbers' written forms and its keys' order: both writers use them.
      const back = parseYaml(text) as TmlMap;
      expect(readsBackAs(back, data), `seed ${seed}, read back`).toBe(true);
      expect(format(back), `seed ${seed}, written again`).toBe(text);
      expect(formatWithJsYaml(back), `seed ${seed}, written again by js-yaml`).toBe(text);
    }
  });

  it.each([
    ['a pair whose value is undefined, left out', { guid: 'g', a: undefined, b: 1 } as unknown as TmlMap],
    ['a pair whose value is undefined, before numbers read with their forms', (() => {
      const data = parseYaml('guid: g\na: x\nb: 1.0\nc: 2\n') as TmlMap;
      data.a = undefined as unknown as TmlValue;
      return data;
    })()],
    ['a guid after a key that is an array index, in the order read', parseYaml('b: 1\n"0": 2\nguid: g\n') as TmlMap],
    ['an undefined value before the guid, which moves first', { a: undefined, guid: 'g' } as unknown as TmlMap],
    ['an undefined list item, written null', { guid: 'g', a: [1, undefined, 2] } as unknown as TmlMap],
    ['a mapping of undefined values only, written {}', { guid: 'g', a: { b: undefined } } as unknown as TmlMap],
    ['a last block that keeps its blank line, which ends the document with ...', { guid: 'g', a: { b: 'x\n\n' } }],
    ['a block that keeps its blank line, followed by a pair', { guid: 'g', a: 'x\n\n', b: 1 }],
    ['a block that keeps its blank line, followed by an empty list', { guid: 'g', a: 'x\n\n', b: [] }],
    ['a key with a line break', { guid: 'g', 'a\nb': { c: 1 } }],
    ['a key longer than 1,024 characters', { guid: 'g', ['k'.repeat(1025)]: [1, 2] }],
    ['a key of 1,025 astral characters', { guid: 'g', ['🐢'.repeat(513)]: 'x' }],
    ['keys that are array indexes, in the order read', parseYaml('guid: g\nb: 1\n"12": 2\na: 3\n"0": 4\n') as TmlMap],
    ['lists of lists and of mappings', { guid: 'g', a: [[1, [2, []]], [{ b: [{}] }], { c: [[{ d: 'x\ny' }]] }] }],
    ['literal blocks in lists, deep', { guid: 'g', a: [{ b: [' lead\nx', 'x\n'] }] }],
  ])('writes %s as js-yaml does', (_what, data) => {
    expect(format(data)).toBe(formatWithJsYaml(data));
  });

  it('puts the identity key first whatever order the keys were read in, and leaves out a pair whose value is undefined wherever it is', () => {
    expect(format(parseYaml('b: 1\n"0": 2\nguid: g\n') as TmlMap)).toBe('guid: g\nb: 1\n"0": 2\n');
    const removed = parseYaml('a: 1\n"0": x\nguid: g\n') as TmlMap;
    delete removed['0'];
    expect(format(removed)).toBe('guid: g\na: 1\n');
    expect(format({ a: undefined, guid: 'g', b: undefined, c: 1 } as unknown as TmlMap)).toBe('guid: g\nc: 1\n');
  });

  it('says what it cannot write', () => {
    expect(() => format({ guid: 'g', a: (() => 1) as unknown as TmlValue })).toThrow('cannot write [object Function] as TML');
  });
});
