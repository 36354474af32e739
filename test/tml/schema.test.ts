import { describe, expect, it } from 'vitest';
import { parse, validate } from '../../src/tml/index.js';
import type { TmlIssue } from '../../src/tml/index.js';

const LIVEBOARD = `guid: 11111111-1111-1111-1111-111111111111
liveboard:
  name: Sales
  visualizations:
  - id: Viz_1
    answer:
      name: Revenue
      tables:
      - id: Orders
        name: Orders
        fqn: 22222222-2222-2222-2222-222222222222
      search_query: "[Revenue]"
      answer_columns:
      - name: Revenue
        format:
          category: NUMBER
          numberFormatConfig:
            decimals: 0.0
      parameter_values:
      - key: region
        value: West
  layout:
    tiles:
    - visualization_id: Viz_1
      x: 0
      y: 0
      height: 4
      width: 6
`;

/** The schema findings of one document (references to objects outside it aside). */
function findings(text: string, file = 'sales.liveboard.tml'): TmlIssue[] {
  return validate([parse(text, { file })]).filter((issue) => issue.code !== 'missing-reference');
}

describe('schema-checked fields (issue 18)', () => {
  it('finds nothing in a liveboard that ThoughtSpot would export', () => {
    expect(findings(LIVEBOARD)).toEqual([]);
  });

  it('warns of an unknown field with the closest known name, file and line', () => {
    const [issue, ...rest] = findings(LIVEBOARD.replace('  name: Sales\n', '  name: Sales\n  descripton: typo\n'));
    expect(rest).toEqual([]);
    expect(issue).toMatchObject({ severity: 'warning', code: 'unknown-field', file: 'sales.liveboard.tml', line: 4, path: 'liveboard->descripton' });
    expect(issue?.message).toContain('`descripton`: unknown field of `liveboard`, did you mean `description`?');
  });

  it('names the place of an unknown field deep in the document, and says nothing when no name is close', () => {
    const text = LIVEBOARD.replace('        format:\n', '        format:\n          colour_scheme_of_the_day: blue\n');
    const [issue] = findings(text);
    expect(issue?.message).toContain('`colour_scheme_of_the_day`: unknown field of `liveboard->visualizations(1st)->answer->answer_columns(1st)->format`');
    expect(issue?.message).not.toContain('did you mean');
    expect(issue?.line).toBe(16);
  });

  it('tells column_typ from column_type in a table', () => {
    const table = 'guid: t\ntable:\n  name: T\n  db: D\n  schema: S\n  db_table: T\n  connection:\n    name: C\n  columns:\n  - name: a\n    db_column_name: A\n    properties:\n      column_typ: ATTRIBUTE\n';
    const issues = validate([parse(table, { file: 't.table.tml' })]).filter((issue) => issue.code === 'unknown-field');
    expect(issues.map((issue) => [issue.line, issue.message.slice(issue.message.indexOf('`'))])).toEqual([[13, '`column_typ`: unknown field of `table->columns(1st)->properties`, did you mean `column_type`?']]);
  });

  it('refuses an enum value the definitions do not have, listing those they do', () => {
    const [issue, ...rest] = findings(LIVEBOARD.replace('category: NUMBER', 'category: NUMBERS'));
    expect(rest).toEqual([]);
    expect(issue).toMatchObject({ severity: 'error', code: 'invalid-enum', line: 16, path: 'liveboard->visualizations(1st)->answer->answer_columns(1st)->format->category' });
    expect(issue?.message).toContain('invalid value "NUMBERS" for "category"; allowed values are NUMBER, PERCENTAGE, CURRENCY, CUSTOM');
  });

  it.each([
    ['a list where a mapping belongs', '  layout:\n', '  layout:\n    - tiles\n  layout_old:\n', 'must be a map, not a list'],
    ['a word where a whole number belongs', '      width: 6\n', '      width: six\n', '"width" must be a whole number, not the string "six"'],
    ['a fraction where a whole number belongs', '      width: 6\n', '      width: 6.5\n', '"width" must be a whole number, not the number 6.5'],
    ['a word where a number belongs', 'decimals: 0.0', 'decimals: two', '"decimals" must be a number, not the string "two"'],
    ['a mapping where a string belongs', '      search_query: "[Revenue]"\n', '      search_query:\n        text: "[Revenue]"\n', '"search_query" must be a string, not a map'],
    ['a scalar where a list belongs', '  visualizations:\n  - id: Viz_1\n', '  visualizations:\n  - id: Viz_1\n    action_object_associations: none\n', 'must be a list, not the string "none"'],
  ])('refuses %s', (_what, from, to, message) => {
    const errors = findings(LIVEBOARD.replace(from, to)).filter((issue) => issue.code === 'invalid-type');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toContain(message);
  });

  it('accepts what protobuf reads: numbers as strings, true/false as words, JSON names and a placeholder anywhere', () => {
    const text = LIVEBOARD.replace('      width: 6\n', '      width: "6"\n')
      .replace('      height: 4\n', '      height: ${TILE_HEIGHT}\n')
      .replace('          category: NUMBER\n', '          category: NUMBER\n          isCategoryEditable: "true"\n')
      .replace('        format:\n', '        customName: Income\n        format:\n');
    expect(findings(text)).toEqual([]);
  });

  it('knows the fields of an exported query set (cohort) that the published definitions lack, and checks their types', () => {
    // As ThoughtSpot exported the "Customer State set" in 2026 (test/fixtures/real-tml/cohort/ts_agent_skills--Customer State set…).
    const cohort = `guid: 33333333-3333-3333-3333-333333333333
cohort:
  name: Top states
  worksheet:
    id: Sales
    name: Sales
  config:
    cohort_type: ADVANCED
    anchor_column_id: State
    return_column_id: State
    cohort_grouping_type: COLUMN_BASED
    hide_excluded_query_values: true
    group_excluded_query_values: Excluded values
    pass_thru_filter:
      accept_all: false
`;
    expect(findings(cohort, 'top.cohort.tml')).toEqual([]);
    const wrong = findings(cohort.replace('accept_all: false', 'accept_all: sometimes').replace('hide_excluded_query_values', 'hide_excluded_query_value'), 'top.cohort.tml');
    expect(wrong.map((issue) => [issue.severity, issue.code, issue.path])).toEqual([
      ['warning', 'unknown-field', 'cohort->config->hide_excluded_query_value'],
      ['error', 'invalid-type', 'cohort->config->pass_thru_filter->accept_all'],
    ]);
  });

  it('checks a JSON document like a YAML one, on its line', () => {
    const json = JSON.stringify({ guid: 'g', answer: { name: 'A', tables: [], search_query: '[x]', chart: { type: 'COLUMN', chart_columns: [{ column_id: 'x', type: 'SOMETHING' }] } } }, null, 2);
    const issues = findings(json, 'a.answer.tml').filter((issue) => issue.code === 'invalid-enum');
    expect(issues.map((issue) => [issue.line, issue.path])).toEqual([[12, 'answer->chart->chart_columns(1st)->type']]);
  });
});
