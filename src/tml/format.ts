import { CORE_SCHEMA, DEFAULT_SCALAR_STYLE_RULES, SCALAR_STYLE, dump, visit } from 'js-yaml';
import type { Document, ScalarLayout } from 'js-yaml';
import { carryNumberForms, NUMBER_TAGS, stringifyJson, writeNumberForms } from './numbers.js';
import { isMap } from './path.js';
import type { TmlDocument, TmlMap } from './types.js';

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
  const data = canonicalOrder(dataOf(input));
  return dump(data, {
    schema: CORE_SCHEMA,
    indent: 2,
    seqNoIndent: true,
    lineWidth: -1,
    noRefs: true,
    scalarStyleRules: [jacksonScalarStyle, DEFAULT_SCALAR_STYLE_RULES.fallbackToDoubleQuoted],
    transform: (documents) => {
      writeNumberForms(documents, data);
      plainLikeJackson(documents);
    },
  });
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

function canonicalOrder(data: TmlMap): TmlMap {
  const keys = Object.keys(data);
  const identity = keys.filter((k) => IDENTITY_KEYS.includes(k));
  if (identity.every((k, i) => keys[i] === k)) return data;
  const ordered: TmlMap = {};
  for (const key of [...identity, ...keys.filter((k) => !IDENTITY_KEYS.includes(k))]) ordered[key] = data[key] ?? null;
  carryNumberForms(data, ordered);
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
const PRINTABLE = /^[\n\x20-\x7E\xA1-\u2027\u202A-\uD7FF\uE000-\uFEFE\uFF00-\uFFFD\u{10000}-\u{10FFFF}]*$/u;
const STRING_TAG = CORE_SCHEMA.defaultScalarTag.tagName;

function jacksonQuotes(value: string, isKey: boolean): boolean {
  if (value === '' || value === '~' || RESERVED_WORDS.has(value)) return true;
  if (isKey) return /^[-+.0-9]/.test(value);
  if (PLAIN_NUMBER.test(value) || /[[\]{},]|[ \t]#|:[ \t]/.test(value)) return true;
  return false;
}

/**
 * Strings Jackson writes plain though YAML 1.2 reads them as numbers: tagged as the number they
 * read as, so that js-yaml prints them plain, without quotes or `!!str`. Values only: Jackson
 * quotes a key that starts like a number.
 */
function plainLikeJackson(documents: Document[]): void {
  visit(documents, (node, { isKey }) => {
    if (isKey || node.kind !== 'scalar' || node.tag !== STRING_TAG || !/^[-+.0-9]/.test(node.value)) return;
    const value = node.value;
    if (jacksonQuotes(value, false) || !PRINTABLE.test(value) || value.includes('\n')) return;
    const tag = CORE_SCHEMA.resolveImplicitScalarTag(value).tag.tagName;
    if (NUMBER_TAGS.has(tag)) node.tag = tag;
  });
}

function allows(layout: ScalarLayout, style: number): boolean {
  return (layout.allowedStylesMask & (1 << style)) !== 0;
}

function jacksonScalarStyle(layout: ScalarLayout): void {
  const { node, isKey } = layout;
  if (layout.style !== SCALAR_STYLE.PLAIN || node.tag !== STRING_TAG) return;
  const value = node.value;
  if (!PRINTABLE.test(value)) {
    layout.style = SCALAR_STYLE.DOUBLE_QUOTED;
  } else if (value.includes('\n')) {
    const blockable = !isKey && allows(layout, SCALAR_STYLE.LITERAL_BLOCK) && !/[ \t]\n|[ \t]$/.test(value);
    layout.style = blockable ? SCALAR_STYLE.LITERAL_BLOCK : SCALAR_STYLE.DOUBLE_QUOTED;
  } else if (jacksonQuotes(value, isKey)) {
    layout.style = SCALAR_STYLE.DOUBLE_QUOTED;
  } else if (value === '=' && !isKey) {
    // js-yaml will not write `=` plain (YAML 1.1's "value" key); SnakeYAML does, and ThoughtSpot
    // exports `oper: =` so (test/fixtures/real-tml: Mike's Demo With Styling). YAML 1.2 reads it as "=".
    layout.allowedStylesMask |= 1 << SCALAR_STYLE.PLAIN;
  } else if (!allows(layout, SCALAR_STYLE.PLAIN)) {
    const looksTyped = CORE_SCHEMA.resolveImplicitScalarTag(value).tag.tagName !== STRING_TAG;
    layout.style = !looksTyped && allows(layout, SCALAR_STYLE.SINGLE_QUOTED) ? SCALAR_STYLE.SINGLE_QUOTED : SCALAR_STYLE.DOUBLE_QUOTED;
  }
}
