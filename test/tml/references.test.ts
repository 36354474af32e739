import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromData, indexTargets, parse, resolveReferences, type KnownObject } from '../../src/tml/index.js';

const fixtures = new URL('../fixtures/tml/', import.meta.url);
const corpus = readdirSync(fixtures).filter((f) => f.endsWith('.tml') && !f.startsWith('BAD')).map((f) => parse(readFileSync(new URL(f, fixtures), 'utf8'), { file: f }));

describe('resolveReferences with known objects as a list or as a prebuilt index', () => {
  it('resolves the corpus the same either way', () => {
    const known: KnownObject[] = corpus.flatMap((d) => (d.guid ? [{ kind: d.kind, name: d.name, guid: d.guid }] : []));
    const answers = corpus.filter((d) => d.kind === 'answer' || d.kind === 'liveboard');
    const fromList = resolveReferences(answers, { known });
    expect(fromList.length).toBeGreaterThan(0);
    expect(resolveReferences(answers, { known: indexTargets(known) })).toEqual(fromList);
  });

  it('takes a known object with a document\'s GUID as that document, and finds one by name only once', () => {
    const table = fromData({ guid: 'g-table', table: { name: 'Sales', db: 'D', schema: 'S', db_table: 'sales', connection: { name: 'C' }, columns: [] } });
    const worksheet = fromData({ guid: 'g-ws', worksheet: { name: 'W', tables: [{ name: 'Sales' }], worksheet_columns: [] } });
    const known: KnownObject[] = [{ kind: 'table', name: 'Sales', guid: 'g-table' }, { kind: 'table', name: 'Other', guid: 'g-other' }];
    for (const form of [known, indexTargets(known)]) {
      const [reference] = resolveReferences([table, worksheet], { known: form }).filter((r) => r.from === worksheet);
      expect(reference!.resolution).toMatchObject({ status: 'resolved', target: { guid: 'g-table', document: table } });
    }
    const stranger: KnownObject[] = [...known, { kind: 'table', name: 'Sales', guid: 'g-second' }];
    const [ambiguous] = resolveReferences([worksheet], { known: indexTargets(stranger) });
    expect(ambiguous!.resolution.status).toBe('ambiguous');
  });
});
