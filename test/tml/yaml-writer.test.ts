import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { format, parse, parseYaml } from '../../src/tml/index.js';
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

function randomMap(next: () => number, depth: number): TmlMap {
  const map: TmlMap = {};
  const size = Math.floor(next() * 5);
  for (let i = 0; i < size; i += 1) map[next() < 0.6 ? 'abcdefghij'[Math.floor(next() * 10)]! : randomString(next)] = randomValue(next, depth);
  return map;
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

  it('writes 3,000 documents of hostile strings, numbers and shapes as js-yaml does, and reads each back with its numbers as written', () => {
    for (let seed = 1; seed <= 3000; seed += 1) {
      const data = { guid: 'g', ...randomMap(random(seed), 3) };
      const text = formatWithJsYaml(data);
      expect(format(data), `seed ${seed}`).toBe(text);
      // Read back, the data carries the numbers' written forms and its keys' order: both writers use them.
      const back = parseYaml(text) as TmlMap;
      expect(format(back), `seed ${seed}, read back`).toBe(formatWithJsYaml(back));
    }
  });

  it.each([
    ['a pair whose value is undefined, left out', { guid: 'g', a: undefined, b: 1 } as unknown as TmlMap],
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

  it('says what it cannot write', () => {
    expect(() => format({ guid: 'g', a: (() => 1) as unknown as TmlValue })).toThrow('cannot write [object Function] as TML');
  });
});
