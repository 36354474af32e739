import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { format, parse, validate } from '../../src/tml/index.js';

/**
 * Issue 18: `${PARAMETER:…}` and `{{ … }}` inside titles and formulas. The corpus holds a real
 * `${PARAMETER:…}` in titles (de_thoughtspotCICD's Search liveboard); no public source showed one
 * in a formula, nor a `{{ … }}`. So they are written here into a real export (cs_tools' BI Server
 * worksheet): a formula, a column's name and its description, where a templating pipeline puts
 * them. tmlsync must keep them as text: never substitute them (configuration `${VAR}`s are
 * substituted in configuration files only), write them so that YAML reads them back unchanged
 * (`{` starts a flow mapping unless quoted), and not call them invalid.
 */
const WORKSHEET = readFileSync(new URL('../fixtures/real-tml/worksheet/cs_tools--CS Tools - BI Server.worksheet.tml', import.meta.url), 'utf8');

const PLACEHOLDERS = {
  expr: "if ( [TS_BI_SERVER_1::INCIDENT_ID] = '{{ incident }}' ) then ${PARAMETER:Bonus Points} else 0",
  name: '{{ env }} Group',
  description: '${PARAMETER:Region} givers, {{ quarter }}',
};

interface Body {
  formulas: { expr: string }[];
  worksheet_columns: { name: string; description: string }[];
}

function withPlaceholders(): string {
  const doc = parse(WORKSHEET, { file: 'BI Server.worksheet.tml' });
  const worksheet = doc.data.worksheet as unknown as Body;
  worksheet.formulas[0]!.expr = PLACEHOLDERS.expr;
  worksheet.worksheet_columns[0]!.name = PLACEHOLDERS.name;
  worksheet.worksheet_columns[0]!.description = PLACEHOLDERS.description;
  return format(doc.data);
}

describe('placeholders inside TML values', () => {
  it('writes them so that they read back as the same text, and writes that text again byte for byte', () => {
    const text = withPlaceholders();
    const back = parse(text, { file: 'BI Server.worksheet.tml' }).data.worksheet as unknown as Body;
    expect(back.formulas[0]!.expr).toBe(PLACEHOLDERS.expr);
    expect(back.worksheet_columns[0]!.name).toBe(PLACEHOLDERS.name);
    expect(back.worksheet_columns[0]!.description).toBe(PLACEHOLDERS.description);
    expect(format(parse(text).data)).toBe(text);
  });

  it('leaves the rest of the real export as ThoughtSpot wrote it', () => {
    const changed = withPlaceholders().split('\n');
    const original = WORKSHEET.split('\n');
    const gone = original.filter((line) => !changed.includes(line));
    const added = changed.filter((line) => !original.includes(line));
    expect(gone).toEqual(['    expr: "unique count ( [TS_BI_SERVER_1::INCIDENT_ID] )"', '  - name: Group', '    description: ThoughtSpot Group']);
    expect(added).toHaveLength(3);
    expect(changed).toHaveLength(original.length);
  });

  it('finds nothing wrong with them', () => {
    const issues = validate([parse(withPlaceholders(), { file: 'BI Server.worksheet.tml' })]).filter((issue) => issue.code !== 'missing-reference');
    expect(issues).toEqual([]);
  });
});
