import { describe, expect, it } from 'vitest';
import type { ImportAnswer, ImportPolicy, ThoughtSpotPort } from '../../src/sync/ports.js';
import { validateInTarget } from '../../src/sync/kernel/validate.js';
import { parse } from '../../src/tml/index.js';

const table = parse('guid: 7b1a0000-0000-0000-0000-000000000001\ntable:\n  name: Sales\n  db: D\n  schema: S\n  db_table: SALES\n  connection:\n    name: Conn\n  columns:\n  - name: Region\n    db_column_name: REGION\n    properties:\n      column_type: ATTRIBUTE\n    db_column_properties:\n      data_type: VARCHAR\n', { file: 'tml/table/sales.table.tml' });
const answer = (n: number) => parse(`answer:\n  name: Answer ${n}\n  tables:\n  - id: Sales\n    name: Sales\n  search_query: "[Region]"\n`, { file: `tml/answer/a${n}.answer.tml` });
const known = [{ kind: 'connection' as const, name: 'Conn', guid: 'c1' }];

/** A ThoughtSpot that only validates: it records each call and rejects documents whose text contains `reject`. */
function fakeThoughtSpot(reject: string | undefined, answered = true) {
  const calls: { documents: string[]; policy: ImportPolicy }[] = [];
  const port = {
    importTml(documents: string[], policy: ImportPolicy): Promise<ImportAnswer> {
      calls.push({ documents, policy });
      if (!answered) return Promise.resolve({ answered: false, error: 'socket hang up' });
      return Promise.resolve({ answered: true, results: documents.map((d) => (reject && d.includes(reject) ? { ok: false, error: 'column not found' } : { ok: true, id: '' })) });
    },
  } as unknown as ThoughtSpotPort;
  return { port, calls };
}

describe('the VALIDATE_ONLY gate', () => {
  it('sends dependency-ordered batches with VALIDATE_ONLY, each carrying the dependencies it needs', async () => {
    const { port, calls } = fakeThoughtSpot(undefined);
    const docs = [answer(1), answer(2), answer(3), table];
    const result = await validateInTarget(port, docs, known, 2);
    expect(result.findings).toEqual([]);
    expect(calls.map((c) => [c.policy, c.documents.length])).toEqual([['VALIDATE_ONLY', 2], ['VALIDATE_ONLY', 3]]);
    expect(result.batches.map((b) => b.map((d) => d.name))).toEqual([['Sales', 'Answer 1'], ['Sales', 'Answer 2', 'Answer 3']]);
  });

  it('reports a rejected document once, naming its file and object, though several batches carry it', async () => {
    const { port } = fakeThoughtSpot('SALES');
    const result = await validateInTarget(port, [answer(1), answer(2), table], known, 1);
    expect(result.findings).toEqual([
      { severity: 'error', source: 'thoughtspot', file: 'tml/table/sales.table.tml', object: 'table "Sales"', message: 'tml/table/sales.table.tml: table "Sales": column not found' },
    ]);
    expect([...result.rejected.values()]).toEqual(['column not found']);
  });

  it('stops when a batch gets no answer', async () => {
    const { port } = fakeThoughtSpot(undefined, false);
    await expect(validateInTarget(port, [table], known)).rejects.toThrow('validation of a batch got no answer: socket hang up');
  });
});
