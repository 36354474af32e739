import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { applyMapping, format, invertMapping, parse } from '../../src/tml/index.js';

const table = parse(readFileSync(new URL('../fixtures/tml/DUMMY.table.tml', import.meta.url), 'utf8'));
const mapping = {
  guids: new Map([['7fd39fdb-9dfe-4954-b5dd-9a5d846085b0', 'env-table-guid'], ['c-dev', 'c-prod']]),
  connections: { 'Retail - Apparel': 'Retail - Apparel PROD' },
  databases: { PMMDB: 'PMMDB_PROD' },
  schemas: { RETAILAPPAREL: 'ANALYTICS' },
};

describe('mappings', () => {
  it('maps a table forward: guid, connection name, database and schema', () => {
    const mapped = applyMapping(table, mapping);
    expect(mapped.guid).toBe('env-table-guid');
    expect(mapped.body).toMatchObject({ db: 'PMMDB_PROD', schema: 'ANALYTICS', connection: { name: 'Retail - Apparel PROD' } });
    // Join destinations are tables, not connections: their names stay.
    expect((mapped.body.joins_with as { destination: { name: string } }[])[0]!.destination.name).toBe('(Sample) Retail - Apparel');
  });

  it('maps fqns through the GUID map', () => {
    const answer = parse('answer:\n  name: A\n  tables:\n  - id: M\n    name: M\n    fqn: c-dev\n  search_query: "[x]"\n');
    expect(format(applyMapping(answer, mapping))).toContain('fqn: c-prod');
  });

  it('gives back the canonical bytes when mapped forward then backward', () => {
    const text = readFileSync(new URL('../fixtures/tml/DUMMY.table.tml', import.meta.url), 'utf8');
    expect(format(applyMapping(applyMapping(table, mapping), invertMapping(mapping)))).toBe(text);
  });

  it('leaves documents without mapped values byte-identical', () => {
    const text = readFileSync(new URL('../fixtures/tml/DUMMY.liveboard.tml', import.meta.url), 'utf8');
    expect(format(applyMapping(parse(text), mapping))).toBe(text);
  });
});
