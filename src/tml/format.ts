import { CORE_SCHEMA, floatCoreTag, intCoreTag } from 'js-yaml';
import { carryNumberForms, NUMBER_TAGS, orderedKeys, setKeyOrder, stringifyJson, writtenForm } from './numbers.js';
import { isMap } from './path.js';
import type { TmlDocument, TmlMap, TmlValue } from './types.js';

/**
 * Canonical TML text: YAML as ThoughtSpot's exporter writes it, so that export → format →
 * import → export never churns, and every file of the conformance corpus comes back byte for
 * byte (`format(parse(text).data) === text`, test/tml/corpus.test.ts).
 *
 * ThoughtSpot writes TML with Jackson's YAMLGenerator over SnakeYAML, with MINIMIZE_QUOTES,
 * SPLIT_LINES off, no `---` and ALWAYS_QUOTE_NUMBERS_AS_STRINGS (the settings are listed in
 * thoughtspot/thoughtspot_tml `_yaml.py`). So:
 *   - 2-space indent, list items not indented under their key, no line folding, `\n` line ends,
 *     a trailing newline, `{}`/`[]` for empty collections, `null` for null; the identity keys
 *     (`guid`, `obj_id`) first (§3.1), then every key in document order;
 *   - a string is double-quoted when Jackson asks for quotes: it is empty; it is a YAML 1.1
 *     boolean/null word (`y`, `on`, `no`, `null`, …, so `"on":` and `"y":` keys); as a value it
 *     contains `[ ] { } ,`, a `#` after a blank or a `:` before a blank (`"HCP #"` in
 *     SPECIAL_GEOMETRY.worksheet.tml) or looks like a plain number (`"0.0"`); as a key it starts
 *     like a number;
 *   - otherwise Jackson asks for plain, and SnakeYAML falls back to single quotes where plain
 *     is not valid YAML (`'# of Products'`, `'''ok'''`, leading/trailing blanks), and to
 *     double quotes with escapes for characters it will not print raw (tabs, controls, `\r`;
 *     we add NEL, NBSP, U+2028/2029 and the BOM, line breaks in YAML 1.1 or invisible);
 *   - a string with line breaks is a literal block (`|-`) when it can be one (no `\r` or tabs,
 *     no blank before a break or at the end), else double-quoted (the `\r\n` sql_query of
 *     DUMMY.sql_view.tml).
 * The thoughtspot_tml Python rule (quote on `[]{}:,` except TML column ids) matches most of the
 * corpus but not `"HCP #"`, which is why this follows Jackson's own checker instead.
 *
 * A number is written as it was read (`decimals: 0.0`, numbers.ts); a number the data got
 * from elsewhere is written in JavaScript's shortest form.
 *
 * A string that Jackson leaves plain but that YAML 1.2 reads as a number (`1e5`, `1.0E7`,
 * `0x1F`, `.inf`: Jackson quotes only what PLAIN_NUMBER matches) is written plain too, as
 * Jackson writes it; parse() reads it back as a number that keeps that written form (a string
 * field takes any scalar: schema/check.ts), so the text stays a fixed point. Keys that are array
 * indexes (`"12":`) keep their place in the mapping (numbers.ts, orderedKeys). The canonical form
 * is a fixed point: format(parse(format(x))) === format(x).
 */
export function format(input: TmlDocument | TmlMap): string {
  const writer = new BlockWriter();
  const text = writer.node(canonicalOrder(dataOf(input)), 0, true);
  return writer.openEnded ? `${text}\n...\n` : `${text}\n`;
}

/**
 * The JSON form (`formattype=JSON` exports, §2.15): the same data, 2-space indented, trailing
 * newline; parse() reads it back to equal data.
 */
export function toJson(input: TmlDocument | TmlMap): string {
  return `${stringifyJson(canonicalOrder(dataOf(input)))}\n`;
}

function dataOf(input: TmlDocument | TmlMap): TmlMap {
  return isDocument(input) ? input.data : input;
}

function isDocument(input: TmlDocument | TmlMap): input is TmlDocument {
  return typeof input.lineOf === 'function' && isMap(input.data);
}

/** Identity keys first, as ThoughtSpot exports them and deployment tooling expects (§3.1). */
const IDENTITY_KEYS = ['obj_id', 'guid'];

export function canonicalOrder(data: TmlMap): TmlMap {
  const keys = orderedKeys(data);
  const identity = keys.filter((k) => IDENTITY_KEYS.includes(k));
  if (identity.every((k, i) => keys[i] === k)) return data;
  const order = [...identity, ...keys.filter((k) => !IDENTITY_KEYS.includes(k))];
  const ordered: TmlMap = {};
  for (const key of order) if (data[key] !== undefined) ordered[key] = data[key];
  carryNumberForms(data, ordered);
  setKeyOrder(ordered, order);
  return ordered;
}

/** Jackson StringQuotingChecker's reserved words: YAML 1.1 booleans and nulls. */
const RESERVED_WORDS = new Set(
  ['false', 'n', 'no', 'null', 'on', 'off', 'true', 'y', 'yes'].flatMap((w) => [w, w.charAt(0).toUpperCase() + w.slice(1), w.toUpperCase()]),
);
/** Jackson's PLAIN_NUMBER_P: strings that would read back as numbers. */
const PLAIN_NUMBER = /^[-+]?[0-9]*(\.[0-9]*)?$/;
/** Characters written raw: what SnakeYAML prints, less NEL, NBSP and U+2028/2029, which are
 * line breaks in YAML 1.1 or invisible in a diff. Anything else forces double quotes. */
export const PRINTABLE = /^[\n\x20-\x7E\xA1-\u2027\u202A-\uD7FF\uE000-\uFEFE\uFF00-\uFFFD\u{10000}-\u{10FFFF}]*$/u;
const STRING_TAG = CORE_SCHEMA.defaultScalarTag.tagName;

/** Whether Jackson asks for quotes around `value` (its StringQuotingChecker). */
export function jacksonQuotes(value: string, isKey: boolean): boolean {
  if (value === '' || value === '~' || RESERVED_WORDS.has(value)) return true;
  if (isKey) return /^[-+.0-9]/.test(value);
  if (PLAIN_NUMBER.test(value) || /[[\]{},]|[ \t]#|:[ \t]/.test(value)) return true;
  return false;
}

/**
 * Block YAML laid out as js-yaml's dump() lays it out with 2-space indents, list items at
 * their key's indent (`seqNoIndent`) and no line folding, which is how format() wrote it until
 * issue 16: a pair or item per line, a mapping or list inside a list item starting on the item's
 * line, `{}` and `[]` for empty ones, a pair whose value is undefined left out and an undefined
 * item written `null`. dump() built and styled a node tree of the whole document, some 40 % of
 * the full export's event loop at 1,002 objects; written directly, the text takes a quarter of
 * that time. test/tml/yaml-writer.test.ts holds it to dump()'s text, byte for byte.
 *
 * `level` is the nesting level dump() counts, which indents a block scalar's lines.
 */
class BlockWriter {
  /** Whether the last scalar written was a block that keeps a trailing blank line: the document then ends with `...`. */
  openEnded = false;

  /** `value` where it is written: on its own line below its key (`inline` false) or on the line that holds its `- ` or `? ` (or the document's start). */
  node(value: TmlValue, level: number, inline: boolean, container?: object, key?: string | number): string {
    if (Array.isArray(value)) {
      if (value.length === 0) return this.empty('[]');
      // A list below its key has its `- ` lines at the key's indent (seqNoIndent): one level up.
      return this.list(value, inline ? level : level - 1, inline);
    }
    if (isMap(value)) {
      const keys = orderedKeys(value).filter((k) => value[k] !== undefined);
      return keys.length === 0 ? this.empty('{}') : this.mapping(value, keys, level, inline);
    }
    const text = scalarText(value, level, container, key);
    this.openEnded = KEEPING_BLOCK.test(text);
    return text;
  }

  private empty(text: string): string {
    this.openEnded = false;
    return text;
  }

  private mapping(map: TmlMap, keys: string[], level: number, inline: boolean): string {
    let text = '';
    for (const key of keys) {
      if (!inline || text !== '') text += newLine(level);
      const keyText = stringText(key, level + 1, true);
      // dump()'s explicit pair, `? key` and then `: value` on the next line: for a key with a line break
      // (written escaped) and for one longer than YAML's 1,024 characters of an implicit key.
      const explicit = key.includes('\n') || (keyText.length > 1024 && /^[\s\S]{1025}/u.test(keyText));
      text += explicit ? `? ${keyText}${newLine(level)}` : keyText;
      const valueText = this.node(map[key]!, level + 1, explicit, map, key);
      text += valueText.charCodeAt(0) === LINE_FEED ? `:${valueText}` : `: ${valueText}`;
    }
    return text;
  }

  /** `level`: the indent of the `- ` lines. */
  private list(items: TmlValue[], level: number, inline: boolean): string {
    let text = '';
    for (let i = 0; i < items.length; i += 1) {
      if (!inline || text !== '') text += newLine(level);
      const itemText = this.node(items[i] ?? null, level + 1, true, items, i);
      text += itemText.charCodeAt(0) === LINE_FEED ? `-${itemText}` : `- ${itemText}`;
    }
    return text;
  }
}

const LINE_FEED = 10;
/** A literal block that keeps its trailing line breaks (`|+`), which leaves a document open-ended. */
const KEEPING_BLOCK = /^\|2?\+\n/;
const INDENTS: string[] = [];

function newLine(level: number): string {
  return (INDENTS[level] ??= `\n${'  '.repeat(level)}`);
}

/** A scalar's text: null, a boolean, a number in the form it was read in (numbers.ts) or else js-yaml's, or a string. */
function scalarText(value: TmlValue, level: number, container: object | undefined, key: string | number | undefined): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'string') return stringText(value, level, false);
  if (typeof value === 'number') return numberText(value, container, key);
  throw new TypeError(`cannot write ${Object.prototype.toString.call(value)} as TML`);
}

function numberText(value: number, container: object | undefined, key: string | number | undefined): string {
  const form = container && key !== undefined ? writtenForm(container, key, value) : undefined;
  if (form !== undefined && NUMBER_TAGS.has(tagOf(form))) return form;
  return intCoreTag.identify(value) ? intCoreTag.represent(value) : floatCoreTag.represent(value);
}

function tagOf(text: string): string {
  return CORE_SCHEMA.resolveImplicitScalarTag(text).tag.tagName;
}

/**
 * A string as Jackson and SnakeYAML write it (the rules above format()): double-quoted with
 * escapes, a literal block, plain, or single-quoted where plain is not valid YAML.
 */
function stringText(value: string, level: number, isKey: boolean): string {
  if (!PRINTABLE.test(value)) return doubleQuoted(value);
  if (value.includes('\n')) return isKey || /[ \t]\n|[ \t]$/.test(value) ? doubleQuoted(value) : literalBlock(value, level);
  if (jacksonQuotes(value, isKey)) return doubleQuoted(value);
  // js-yaml will not write `=` plain (YAML 1.1's "value" key); SnakeYAML does, and ThoughtSpot
  // exports `oper: =` so (test/fixtures/real-tml: Mike's Demo With Styling). YAML 1.2 reads it as
  // "=". As a key it is single-quoted, as dump() wrote it.
  if (value === '=') return isKey ? `'='` : value;
  const tag = tagOf(value);
  if (tag === STRING_TAG) return PLAIN_ONE_LINE.test(value) ? value : `'${value.replaceAll("'", "''")}'`;
  // Left: a value that YAML 1.2 reads as a number (`1e5`, `0x1F`, `.inf`); Jackson quotes only
  // PLAIN_NUMBER, and above, every key that starts like a number and every null or boolean word.
  // Jackson leaves it plain; parse() reads it back as a number that keeps that form.
  return NUMBER_TAGS.has(tag) ? value : doubleQuoted(value);
}

/**
 * YAML's plain scalar on one line, outside flow collections (ns-plain-one-line(flow-out)), for
 * text that PRINTABLE allows: it starts with no blank and no indicator, except `-`, `?` or `:`
 * before a non-blank; it ends with no blank; no `: `, no `:` at its end, no ` #`. It relies on
 * what stringText() checked before it: no line break of any kind is left (PRINTABLE has no `\r`,
 * NEL or U+2028/2029, and `\n` went to a block), so `.` stops nowhere; and no `---` or `...`
 * reaches column 0 (YAML's document markers), since a root key starting with `-` or `.` is
 * quoted by Jackson's rule.
 */
const PLAIN_ONE_LINE = /^(?:[-?:](?=[^ ])|[^-?:,[\]{}#&*!|>'"%@` ])(?!.*(?: $|: |:$| #))/;

/**
 * A literal block (`|-`, `|`, `|+`), its lines indented to `level`; when its first line starts
 * with a blank, the bar says by how much the lines are indented: 2, one level, as no block
 * scalar is at the root.
 */
function literalBlock(value: string, level: number): string {
  const indicator = /^\n* /.test(value) ? '2' : '';
  const chomping = !value.endsWith('\n') ? '-' : value === '\n' || value.endsWith('\n\n') ? '+' : '';
  const pad = '  '.repeat(level);
  const lines = value.split('\n').map((line) => (line === '' ? line : pad + line));
  if (value.endsWith('\n')) lines.pop();
  return `|${indicator}${chomping}\n${lines.join('\n')}`;
}

/** YAML's escapes (c-ns-esc-char) for what a double-quoted string cannot hold raw: controls among them. */
// eslint-disable-next-line no-control-regex
const ESCAPED = /["\\\x00-\x1F\x7F-\xA0\u2028\u2029\uD800-\uDFFF\uFEFF\uFFFE\uFFFF]/gu;
const ESCAPES: Readonly<Record<string, string>> = {
  '\0': '\\0',
  '\x07': '\\a',
  '\b': '\\b',
  '\t': '\\t',
  '\n': '\\n',
  '\v': '\\v',
  '\f': '\\f',
  '\r': '\\r',
  '\x1B': '\\e',
  '"': '\\"',
  '\\': '\\\\',
  '\x85': '\\N',
  '\xA0': '\\_',
  '\u2028': '\\L',
  '\u2029': '\\P',
};

function doubleQuoted(value: string): string {
  return `"${value.replace(ESCAPED, escapeOf)}"`;
}

function escapeOf(character: string): string {
  const named = ESCAPES[character];
  if (named !== undefined) return named;
  const code = character.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).toUpperCase().padStart(2, '0')}` : `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
}
