import { NOT_RESOLVED, defineMappingTag, defineScalarTag, floatCoreTag, intCoreTag, mapTag } from 'js-yaml';
import { isMap } from './path.js';
import type { TmlMap, TmlValue } from './types.js';

/**
 * Lossless scalars (issue 18): a number keeps the form it was written in (`decimals: 0.0`,
 * `index_priority: 5.0`, `1e3`, `-0.50`), so that the canonical form of a ThoughtSpot export
 * is that export, byte for byte. ThoughtSpot writes its float fields in Java's form (`0.0`);
 * JavaScript's number 0 cannot tell `0.0` from `0`.
 *
 * The data stays plain: every consumer (mapping, references, validation, the emulator) sees
 * a JavaScript number where the document has a number. The written form of a number whose
 * JavaScript form (`String(value)`) differs is kept beside the data, per container (the
 * mapping or list holding it) in a WeakMap, and the writers use it while the value there is
 * still that number. Code that rebuilds a tree carries the forms over with carryNumberForms()
 * or copyTml(); data that went through JSON.stringify, structuredClone or another process has
 * lost them and is written in JavaScript's form, as before.
 */
interface WrittenForm {
  readonly value: number;
  readonly text: string;
}

const forms = new WeakMap<object, Map<string | number, WrittenForm>>();

/** A number read with a form of its own, until settleNumbers() puts the number in its place. */
class WrittenNumber implements WrittenForm {
  constructor(
    readonly value: number,
    readonly text: string,
  ) {}

}

/** Numbers read with a form of their own since the last settleNumbers(): none, and there is nothing to settle. */
let unsettled = 0;

/** What a reader puts in the tree for the number written as `text`. */
export function readNumber(value: number, text: string): number | WrittenNumber {
  if (String(value) === text) return value;
  unsettled += 1;
  return new WrittenNumber(value, text);
}

/** Where a JSON value may start (the text's start, after `:`, `[` or `,`), and the number lexeme there if one is. */
const JSON_NUMBER_AT_VALUE = /(?:^|[:[,])\s*(-?\d[\d.eE+-]*)/g;

/**
 * Whether a JSON text may hold a number whose JavaScript form differs from how it is written
 * (`0.0`, `1e3`, `-0`, 16 or more digits): each number lexeme where a value may start is
 * compared with its JavaScript form. Lexemes inside strings that look like values (`"a, 2.50"`)
 * only cost the slower reader. Without one, JSON.parse reads the text to the same data, about
 * 20 times faster than lossless-json (measured on the corpus's JSON exports: 0.13 ms against
 * 2.8 ms for 24 KB). The earlier check, a regular expression over the whole text, matched
 * inside every GUID holding `e` and a digit (`…005be-8bae…`), so nearly every export took the
 * slow reader: the full export of 10,004 objects went from 1.16× to 1.56× of its queue bound,
 * its event loop busy 46 % → 73 % of the exports window (`npm run bench`, 2026-12-05).
 */
export function mayHoldWrittenNumbers(text: string): boolean {
  for (const [, lexeme] of text.matchAll(JSON_NUMBER_AT_VALUE)) if (String(Number(lexeme)) !== lexeme) return true;
  return false;
}

/** JSON's number lexemes (lossless-json hands each one over as written). */
export function readJsonNumber(text: string): number | WrittenNumber {
  return readNumber(Number(text), text);
}

/**
 * The YAML 1.2 core schema's int and float, each number also read with its form. Its
 * resolvers are js-yaml's own, so what is a number and what value it has does not change.
 */
const lexemeTag = (tag: typeof intCoreTag) =>
  defineScalarTag(tag.tagName, {
    implicit: tag.implicit,
    implicitFirstChars: tag.implicitFirstChars,
    resolve: (source, isExplicit, tagName) => {
      const value = tag.resolve(source, isExplicit, tagName);
      return value === NOT_RESOLVED ? value : readNumber(value, source);
    },
    identify: () => false,
  });
/** A number as a mapping key is the key as written (`1.0:` is "1.0"). */
const keyOf = (key: unknown): unknown => (key instanceof WrittenNumber ? key.text : key);
const lexemeMapTag = defineMappingTag(mapTag.tagName, {
  ...mapTag,
  addPair: (carrier, key, value) => {
    keepKeyOrder(carrier, String(keyOf(key)));
    return mapTag.addPair(carrier, keyOf(key), value);
  },
  has: (carrier, key) => mapTag.has(carrier, keyOf(key)),
});

/**
 * Keys in document order, for the mappings whose order a JavaScript object does not keep: one
 * with a key that is an array index (`"0":`, `"12":`), which JavaScript lists before every other
 * key. ThoughtSpot's own exports have none (every key is an edoc.proto field name, and its map
 * fields are written as `key:`/`value:` lists: schema/edoc.ts), but a hand-made file may, and
 * Jackson writes keys in the order it holds them. Kept per container, as the number forms are.
 */
const keyOrders = new WeakMap<object, string[]>();

/** Whether JavaScript moves `key` before the other keys of an object: a canonical array index. */
function isIndexKey(key: string): boolean {
  return /^(?:0|[1-9]\d{0,9})$/.test(key) && Number(key) < 4294967295;
}

function keepKeyOrder(carrier: object, key: string): void {
  const order = keyOrders.get(carrier);
  if (order) order.push(key);
  else if (isIndexKey(key)) keyOrders.set(carrier, [...Object.keys(carrier), key]);
}

/** The keys of `map` in the order they were read (or given by carryNumberForms), keys added since last. */
export function orderedKeys(map: TmlMap): string[] {
  const keys = Object.keys(map);
  const order = keyOrders.get(map);
  if (!order) return keys;
  const present = new Set(keys);
  const kept = order.filter((key) => present.has(key));
  const known = new Set(kept);
  return [...kept, ...keys.filter((key) => !known.has(key))];
}
export const NUMBER_FORM_TAGS = [lexemeTag(intCoreTag), lexemeTag(floatCoreTag), lexemeMapTag];

/**
 * Replaces every number read with a form by its value, keeping the form beside it. Returns
 * the data (the root itself when the document is one number).
 */
export function settleNumbers(data: unknown): unknown {
  if (unsettled === 0) return data;
  unsettled = 0;
  if (data instanceof WrittenNumber) return data.value;
  const seen = new Set<object>();
  const visit = (container: unknown[] | Record<string, unknown>): void => {
    if (seen.has(container)) return;
    seen.add(container);
    const entries: [string | number, unknown][] = Array.isArray(container) ? container.map((v, i) => [i, v]) : Object.entries(container);
    for (const [key, value] of entries) {
      if (value instanceof WrittenNumber) {
        (container as Record<string | number, unknown>)[key] = value.value;
        keep(container, key, value);
      } else if (typeof value === 'object' && value !== null) {
        visit(value as unknown[] | Record<string, unknown>);
      }
    }
  };
  if (typeof data === 'object' && data !== null) visit(data as unknown[] | Record<string, unknown>);
  return data;
}

function keep(container: object, key: string | number, form: WrittenForm): void {
  let kept = forms.get(container);
  if (!kept) forms.set(container, (kept = new Map<string | number, WrittenForm>()));
  kept.set(key, { value: form.value, text: form.text });
}

/** The written form of `container[key]`, if it has one and still holds the number read. */
export function writtenForm(container: object, key: string | number, value: number): string | undefined {
  const form = forms.get(container)?.get(key);
  return form && Object.is(form.value, value) ? form.text : undefined;
}

/**
 * Gives `map` the key order `keys` (its own keys, rearranged), kept only where a JavaScript object
 * would not keep it: when a key is an array index.
 */
export function setKeyOrder(map: object, keys: readonly string[]): void {
  if (keys.some(isIndexKey)) keyOrders.set(map, [...keys]);
  else keyOrders.delete(map);
}

/** Gives `to` (a rebuilt copy of `from`, same keys) the written forms of `from`'s numbers, and its key order. */
export function carryNumberForms(from: object, to: object): void {
  const kept = forms.get(from);
  if (kept) forms.set(to, new Map<string | number, WrittenForm>(kept));
  const order = keyOrders.get(from);
  if (order) keyOrders.set(to, [...order]);
}

/** A deep copy of TML data that keeps the written forms of its numbers. */
export function copyTml<T extends TmlValue>(value: T): T {
  if (Array.isArray(value)) {
    const out = value.map((item) => copyTml(item));
    carryNumberForms(value, out);
    return out as T;
  }
  if (!isMap(value)) return value;
  const out: TmlMap = {};
  for (const [key, inner] of Object.entries(value)) out[key] = copyTml(inner);
  carryNumberForms(value, out);
  return out as T;
}

/** The YAML 1.2 core tags of numbers: the forms a scalar's text may be written in plain. */
export const NUMBER_TAGS: ReadonlySet<string> = new Set([intCoreTag.tagName, floatCoreTag.tagName]);

/** JSON's number syntax: a YAML form that is not JSON (`0x1F`, `.inf`, `+1`) is written in JavaScript's form. */
const JSON_NUMBER = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?$/;

/**
 * `JSON.stringify(data, null, 2)`, with each number in its written form: JSON.stringify has
 * no way to print a number's text on Node 20 (JSON.rawJSON came with Node 21).
 */
export function stringifyJson(data: TmlValue, indent = ''): string {
  if (Array.isArray(data)) {
    if (data.length === 0) return '[]';
    const inner = `${indent}  `;
    return `[\n${data.map((item, i) => inner + valueJson(data, i, item, inner)).join(',\n')}\n${indent}]`;
  }
  if (isMap(data)) {
    const keys = orderedKeys(data).filter((key) => data[key] !== undefined);
    if (keys.length === 0) return '{}';
    const inner = `${indent}  `;
    return `{\n${keys.map((key) => `${inner}${JSON.stringify(key)}: ${valueJson(data, key, data[key], inner)}`).join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(data);
}

function valueJson(container: object, key: string | number, value: TmlValue | undefined, indent: string): string {
  if (value === undefined) return 'null';
  if (typeof value !== 'number') return stringifyJson(value, indent);
  const text = writtenForm(container, key, value);
  return text !== undefined && JSON_NUMBER.test(text) ? text : JSON.stringify(value);
}

/**
 * The written forms of `data`'s numbers as plain data (path as JSON → text), for a store that
 * keeps documents as JSON (the emulator's data directory); restoreNumberForms() puts them back.
 */
export function numberFormsOf(data: TmlValue): Record<string, string> {
  const out: Record<string, string> = {};
  const visit = (value: TmlValue, path: (string | number)[]): void => {
    if (value === null || typeof value !== 'object') return;
    const entries: [string | number, TmlValue][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
    for (const [key, inner] of entries) {
      const text = typeof inner === 'number' ? writtenForm(value, key, inner) : undefined;
      if (text !== undefined) out[JSON.stringify([...path, key])] = text;
      else visit(inner, [...path, key]);
    }
  };
  visit(data, []);
  return out;
}

/** Gives the numbers of `data` the forms numberFormsOf() kept, where the number is still there. */
export function restoreNumberForms(data: TmlValue, stored: Readonly<Record<string, string>>): void {
  for (const [where, text] of Object.entries(stored)) {
    const path = JSON.parse(where) as (string | number)[];
    const key = path.at(-1);
    let container: TmlValue | undefined = data;
    for (const step of path.slice(0, -1)) container = container !== null && typeof container === 'object' ? (container as Record<string | number, TmlValue>)[step] : undefined;
    const value = container !== null && typeof container === 'object' && key !== undefined ? (container as Record<string | number, TmlValue>)[key] : undefined;
    if (typeof value === 'number') keep(container as object, key!, { value, text });
  }
}
