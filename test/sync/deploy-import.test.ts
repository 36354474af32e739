import { describe, expect, it } from 'vitest';
import { importChanges, type ImportStep } from '../../src/sync/deploy/import.js';
import type { Candidate, ChangeSet } from '../../src/sync/deploy/types.js';
import { deployLedgerFrom, emptyDeployLedger, type DeployLedger } from '../../src/sync/kernel/ledger.js';
import type { ContentRepo, Header, HeaderType, ImportAnswer, ImportPolicy, ThoughtSpotPort } from '../../src/sync/ports.js';
import { silentLogger } from '../../src/log/index.js';
import { format, parse } from '../../src/tml/index.js';

const TABLE_GUID = '7b1a0000-0000-0000-0000-000000000001';
const tableText = `guid: ${TABLE_GUID}\ntable:\n  name: Sales\n  db: D\n  schema: S\n  db_table: SALES\n  connection:\n    name: Conn\n  columns:\n  - name: Region\n    db_column_name: REGION\n    properties:\n      column_type: ATTRIBUTE\n    db_column_properties:\n      data_type: VARCHAR\n`;
const answerText = (n: number) => `guid: a0000000-0000-0000-0000-00000000000${n}\nanswer:\n  name: Answer ${n}\n  tables:\n  - id: Sales\n    name: Sales\n  search_query: "[Region]"\n`;

function candidate(text: string, path: string): Candidate {
  const doc = parse(text, { file: path });
  return { doc, path, text: format(doc), canonicalGuid: doc.guid!, action: 'create' };
}

/** A ThoughtSpot that creates what it is sent (new GUID per document) unless its text holds `refuse`; it can lose one answer. */
function fakeThoughtSpot(options: { refuse?: string; loseFirstAnswer?: boolean } = {}) {
  const created: { guid: string; name: string; type: HeaderType }[] = [];
  const imports: string[][] = [];
  let lose = options.loseFirstAnswer ?? false;
  const port = {
    importTml(documents: string[], _policy: ImportPolicy): Promise<ImportAnswer> {
      imports.push(documents);
      const results = documents.map((d) => {
        if (options.refuse && d.includes(options.refuse)) return { ok: false as const, error: 'refused' };
        const doc = parse(d);
        const guid = `env-${created.length + 1}`;
        created.push({ guid, name: doc.name, type: doc.kind === 'table' ? 'LOGICAL_TABLE' : 'QUESTION_ANSWER_BOOK' });
        return { ok: true as const, id: guid };
      });
      if (lose) {
        lose = false;
        return Promise.resolve({ answered: false, error: 'socket hang up' });
      }
      return Promise.resolve({ answered: true, results });
    },
    listHeaders(type: HeaderType, subtypes?: string[]): Promise<Header[]> {
      const wanted = created.filter((c) => c.type === type && (type !== 'LOGICAL_TABLE' || (subtypes ?? []).includes('ONE_TO_ONE_LOGICAL')));
      return Promise.resolve(wanted.map((c) => ({ id: c.guid, name: c.name, modified: 1 })));
    },
  } as unknown as ThoughtSpotPort;
  return { port, created, imports };
}

/** A repository that only keeps the state it is given. */
function fakeRepo() {
  const states: DeployLedger[] = [];
  const repo = {
    dir: '/nowhere',
    writeState(ref: string, files: Record<string, string>): Promise<void> {
      states.push(deployLedgerFrom(ref, (file) => files[file]));
      return Promise.resolve();
    },
  } as unknown as ContentRepo;
  return { repo, states };
}

function step(port: ThoughtSpotPort, repo: ContentRepo, candidates: Candidate[], rejected = new Map<Candidate, string>()): ImportStep {
  const set: ChangeSet = {
    run: { runId: 'run-1', environment: 'prod', loop: 'deploy', dryRun: false, started: 0, log: silentLogger() },
    commit: 'c0ffee', ledger: emptyDeployLedger(), candidates, changed: candidates, target: [{ kind: 'connection', name: 'Conn', guid: 'conn-1' }],
    mapping: { guids: new Map() }, plan: [], deletions: [],
  };
  return { set, thoughtspot: port, repo, policy: 'PARTIAL', batchSize: 1, mapped: new Map(candidates.map((c) => [c, c.doc])), ordered: candidates, rejected };
}

describe('the import phase of a deploy', () => {
  it('records what it is about to create before creating it, then imports in order with the GUIDs earlier batches got', async () => {
    const { port, imports } = fakeThoughtSpot();
    const { repo, states } = fakeRepo();
    const table = candidate(tableText, 'tml/table/sales.table.tml');
    const answer = candidate(answerText(1), 'tml/answer/a1.answer.tml');
    const s = step(port, repo, [table, answer]);
    const outcome = await importChanges(s);
    expect(Object.keys(states[0]!.pending ?? {})).toEqual([TABLE_GUID, answer.canonicalGuid]);
    expect(imports).toHaveLength(2);
    expect(outcome.results.map((r) => [r.name, r.outcome])).toEqual([['Sales', 'added'], ['Answer 1', 'added']]);
    expect(s.set.ledger.objects[TABLE_GUID]).toMatchObject({ envGuid: 'env-1', created: true });
    expect(s.set.mapping.guids.get(TABLE_GUID)).toBe('env-1');
  });

  it('skips the dependents of a table the target refuses, saying why, and sends nothing for them', async () => {
    const { port, imports } = fakeThoughtSpot({ refuse: 'db_table: SALES' });
    const { repo } = fakeRepo();
    const table = candidate(tableText, 'tml/table/sales.table.tml');
    const outcome = await importChanges(step(port, repo, [table, candidate(answerText(1), 'tml/answer/a1.answer.tml')]));
    expect(imports).toHaveLength(1);
    expect(outcome.results.map((r) => [r.name, r.outcome, r.error])).toEqual([
      ['Sales', 'failed', 'refused'],
      ['Answer 1', 'failed', 'skipped: depends on table "Sales", which failed'],
    ]);
    expect(outcome.failed).toEqual(new Set([TABLE_GUID, 'a0000000-0000-0000-0000-000000000001']));
  });

  it('reports a file the gate rejected as failed without sending it', async () => {
    const { port, imports } = fakeThoughtSpot();
    const { repo } = fakeRepo();
    const table = candidate(tableText, 'tml/table/sales.table.tml');
    const outcome = await importChanges(step(port, repo, [table], new Map([[table, 'column not found']])));
    expect(imports).toEqual([]);
    expect(outcome.results).toEqual([expect.objectContaining({ outcome: 'failed', error: 'rejected by prod: column not found' })]);
  });

  it('after a lost answer, counts what took effect instead of sending it again', async () => {
    const { port, imports, created } = fakeThoughtSpot({ loseFirstAnswer: true });
    const { repo } = fakeRepo();
    const outcome = await importChanges(step(port, repo, [candidate(tableText, 'tml/table/sales.table.tml')]));
    expect(imports).toHaveLength(1);
    expect(created).toHaveLength(1);
    expect(outcome.results).toEqual([expect.objectContaining({ name: 'Sales', outcome: 'added' })]);
  });
});

describe('the import phase of a first promotion', () => {
  it('sends the batches of one dependency level together, and a level only once the one before has landed', async () => {
    const { port } = fakeThoughtSpot();
    const inFlight: string[][] = [];
    const overlaps: string[][] = [];
    const slow = {
      ...port,
      async importTml(documents: string[], policy: ImportPolicy): Promise<ImportAnswer> {
        const names = documents.map((d) => parse(d).name);
        inFlight.push(names);
        overlaps.push(inFlight.flat());
        // Let every batch sent at once arrive before any answers.
        await new Promise((resolve) => setImmediate(resolve));
        inFlight.splice(inFlight.indexOf(names), 1);
        return port.importTml(documents, policy);
      },
    };
    const { repo } = fakeRepo();
    const answers = [1, 2, 3].map((n) => candidate(answerText(n), `tml/answer/a${n}.answer.tml`));
    const outcome = await importChanges(step(slow, repo, [candidate(tableText, 'tml/table/sales.table.tml'), ...answers]));
    // batchSize 1: the table alone, then the three answers (which all use it) in flight together.
    expect(overlaps).toEqual([['Sales'], ['Answer 1'], ['Answer 1', 'Answer 2'], ['Answer 1', 'Answer 2', 'Answer 3']]);
    expect(outcome.results.map((r) => r.outcome)).toEqual(['added', 'added', 'added', 'added']);
  });
});
