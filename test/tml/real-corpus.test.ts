import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { format, parse, resolveReferences, toJson, validate } from '../../src/tml/index.js';
import type { TmlDocument } from '../../src/tml/index.js';

/**
 * The real-TML corpus of issue 18 (test/fixtures/real-tml, sources and marks in its README):
 * every file parses, every ThoughtSpot export comes back byte for byte, and no export gets a
 * validation error that ThoughtSpot would not raise.
 */
const root = new URL('../fixtures/real-tml/', import.meta.url);
const readme = readFileSync(new URL('README.md', root), 'utf8');

type Mark = 'export' | 'old-export' | 'hand';
/** `<kind>/<source>--<file>` → `export` | `old-export` | `hand`, from the README's file table. */
const marks = new Map(
  [...readme.matchAll(/^\| `([^`]+\/[^`]+\.tml)` \|[^|]*\|[^|]*\| (export|old-export|hand) \|/gm)].map((m) => [m[1] as string, m[2] as Mark]),
);
const files = readdirSync(root, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .flatMap((dir) => readdirSync(new URL(`${dir.name}/`, root)).map((name) => `${dir.name}/${name}`))
  .sort();
const exports = files.filter((file) => marks.get(file) === 'export');
/** Exports of ThoughtSpot 7.x (2021), whose exporter wrote the key `y` plain; today's quotes it (README: the canonical form). */
const oldExports = files.filter((file) => marks.get(file) === 'old-export');
const isExport = (file: string | undefined): boolean => ['export', 'old-export'].includes(marks.get(file ?? '') ?? '');
// The README marks 87 files as exports: a table the pattern no longer reads must fail here, not run no case.
if (exports.length < 70) throw new Error(`test/fixtures/real-tml/README.md: ${exports.length} files marked export, expected at least 70`);
const read = (file: string): string => readFileSync(new URL(file, root), 'utf8');
/** Each file parsed once for the suite (the cases only read the documents), by the case that checks it parses. */
const parsed = new Map<string, TmlDocument>();
function load(file: string): TmlDocument {
  const doc = parsed.get(file) ?? parse(read(file), { file });
  parsed.set(file, doc);
  return doc;
}
const sourceOf = (file: string): string => file.slice(file.indexOf('/') + 1, file.indexOf('--'));

/**
 * Each source's files validated together, as the README's findings were, so that references
 * inside a source resolve. Once for the file: four cases read it, and validating every file of
 * the corpus is most of this suite's time.
 */
let validation: ReturnType<typeof validate> | undefined;
function validateBySource(): ReturnType<typeof validate> {
  const sources = [...new Set(files.map(sourceOf))];
  validation ??= sources.flatMap((source) => validate(files.filter((file) => sourceOf(file) === source).map(load)));
  return validation;
}

describe('the real-TML corpus (issue 18)', () => {
  it('has a mark in the README for every file, and the README lists no file that is missing', () => {
    expect(files.length).toBeGreaterThanOrEqual(100);
    expect(files.filter((file) => !marks.has(file))).toEqual([]);
    expect([...marks.keys()].filter((file) => !files.includes(file))).toEqual([]);
  });

  it.each(files)('parses %s', (file) => {
    const doc = load(file);
    expect(doc.kind).toBe(file.slice(0, file.indexOf('/')));
  });

  it.each(exports)('writes the export %s back byte for byte', (file) => {
    const text = read(file);
    const doc = parse(text, { file });
    expect(doc.format === 'json' ? toJson(doc) : format(doc)).toBe(text);
  });

  it.each(oldExports)('writes the 7.x export %s as today\'s exporter does: the `y` keys quoted, nothing else changed', (file) => {
    const text = read(file);
    expect(text).toMatch(/^ +y:$/m);
    expect(format(parse(text, { file }))).toBe(text.replace(/^( +)y:$/gm, '$1"y":'));
  });

  it('gives no export a validation error, references to objects not collected aside', () => {
    // The corpus holds parts of each source, not whole instances: a reference to an object that
    // was not collected is missing here, not in the source (README "Unresolved references").
    const errors = validateBySource().filter((issue) => issue.severity === 'error' && issue.code !== 'missing-reference');
    expect(errors.filter((issue) => isExport(issue.file)).map((issue) => issue.message)).toEqual([]);
  });

  it('knows every field of every export: no unknown-field warning, so validate reports only real problems', () => {
    const unknown = validateBySource().filter((issue) => issue.code === 'unknown-field' && isExport(issue.file));
    expect(unknown.map((issue) => issue.message)).toEqual([]);
  });

  it('holds no mapping key that is an array index in any export (README: the canonical form)', () => {
    const indexKeys = (value: unknown, at: string): string[] => {
      if (Array.isArray(value)) return value.flatMap((item, i) => indexKeys(item, `${at}[${i}]`));
      if (value === null || typeof value !== 'object') return [];
      return Object.entries(value).flatMap(([key, inner]) => [...(/^(?:0|[1-9]\d*)$/.test(key) ? [`${at}.${key}`] : []), ...indexKeys(inner, `${at}.${key}`)]);
    };
    expect(exports.flatMap((file) => indexKeys(load(file).data, file))).toEqual([]);
  });

  it('accepts the Falcon tables of cs_tools, which have no connection', () => {
    const falcon = files.filter((file) => /^table\/cs_tools--(falcon_table_info|introspect_)/.test(file));
    expect(falcon).toHaveLength(5);
    const errors = validateBySource().filter((issue) => issue.severity === 'error' && issue.code !== 'missing-reference' && falcon.includes(issue.file ?? ''));
    expect(errors.map((issue) => issue.message)).toEqual([]);
  });

  it('reads the row-level security rules of a YAML export, which name their own table by fqn', () => {
    const doc = load('table/ts_version_control--DIM_RETAPP_PRODUCTS.287df18d-a6db-4b8e-bdbf-169b664daeaa.table.tml');
    const rls = doc.body.rls_rules as { rules: { name: string; expr: string }[] };
    expect(rls.rules).toEqual([{ name: 'RLS Rule Product Category', expr: 'ts_groups = [DIM_RETAPP_PRODUCTS_1::Product Category]' }]);
    const own = resolveReferences([doc]).filter(({ reference }) => reference.path.includes('rls_rules'));
    expect(own.map(({ resolution }) => resolution.status === 'resolved' && resolution.target.document === doc)).toEqual([true]);
  });

  it('reads the ${PARAMETER:…} in a liveboard\'s titles as the text ThoughtSpot substitutes at display time', () => {
    type Viz = { answer?: { dynamic_name?: string; answer_columns?: { dynamic_title?: string }[] } };
    const doc = load('liveboard/de_thoughtspot_cicd--Search.636fc994-527b-4efa-bb8d-62345ca6b66e.liveboard.tml');
    const answer = (doc.body.visualizations as Viz[])[3]!.answer!;
    const parameter = '[${PARAMETER:User Parameter}]';
    expect([answer.dynamic_name, answer.answer_columns![1]!.dynamic_title]).toEqual([`Most searches performed by ${parameter}`, parameter]);
    expect(validateBySource().filter((issue) => issue.file === doc.file && issue.code !== 'missing-reference')).toEqual([]);
  });

  it('reads every cohort, simple and advanced, on the worksheet it stands on', () => {
    const cohorts = files.filter((file) => file.startsWith('cohort/')).map(load);
    const worksheetOf = (doc: TmlDocument): string | undefined => (doc.body.worksheet as { name?: string } | undefined)?.name;
    expect(cohorts.map((doc) => [doc.name, (doc.body.config as { cohort_type?: string }).cohort_type, worksheetOf(doc)])).toEqual([
      ['First Purchase Date', 'ADVANCED', '(Sample) Retail - Apparel'],
      ['Region Groupings', 'SIMPLE', '(Sample) Retail - Apparel'],
      ['Customer State set', 'ADVANCED', 'TEST_SV_DMSI_AI_CONTEXT'],
      ['Focus Categories', 'SIMPLE', 'TEST_SV_DMSI_AI_CONTEXT'],
      ['State_TopN', 'ADVANCED', 'US_WINE_PRODUCTION'],
    ]);
  });
});
