import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/index.js';
import { queueCommits } from '../../src/sync/export/commit.js';
import { decide, decideDeletions, lastBatch, type DecideContext } from '../../src/sync/export/decide.js';
import { ledgerWrite } from '../../src/sync/export/record.js';
import { changedPaths, startState, type ExportRun, type ExportState } from '../../src/sync/export/types.js';
import { RECONCILE_MS, type ListingMode } from '../../src/sync/export/listing.js';
import { exportBatch } from '../../src/sync/export/write.js';
import { objectPath } from '../../src/sync/kernel/layout.js';
import { emptyLedger, type Ledger } from '../../src/sync/kernel/ledger.js';
import type { ContentCommits, ContentRepo, ExportedObject, Header, Identity, ThoughtSpotPort } from '../../src/sync/ports.js';
import { startRun } from '../../src/sync/kernel/report.js';
import { TreeWriter } from '../../src/sync/kernel/tree-writer.js';
import { putFile } from './fake-ports.js';
import { writtenLedger } from '../support/ledger.js';

/** The decide and write phases as a full listing runs them (the listing mode matters only to the deletions and the record). */
const FULL: ListingMode = { kind: 'full', reason: 'first run' };

const TMLSYNC: Identity = { name: 'tmlsync', email: 'tmlsync@example.invalid' };
const guid = (n: number) => `7b1a0000-0000-0000-0000-00000000000${n}`;
const tableText = (name: string) => `guid: x\ntable:\n  name: ${name}\n  db: D\n  schema: S\n  db_table: ${name.toUpperCase()}\n  connection:\n    name: Conn\n  columns:\n  - name: Region\n    db_column_name: REGION\n    properties:\n      column_type: ATTRIBUTE\n    db_column_properties:\n      data_type: VARCHAR\n`;
const header = (n: number, modified = 1, modifiedBy?: string): Header => ({ id: guid(n), name: `Table ${n}`, modified, ...(modifiedBy ? { modifiedBy } : {}) });
const pathOf = (n: number) => objectPath('table', `Table ${n}`, guid(n));

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tmlsync-export-phases-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A ledger that knows objects 1..n as exported at `modified` 1. */
function ledgerOf(...ns: number[]): Ledger {
  const ledger = emptyLedger();
  for (const n of ns) ledger.objects[guid(n)] = { kind: 'table', name: `Table ${n}`, path: pathOf(n), modified: 1 };
  return ledger;
}

const context = (batchSize = 50, skip: string[] = []): DecideContext => ({ dir, skip: new Set(skip), batchSize });

describe('the decide phase of an export', () => {
  it('finds new and changed objects due, and leaves those the ledger holds as they are', () => {
    const state = startState(ledgerOf(1, 2, 3), FULL);
    putFile(dir, pathOf(1), 'old\n');
    putFile(dir, pathOf(2), 'old\n');
    // 1: same `modified`, file there; 2: modified since; 3: same `modified` but its file was deleted in git; 4: new.
    const full = decide(state, [header(1), header(2, 5), header(3), header(4)], context());
    expect(full).toEqual([]);
    expect(lastBatch(state).map((batch) => batch.map((h) => h.id))).toEqual([[guid(2), guid(3), guid(4)]]);
    expect(state.results).toEqual([{ id: guid(1), kind: 'table', name: 'Table 1', outcome: 'unchanged', path: pathOf(1) }]);
    expect(state.due).toBe(3);
  });

  it('hands over each batch as soon as it is full, and ignores a header listed twice and the objects to skip', () => {
    const state = startState(emptyLedger(), FULL);
    const full = decide(state, [header(1), header(2, 7), header(1, 9), header(3), header(4), header(5)], context(2, [guid(3)]));
    expect(full.map((batch) => batch.map((h) => h.id))).toEqual([[guid(1), guid(2)], [guid(4), guid(5)]]);
    expect(lastBatch(state)).toEqual([]);
    expect(state.listed.size).toBe(5);
    // The newest `modified` of the objects listed (the repeat of 1 is not one of them).
    expect(state.newest).toBe(7);
  });

  it('finds deleted what the ledger knew and the listing no longer shows, removing the file only where it still is', () => {
    const state = startState(ledgerOf(1, 2, 3, 4), FULL);
    putFile(dir, pathOf(2), 'old\n');
    decide(state, [header(1)], context(50, [guid(4)]));
    decideDeletions(state, context(50, [guid(4)]));
    expect(state.results.filter((r) => r.outcome === 'deleted').map((r) => r.id)).toEqual([guid(2), guid(3)]);
    expect(state.deletions.map(changedPaths)).toEqual([[pathOf(2)]]);
    expect(Object.keys(state.ledger.objects)).toEqual([guid(1), guid(4)]);
  });
});

/** A ThoughtSpot whose export of a batch holding `failBatchWith` fails as a whole; `errorFor` comes back as an error, `missing` not at all. */
function fakeThoughtSpot(options: { failBatchWith?: string; errorFor?: string; missing?: string } = {}) {
  const calls: string[][] = [];
  const port = {
    exportTml(ids: string[]): Promise<ExportedObject[]> {
      calls.push(ids);
      if (options.failBatchWith && ids.includes(options.failBatchWith)) return Promise.reject(new Error('503 Service Unavailable'));
      return Promise.resolve(ids.filter((id) => id !== options.missing).map((id): ExportedObject => {
        if (id === options.errorFor) return { id, error: 'no permission' };
        const n = Number(id.slice(-1));
        return { id, type: 'LOGICAL_TABLE', name: `Table ${n}`, edoc: tableText(`Table ${n}`) };
      }));
    },
  } as unknown as ThoughtSpotPort;
  return { port, calls };
}

/** Commits that only note what they are given. */
function fakeCommits() {
  const files = new Map<string, string>();
  const made: { paths: string[]; message: string; author: Identity }[] = [];
  const commits: ContentCommits = {
    file: (path, text) => void files.set(path, text),
    commit: (paths, message, author) => void made.push({ paths, message, author }),
    finish: () => Promise.resolve(made.map((_, i) => `commit-${i + 1}`)),
    expect: () => undefined,
    discard: () => Promise.resolve(),
  };
  return { commits, files, made };
}

/** A repository that is only its working tree: the export's phases write state through ledgerWrite's result, not the repository. */
function fakeRepo(): ContentRepo {
  return { dir } as unknown as ContentRepo;
}

function exportRun(thoughtspot: ThoughtSpotPort, repo: ContentRepo, files: TreeWriter, commits: ContentCommits | undefined): ExportRun {
  const options = { environment: { name: 'dev', branch: 'dev' }, thoughtspot, repo, committer: TMLSYNC, log: silentLogger(), runId: 'run-1' };
  return { options, run: startRun('export', 'dev', options), batchSize: 2, skip: new Set(), files, commits };
}

describe('the write phase of an export', () => {
  let files: TreeWriter;
  beforeEach(() => {
    files = new TreeWriter(dir);
  });
  afterEach(() => files.close());

  it('reports each object of a failed batch as failed, and writes the objects of the other batches', async () => {
    const { port, calls } = fakeThoughtSpot({ failBatchWith: guid(1) });
    const { commits, files: handed } = fakeCommits();
    const step = exportRun(port, fakeRepo(), files, commits);
    const state = startState(ledgerOf(1), FULL);
    await Promise.all([exportBatch(step, state, [header(1), header(2)]), exportBatch(step, state, [header(3, 1, 'user-1')])]);
    await files.settled();
    expect(calls).toEqual([[guid(1), guid(2)], [guid(3)]]);
    expect(state.results.map((r) => [r.id, r.outcome, r.error])).toEqual([
      [guid(1), 'failed', '503 Service Unavailable'],
      [guid(2), 'failed', '503 Service Unavailable'],
      [guid(3), 'added', undefined],
    ]);
    expect(readFileSync(join(dir, pathOf(3)), 'utf8')).toContain('name: Table 3');
    expect([...handed.keys()]).toEqual([pathOf(3)]);
    expect(state.changes).toEqual([{ result: expect.objectContaining({ id: guid(3) }), modifiedBy: 'user-1' }]);
    expect(state.changes.map(changedPaths)).toEqual([[pathOf(3)]]);
    // A failed object keeps what the ledger knew of it, so that the next run tries it again.
    expect(Object.keys(state.ledger.objects)).toEqual([guid(1), guid(3)]);
    expect(state.done).toBe(3);
  });

  it('reports an object the answer refused or left out, naming why, and writes the rest of its batch', async () => {
    const { port } = fakeThoughtSpot({ errorFor: guid(1), missing: guid(2) });
    const step = exportRun(port, fakeRepo(), files, undefined);
    const state = startState(emptyLedger(), FULL);
    await exportBatch(step, state, [header(1), header(2), header(3)]);
    await files.settled();
    expect(state.results.map((r) => [r.id, r.outcome, r.error])).toEqual([
      [guid(1), 'failed', 'no permission'],
      [guid(2), 'failed', 'missing from the export answer'],
      [guid(3), 'added', undefined],
    ]);
  });

  it('finds an object unchanged when its file already holds the exported text', async () => {
    const { port } = fakeThoughtSpot();
    const step = exportRun(port, fakeRepo(), files, undefined);
    const first = startState(emptyLedger(), FULL);
    await exportBatch(step, first, [header(1)]);
    await files.settled();
    const second = startState(first.ledger, FULL);
    await exportBatch(step, second, [header(1, 2)]);
    await files.settled();
    expect(second.results.map((r) => r.outcome)).toEqual(['unchanged']);
    expect(second.changes).toEqual([]);
  });
});

describe('the commit and record phases of an export', () => {
  function changedState(): ExportState {
    const state = startState(ledgerOf(9), FULL);
    state.ledger.objects[guid(1)] = { kind: 'table', name: 'Table 1', path: pathOf(1), modified: 1 };
    state.changes.push({ result: { id: guid(1), kind: 'table', name: 'Table 1', outcome: 'added', path: pathOf(1) }, modifiedBy: 'user-1' });
    delete state.ledger.objects[guid(9)];
    state.deletions.push({ result: { id: guid(9), kind: 'table', name: 'Table 9', outcome: 'deleted', path: pathOf(9) } });
    return state;
  }

  it('commits each change as its ThoughtSpot author and the deletions as tmlsync', async () => {
    const { commits, made } = fakeCommits();
    const step = exportRun(fakeThoughtSpot().port, fakeRepo(), files(), commits);
    const listed = { users: [{ id: 'user-1', name: 'ana', modified: 0 }], principals: [{ name: 'ana', displayName: 'Ana Lima', mail: 'ana@example.com', principalTypeEnum: 'LOCAL_USER' }], privileges: [] };
    expect(queueCommits(step, commits, changedState(), listed)).toBe(2);
    expect(await commits.finish()).toEqual(['commit-1', 'commit-2']);
    expect(made.map((c) => [c.paths, c.message.split('\n')[0], c.author.name])).toEqual([
      [[pathOf(1)], 'export(dev): 1 object by Ana Lima', 'Ana Lima'],
      [[pathOf(9)], 'export(dev): 1 object', 'tmlsync'],
    ]);
  });

  it('writes the ledger as the run leaves it', async () => {
    const written = ledgerWrite(exportRun(fakeThoughtSpot().port, fakeRepo(), files(), undefined), changedState(), false);
    expect([written?.ref, written?.message]).toEqual(['refs/tmlsync/dev/export', 'export(dev): ledger after run run-1']);
    const ledger = await writtenLedger(written!);
    expect(Object.keys(ledger.objects)).toEqual([guid(1)]);
    expect(ledger.lastExport).toBeDefined();
  });

  it('leaves the ledger alone when an incremental run committed nothing, no object changed and the watermark stayed', () => {
    const ledger = { ...ledgerOf(1), watermark: 5, lastFullListing: '2026-01-01T00:00:00.000Z' };
    expect(ledgerWrite(exportRun(fakeThoughtSpot().port, fakeRepo(), files(), undefined), startState(ledger, { kind: 'incremental', since: 0 }), false)).toBeUndefined();
  });

  it('records the ledger of an incremental run that committed nothing when an object was learned anew, and not when it was learned as it was', async () => {
    const ledger = { ...ledgerOf(1, 2), watermark: 5, lastFullListing: '2026-01-01T00:00:00.000Z' };
    const step = exportRun(fakeThoughtSpot().port, fakeRepo(), files(), undefined);
    const same = startState(ledger, { kind: 'incremental', since: 0 });
    same.ledger.objects[guid(1)] = { ...ledger.objects[guid(1)]! };
    expect(ledgerWrite(step, same, false)).toBeUndefined();
    const moved = startState(ledger, { kind: 'incremental', since: 0 });
    moved.ledger.objects[guid(2)] = { ...ledger.objects[guid(2)]!, modified: 3 };
    expect((await writtenLedger(ledgerWrite(step, moved, false)!)).objects[guid(2)]?.modified).toBe(3);
  });

  it('records the time of a full listing, and the newest modification listed as the watermark', async () => {
    const state = startState(ledgerOf(1), FULL);
    decide(state, [{ id: guid(1), name: 'one', modified: 42 }], context());
    const step = exportRun(fakeThoughtSpot().port, fakeRepo(), files(), undefined);
    const written = await writtenLedger(ledgerWrite(step, state, false)!);
    expect(written).toMatchObject({ watermark: 42, lastFullListing: new Date(step.run.started).toISOString() });
  });

  it('leaves the ledger alone after a full listing that found nothing new while the recorded one is under half a reconcile interval old, and records one that is older', async () => {
    const step = exportRun(fakeThoughtSpot().port, fakeRepo(), files(), undefined);
    const listedAgo = (ms: number) => {
      const state = startState({ ...ledgerOf(1), watermark: 1, lastFullListing: new Date(step.run.started - ms).toISOString() }, FULL);
      expect(decide(state, [header(1)], context())).toEqual([]);
      return state;
    };
    expect(ledgerWrite(step, listedAgo(RECONCILE_MS / 2 - 1_000), false)).toBeUndefined();
    const written = await writtenLedger(ledgerWrite(step, listedAgo(RECONCILE_MS / 2), false)!);
    expect(written.lastFullListing).toBe(new Date(step.run.started).toISOString());
  });

  /** The commit and record phases never touch the writer. */
  function files(): TreeWriter {
    return {} as TreeWriter;
  }
});
