import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WorkflowEnvironment } from '../../src/sync/kernel/environment.js';
import { objectPath } from '../../src/sync/kernel/layout.js';
import { contentHash, emptyDeployLedger, emptyLedger, formatLedger, deployLedgerFrom, type DeployLedger } from '../../src/sync/kernel/ledger.js';
import { finishRun, startRun, type ObjectResult } from '../../src/sync/kernel/report.js';
import type { Conflict, Reconciled, SideChanges } from '../../src/sync/sync/changes.js';
import { readSides, recordAndPublish, type SyncedState } from '../../src/sync/sync/sync.js';
import { CONTENT_TYPES } from '../../src/sync/kernel/target.js';
import type { Identity } from '../../src/sync/ports.js';
import { DOWN_MS, fakeRepo, fakeThoughtSpot, putFile, slowListing } from './fake-ports.js';

/** The phases of a sync that read and record (readSides, recordAndPublish) called alone, over a fake ThoughtSpot and a fake repository. */

const DEV: WorkflowEnvironment = { name: 'dev', branch: 'dev', conflicts: 'manual' };
const DEPLOY_REF = 'refs/tmlsync/dev/deploy';
const TMLSYNC: Identity = { name: 'tmlsync', email: 'tmlsync@example.invalid' };
const guid = (n: number) => `7b1a0000-0000-0000-0000-00000000000${n}`;
const pathOf = (n: number) => objectPath('table', `Table ${n}`, guid(n));
const tableText = (n: number, description = 'sales') =>
  `guid: ${guid(n)}\ntable:\n  name: Table ${n}\n  description: ${description}\n  db: D\n  schema: S\n  db_table: T${n}\n  connection:\n    name: Conn\n`;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tmlsync-sync-phases-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function deployLedger(entries: Record<number, string>): DeployLedger {
  const ledger = emptyDeployLedger();
  for (const [n, text] of Object.entries(entries)) ledger.objects[guid(Number(n))] = { envGuid: guid(Number(n)), kind: 'table', name: `Table ${n}`, path: pathOf(Number(n)), hash: contentHash(text), created: false };
  return ledger;
}

const noChanges = (): SideChanges => ({ thoughtspot: new Map(), git: new Map(), unknown: [] });
const reconciled = (conflicts: Conflict[] = [], theirs: Record<string, string> = {}): Reconciled => ({ git: new Map(), agreed: new Set(), conflicts, theirs });

function synced(objects: ObjectResult[], extra: Partial<SyncedState> = {}): SyncedState {
  const run = startRun('export', 'dev', {});
  return { changes: noChanges(), reconciled: reconciled(), exported: finishRun(run, objects), skip: new Set(), ...extra };
}

describe('the read phase of a sync', () => {
  it('fetches and checks out the branch, reads both ledgers, lists every content type once, and reads the branch\'s files but connections', async () => {
    putFile(dir, pathOf(1), tableText(1));
    putFile(dir, objectPath('connection', 'Conn', 'c0000000-0000-0000-0000-000000000001'), 'guid: c0000000-0000-0000-0000-000000000001\nconnection:\n  name: Conn\n  type: SNOWFLAKE\n');
    const ledger = deployLedger({ 1: tableText(1) });
    const { repo, calls } = fakeRepo(dir, { [DEPLOY_REF]: { 'deploy.json': formatLedger(ledger) }, 'refs/tmlsync/dev/export': { 'ledger.json': formatLedger(emptyLedger()) } });
    const ts = fakeThoughtSpot([{ kind: 'table', name: 'Table 1', id: guid(1), modified: 7 }, { kind: 'table', name: 'Table 2', id: guid(2) }]);
    const sides = await readSides({ environment: DEV, thoughtspot: ts.port, repo, committer: TMLSYNC });
    expect(calls).toEqual(['fetch', 'checkout dev']);
    expect(ts.listed).toEqual([...CONTENT_TYPES]);
    expect([...sides.headers.keys()]).toEqual([guid(1), guid(2)]);
    expect(sides.deployLedger).toEqual(ledger);
    expect([...sides.files]).toEqual([[guid(1), { path: pathOf(1), text: tableText(1), kind: 'table', name: 'Table 1' }]]);
  });
  it('stops its listing when git\'s side fails, and reports git\'s failure once the listing has ended', async () => {
    const { repo, calls } = fakeRepo(dir);
    // The remote unreachable, and ThoughtSpot down.
    const failing = { ...repo, fetch: () => Promise.reject(new Error('git fetch failed: the remote cannot be reached')) };
    const slow = slowListing(fakeThoughtSpot([]).port, calls, DOWN_MS);
    await expect(readSides({ environment: DEV, thoughtspot: slow.port, repo: failing, committer: TMLSYNC })).rejects.toThrow('the remote cannot be reached');
    expect(calls).toEqual(CONTENT_TYPES.map((type) => `list ${type}`));
    expect(slow.state).toEqual({ inFlight: 0, aborted: CONTENT_TYPES.length });
  });

  it('reads a file with an obj_id and no guid under its obj_id, as the deploy ledger tracks it (it was left out: never deployed, and exported beside it anew)', async () => {
    const text = 'obj_id: sales\ntable:\n  name: Sales\n  db: D\n  schema: S\n  db_table: SALES\n  connection:\n    name: Conn\n';
    putFile(dir, 'tml/table/Sales.table.tml', text);
    const { repo } = fakeRepo(dir);
    const sides = await readSides({ environment: DEV, thoughtspot: fakeThoughtSpot([]).port, repo, committer: TMLSYNC });
    expect([...sides.files]).toEqual([['obj_id:sales', { path: 'tml/table/Sales.table.tml', text, kind: 'table', name: 'Sales' }]]);
  });
});

describe('the record phase of a sync', () => {
  it('records what the export wrote in the deploy ledger, so that the next deploy does not send it back; a deletion leaves the ledger', async () => {
    putFile(dir, pathOf(1), tableText(1, 'edited in ThoughtSpot'));
    const { repo, states, calls } = fakeRepo(dir, { [DEPLOY_REF]: { 'deploy.json': formatLedger(deployLedger({ 1: tableText(1), 2: tableText(2) })) } });
    const state = synced([
      { id: guid(1), kind: 'table', name: 'Table 1', outcome: 'updated', path: pathOf(1) },
      { id: guid(2), kind: 'table', name: 'Table 2', outcome: 'deleted', path: pathOf(2) },
    ]);
    const run = startRun('sync', 'dev', { runId: 'run-7' });
    expect(await recordAndPublish({ environment: DEV, thoughtspot: fakeThoughtSpot([]).port, repo, committer: TMLSYNC }, run, state)).toBeUndefined();
    const ledger = deployLedgerFrom(DEPLOY_REF, (file) => states.get(DEPLOY_REF)![file]);
    expect(Object.keys(ledger.objects)).toEqual([guid(1)]);
    expect(ledger.objects[guid(1)]!.hash).toBe(contentHash(tableText(1, 'edited in ThoughtSpot')));
    expect(calls).toEqual([`publish -, ${DEPLOY_REF} sync(dev): in step after run run-7`, 'removeBranch tmlsync/conflicts/dev']);
  });

  it('leaves the ledger unwritten when nothing changed, and a skipped object (a conflict kept) as the ledger had it', async () => {
    putFile(dir, pathOf(1), tableText(1, 'ThoughtSpot side'));
    const before = deployLedger({ 1: tableText(1) });
    const { repo, calls } = fakeRepo(dir, { [DEPLOY_REF]: { 'deploy.json': formatLedger(before) } });
    const state = synced([{ id: guid(1), kind: 'table', name: 'Table 1', outcome: 'updated', path: pathOf(1) }], { skip: new Set([guid(1)]) });
    await recordAndPublish({ environment: DEV, thoughtspot: fakeThoughtSpot([]).port, repo, committer: TMLSYNC }, startRun('sync', 'dev', {}), state);
    expect(calls.filter((c) => c.startsWith('publish'))).toEqual(['publish -']);
  });

  it('records a promoted environment\'s objects by their GUID there: keeps whether tmlsync created one, and records one whose sides agreed', async () => {
    // The deploy ledger is keyed by canonical GUID, each entry naming the object's GUID in the
    // environment (here another one: a promoted environment); the export's results carry the environment's.
    const envGuid = (n: number) => `e0000000-0000-0000-0000-00000000000${n}`;
    const envPath = (n: number) => objectPath('table', `Table ${n}`, envGuid(n));
    const before = emptyDeployLedger();
    for (const n of [1, 2]) before.objects[guid(n)] = { envGuid: envGuid(n), kind: 'table', name: `Table ${n}`, path: pathOf(n), hash: contentHash(tableText(n)), created: n === 1 };
    putFile(dir, envPath(1), tableText(1, 'edited in ThoughtSpot'));
    putFile(dir, envPath(2), tableText(2, 'the same on both sides'));
    const { repo, states } = fakeRepo(dir, { [DEPLOY_REF]: { 'deploy.json': formatLedger(before) } });
    const state = synced(
      [{ id: envGuid(1), kind: 'table', name: 'Table 1', outcome: 'updated', path: envPath(1) }, { id: envGuid(2), kind: 'table', name: 'Table 2', outcome: 'unchanged', path: envPath(2) }],
      { reconciled: { ...reconciled(), agreed: new Set([guid(2)]) } },
    );
    await recordAndPublish({ environment: DEV, thoughtspot: fakeThoughtSpot([]).port, repo, committer: TMLSYNC }, startRun('sync', 'dev', {}), state);
    const ledger = deployLedgerFrom(DEPLOY_REF, (file) => states.get(DEPLOY_REF)![file]);
    expect(ledger.objects).toEqual({
      [envGuid(1)]: { envGuid: envGuid(1), kind: 'table', name: 'Table 1', path: envPath(1), hash: contentHash(tableText(1, 'edited in ThoughtSpot')), created: true },
      [envGuid(2)]: { envGuid: envGuid(2), kind: 'table', name: 'Table 2', path: envPath(2), hash: contentHash(tableText(2, 'the same on both sides')), created: false },
    });
  });

  it('records a file with no guid whose sides agreed, which the export leaves alone, under its obj_id', async () => {
    const { repo, states } = fakeRepo(dir, { [DEPLOY_REF]: { 'deploy.json': formatLedger(emptyDeployLedger()) } });
    const tracked = { 'obj_id:sales': { envGuid: guid(3), kind: 'table', name: 'Sales', path: 'tml/table/Sales.table.tml', hash: 'h', created: false } };
    await recordAndPublish({ environment: DEV, thoughtspot: fakeThoughtSpot([]).port, repo, committer: TMLSYNC }, startRun('sync', 'dev', {}), synced([], { reconciled: { ...reconciled(), agreed: new Set(['obj_id:sales']), tracked } }));
    expect(deployLedgerFrom(DEPLOY_REF, (file) => states.get(DEPLOY_REF)![file]).objects).toEqual(tracked);
  });

  it('publishes ThoughtSpot\'s side of the conflicts kept on the conflicts branch, naming each', async () => {
    const { repo, published } = fakeRepo(dir, { [DEPLOY_REF]: { 'deploy.json': formatLedger(emptyDeployLedger()) } });
    const conflict: Conflict = { id: guid(1), kind: 'table', name: 'Table 1', path: pathOf(1), git: 'modified', thoughtspot: 'modified', resolution: 'kept both' };
    const state = synced([], { reconciled: reconciled([conflict], { [pathOf(1)]: tableText(1, 'ThoughtSpot side') }) });
    const branch = await recordAndPublish({ environment: DEV, thoughtspot: fakeThoughtSpot([]).port, repo, committer: TMLSYNC }, startRun('sync', 'dev', {}), state);
    expect(branch).toBe('tmlsync/conflicts/dev');
    expect(published).toEqual([{
      branch: 'tmlsync/conflicts/dev', files: { [pathOf(1)]: tableText(1, 'ThoughtSpot side') }, author: TMLSYNC,
      message: `sync(dev): ThoughtSpot's side of 1 conflict\n\n- table "Table 1" (${pathOf(1)}): modified in git, modified in ThoughtSpot\n`,
    }]);
  });
});
