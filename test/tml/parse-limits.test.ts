import { describe, expect, it } from 'vitest';
import { PARSE_LIMITS, TmlParseError, format, parse, parseYaml } from '../../src/tml/index.js';

const HEAD = 'guid: 11111111-1111-1111-1111-111111111111\nliveboard:\n  name: Board\n';

/** "Billion laughs": nine levels of ten aliases each, a billion values once expanded, in under a kilobyte. */
function aliasBomb(): string {
  let text = `${HEAD}  description: x\n  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n`;
  for (let level = 1; level <= 8; level += 1) text += `  a${level}: &a${level} [${Array(10).fill(`*a${level - 1}`).join(', ')}]\n`;
  return text;
}

function refusal(read: () => unknown): TmlParseError {
  try {
    read();
  } catch (error) {
    if (error instanceof TmlParseError) return error;
    throw error;
  }
  throw new Error('read without error');
}

describe('parse limits (issue 15, item 3: YAML alias bomb, huge scalar)', () => {
  it('refuses a YAML alias bomb, naming the file and the limit', () => {
    const text = aliasBomb();
    expect(text.length).toBeLessThan(1024);
    const error = refusal(() => parse(text, { file: 'tml/liveboard/bomb.liveboard.tml' }));
    expect(error.message).toMatch(/^tml\/liveboard\/bomb\.liveboard\.tml:\d+: the document expands to more than 2,000,000 values .*the limit is 2,000,000$/);
  });

  it('refuses a 6 MB scalar on one line, naming the file, the line and the limit', () => {
    const error = refusal(() => parse(`${HEAD}  description: ${'x'.repeat(6_000_000)}\n`, { file: 'big.liveboard.tml' }));
    expect(error.message).toBe('big.liveboard.tml:4: the line is 6,000,015 characters long; the limit is 1,048,576');
  });

  it('refuses a 6 MB block scalar, naming the file, the field\'s line and the limit', () => {
    const block = `    ${'y'.repeat(80)}\n`.repeat(75_000);
    const error = refusal(() => parse(`${HEAD}  description: |\n${block}`, { file: 'big.liveboard.tml' }));
    expect(error.message).toBe('big.liveboard.tml:4: the value is 6,075,000 characters long; the limit is 1,048,576');
  });

  it('refuses a long key as it refuses a long value', () => {
    const error = refusal(() => parse(`${HEAD}  ? |\n${`    ${'k'.repeat(80)}\n`.repeat(15_000)}  : v\n`, { file: 'key.tml' }));
    expect(error.message).toMatch(/^key\.tml:\d+: the key is 1,215,000 characters long; the limit is 1,048,576$/);
  });

  it('refuses a JSON document holding a value too long, though JSON may be one line', () => {
    const json = JSON.stringify({ guid: 'g', liveboard: { name: 'Board', description: 'x'.repeat(2_000_000) } });
    expect(refusal(() => parse(json, { file: 'big.json' })).message).toBe('big.json:1: the value is 2,000,000 characters long; the limit is 1,048,576');
  });

  it('refuses a document longer than the limit before parsing it', () => {
    const text = `${HEAD}  columns:\n${'  - short value\n'.repeat(PARSE_LIMITS.maxLength / 16 + 1)}`;
    expect(refusal(() => parse(text, { file: 'long.tml' })).message).toMatch(/^long\.tml: the document is [\d,]+ characters long; the limit is 16,777,216$/);
  });

  it('refuses nesting deeper than the limit in YAML and in JSON', () => {
    const deep = 200;
    expect(refusal(() => parse(`${HEAD}  deep: ${'['.repeat(deep)}${']'.repeat(deep)}\n`, { file: 'deep.tml' })).message).toMatch(/^deep\.tml:\d+:\d+: invalid YAML: nesting exceeded maxDepth \(100\)/);
    const json = `{"guid": "g", "liveboard": {"name": "Board", "deep": ${'['.repeat(deep)}${']'.repeat(deep)}}}`;
    expect(refusal(() => parse(json, { file: 'deep.json' })).message).toBe('deep.json: nested more than 100 levels deep (counting what aliases repeat)');
  });

  it('counts the depth that aliases add', () => {
    const level = `${'['.repeat(60)}x${']'.repeat(60)}`;
    const text = `${HEAD}  a: &a ${level}\n  b: ${'['.repeat(60)}*a${']'.repeat(60)}\n`;
    expect(refusal(() => parse(text, { file: 'deep.tml' })).message).toMatch(/^deep\.tml:5: nested more than 100 levels deep/);
  });

  it('refuses an alias inside the node it names', () => {
    expect(refusal(() => parse(`${HEAD}  loop: &loop [*loop]\n`, { file: 'loop.tml' })).message).toBe('loop.tml:4: an alias (*name) refers to a node that contains it');
  });

  it('refuses more aliases than the limit', () => {
    const text = `${HEAD}  one: &one x\n  many: [${Array(PARSE_LIMITS.maxAliases + 1).fill('*one').join(', ')}]\n`;
    expect(refusal(() => parse(text, { file: 'many.tml' })).message).toMatch(/^many\.tml:5:\d+: invalid YAML: aliases exceeded maxAliases \(1000\)/);
  });

  it('still reads a document that uses a few aliases, as it reads one without', () => {
    const doc = parse(`${HEAD}  description: &d Sales\n  note: *d\n`);
    expect(doc.body).toMatchObject({ description: 'Sales', note: 'Sales' });
    expect(format(doc)).toBe(`${HEAD}  description: Sales\n  note: Sales\n`);
  });

  it('applies the same limits to YAML that is not TML', () => {
    expect(parseYaml('a: [1, 2]\n', { file: 'c.yaml' })).toEqual({ a: [1, 2] });
    const bomb = aliasBomb().replace(HEAD, 'x:\n');
    expect(refusal(() => parseYaml(bomb, { file: 'c.yaml' })).message).toMatch(/^c\.yaml:\d+: the document expands to more than 2,000,000 values/);
    expect(refusal(() => parseYaml('a: [\n', { file: 'c.yaml' })).message).toMatch(/^c\.yaml:\d+:\d+: invalid YAML: /);
  });
});
