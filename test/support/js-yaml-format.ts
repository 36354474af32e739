import { CORE_SCHEMA, DEFAULT_SCALAR_STYLE_RULES, SCALAR_STYLE, dump, floatCoreTag, intCoreTag, visit } from 'js-yaml';
import type { Document, Node, ScalarLayout } from 'js-yaml';
import { isMap } from '../../src/tml/index.js';
import type { TmlMap, TmlValue } from '../../src/tml/index.js';
import { canonicalOrder, jacksonQuotes, PRINTABLE } from '../../src/tml/format.js';
import { orderedKeys, writtenForm } from '../../src/tml/numbers.js';

/**
 * The oracle of the YAML writer's differential test (test/tml/yaml-writer.test.ts): canonical
 * TML text as format() made it up to 2026-12-06, through js-yaml's dump() with a scalar style
 * rule of Jackson's quoting and a transform that puts each number's written form into js-yaml's
 * tree. format() now writes the text itself (issue 16: dump built a whole node tree per object
 * and was some 40 % of the full export's event loop); this is the reference it must agree with,
 * byte for byte, for any data. It shares Jackson's rules (jacksonQuotes, PRINTABLE) and the
 * identity keys' place (canonicalOrder) with
 * format(), so what it checks is the writing: layout, which strings YAML lets stand plain,
 * quoting, escapes, literal blocks.
 */
export function formatWithJsYaml(input: TmlMap): string {
  const data = canonicalOrder(input);
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

const STRING_TAG = CORE_SCHEMA.defaultScalarTag.tagName;
const NUMBER_TAGS: ReadonlySet<string> = new Set([intCoreTag.tagName, floatCoreTag.tagName]);

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
    layout.allowedStylesMask |= 1 << SCALAR_STYLE.PLAIN;
  } else if (!allows(layout, SCALAR_STYLE.PLAIN)) {
    const looksTyped = CORE_SCHEMA.resolveImplicitScalarTag(value).tag.tagName !== STRING_TAG;
    layout.style = !looksTyped && allows(layout, SCALAR_STYLE.SINGLE_QUOTED) ? SCALAR_STYLE.SINGLE_QUOTED : SCALAR_STYLE.DOUBLE_QUOTED;
  }
}

/** Puts the written forms into the tree js-yaml built from `data`: mapping items in the data's key order, list items in its order. */
function writeNumberForms(documents: Document[], data: TmlValue): void {
  const root = documents[0]?.contents;
  if (root) visitNode(root, data);
}

function visitNode(node: Node, data: TmlValue): void {
  if (node.kind === 'mapping' && isMap(data)) {
    // dump() leaves out a pair whose value is undefined. The format of 2026-12-05 paired the items
    // with every key, so that a number after such a pair took the form of the one before it.
    const keys = Object.keys(data).filter((key) => data[key] !== undefined);
    node.items.forEach((item, i) => {
      const key = keys[i];
      if (key !== undefined) visitChild(item.value, data, key, data[key]);
    });
    const order = orderedKeys(data);
    const rank = new Map(order.map((key, i) => [key, i]));
    const at = (item: (typeof node.items)[number]) => (item.key.kind === 'scalar' ? (rank.get(item.key.value) ?? order.length) : order.length);
    node.items.sort((a, b) => at(a) - at(b));
  } else if (node.kind === 'sequence' && Array.isArray(data)) {
    node.items.forEach((item, i) => visitChild(item, data, i, data[i]));
  }
}

function visitChild(node: Node, container: object, key: string | number, value: TmlValue | undefined): void {
  if (value === undefined) return;
  if (typeof value === 'number') {
    const text = node.kind === 'scalar' ? writtenForm(container, key, value) : undefined;
    if (node.kind !== 'scalar' || text === undefined) return;
    const tag = CORE_SCHEMA.resolveImplicitScalarTag(text).tag.tagName;
    if (!NUMBER_TAGS.has(tag)) return;
    node.value = text;
    node.tag = tag;
  } else if (typeof value === 'object' && value !== null) {
    visitNode(node, value);
  }
}
