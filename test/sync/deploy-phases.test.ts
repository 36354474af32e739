import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { prepareDeploy } from '../../src/sync/deploy/prepare.js';
import { planPrune } from '../../src/sync/deploy/prune.js';
import { DeployGateError, MissingLedgerError } from '../../src/sync/deploy/types.js';
import type { WorkflowEnvironment } from '../../src/sync/kernel/environment.js';
import { objectPath } from '../../src/sync/kernel/layout.js';
import { contentHash, emptyDeployLedger, formatLedger, type DeployLedger } from '../../src/sync/kernel/ledger.js';
import { format, parse } from '../../src/tml/index.js';
import { DOWN_MS, fakeRepo, fakeThoughtSpot, putFile, slowListing } from './fake-ports.js';

/** The first phases of a deploy (prepare, then prune's plan) called alone, over a fake ThoughtSpot and a fake repository. */

const PROD: WorkflowEnvironment = { name: 'prod', branch: 'main' };
const LEDGER_REF = 'refs/tmlsync/prod/deploy';
const guid = (n: number) => `7b1a0000-0000-0000-0000-00000000000${n}`;
const tableText = (n: number, description = 'sales') =>
  format(parse(`guid: ${guid(n)}\ntable:\n  name: Table ${n}\n  description: ${description}\n  db: D\n  schema: S\n  db_table: T${n}\n  connection:\n    name: Conn\n  columns:\n  - name: Region\n    db_column_name: REGION\n    properties:\n      column_type: ATTRIBUTE\n    db_column_properties:\n      data_type: VARCHAR\n`));
const connectionText = 'guid: c0000000-0000-0000-0000-000000000001\nconnection:\n  name: Conn\n  type: SNOWFLAKE\n';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tmlsync-deploy-phases-'));
  putFile(dir, objectPath('connection', 'Conn', 'c0000000-0000-0000-0000-000000000001'), connectionText);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function putTable(n: number, description?: string): string {
  const path = objectPath('table', `Table ${n}`, guid(n));
  putFile(dir, path, tableText(n, description));
  return path;
}

/** A ledger that deployed tables `ns` as they are written now, each under `env-<n>` in the target. */
function ledgerOf(ns: number[], created = true): DeployLedger {
  const ledger = emptyDeployLedger();
  for (const n of ns) {
    ledger.objects[guid(n)] = { envGuid: `env-${n}`, kind: 'table', name: `Table ${n}`, path: objectPath('table', `Table ${n}`, guid(n)), hash: contentHash(tableText(n)), created };
  }
  return ledger;
}

const stateOf = (ledger: DeployLedger) => ({ [LEDGER_REF]: { 'deploy.json': formatLedger(ledger) } });
const target = (...ns: number[]) => [{ kind: 'connection', name: 'Conn', id: 'conn-env' }, ...ns.map((n) => ({ kind: 'table', name: `Table ${n}`, id: `env-${n}` }))];

describe('the prepare phase of a deploy', () => {
  it('plans each file as create, update or unchanged from the ledger and the target, maps GUIDs, and lists what left the repository', async () => {
    putTable(1);
    putTable(2, 'edited in git');
    putTable(3);
    const { repo, calls } = fakeRepo(dir, stateOf(ledgerOf([1, 2, 4])));
    const set = await prepareDeploy({ environment: PROD, thoughtspot: fakeThoughtSpot(target(1, 2, 4)).port, repo });
    expect(Object.fromEntries(set.plan.map((p) => [p.name, p.action]))).toEqual({ 'Table 1': 'unchanged', 'Table 2': 'update', 'Table 3': 'create' });
    expect(set.changed.map((c) => c.doc.name)).toEqual(['Table 2', 'Table 3']);
    expect(set.mapping.guids.get(guid(2))).toBe('env-2');
    expect(set.deletions).toEqual([expect.objectContaining({ action: 'delete', name: 'Table 4', envGuid: 'env-4' })]);
    // Reads only: the branch is fetched and checked out, nothing is written.
    expect(calls).toEqual(['fetch', 'checkout main']);
  });

  it('creates again what the ledger knows but the target lost, and leaves every file outside `only` unchanged', async () => {
    putTable(1);
    putTable(2, 'edited in git');
    const { repo } = fakeRepo(dir, stateOf(ledgerOf([1, 2])));
    const lost = await prepareDeploy({ environment: PROD, thoughtspot: fakeThoughtSpot(target(2)).port, repo });
    expect(lost.plan.map((p) => [p.name, p.action])).toEqual([['Table 1', 'create'], ['Table 2', 'update']]);
    const only = await prepareDeploy({ environment: PROD, thoughtspot: fakeThoughtSpot(target(1, 2)).port, repo, only: new Set([guid(1)]) });
    expect(only.changed).toEqual([]);
  });

  it('refuses, before anything is written, when the ledger is gone and the target holds a file\'s object under another GUID', async () => {
    putTable(1);
    const { repo, calls } = fakeRepo(dir);
    const refused = prepareDeploy({ environment: PROD, thoughtspot: fakeThoughtSpot(target(1)).port, repo });
    await expect(refused).rejects.toBeInstanceOf(MissingLedgerError);
    await expect(refused).rejects.toThrow(/the deploy ledger of prod \(refs\/tmlsync\/prod\/deploy\) is missing.*table "Table 1"/);
    expect(calls.filter((c) => c.startsWith('writeState'))).toEqual([]);
  });
});

/** A ThoughtSpot of table 1 whose listing calls each take `ms` (`slowListing`). */
const slowThoughtSpot = (calls: string[], ms: number, fail = false) => slowListing(fakeThoughtSpot(target(1)).port, calls, ms, fail);

describe('the target\'s listing beside the reading of the branch', () => {
  it('lists the target while git and the files are read: the listing goes out before the fetch', async () => {
    putTable(1, 'edited in git');
    const { repo, calls } = fakeRepo(dir, stateOf(ledgerOf([1])));
    const slow = slowThoughtSpot(calls, 5);
    // How many listing calls were under way when the fetch started: none, had the deploy listed before or after its reading.
    let listingAtFetch = 0;
    const fetch = () => ((listingAtFetch = slow.state.inFlight), repo.fetch());
    const set = await prepareDeploy({ environment: PROD, thoughtspot: slow.port, repo: { ...repo, fetch } });
    expect(set.plan.map((p) => [p.name, p.action])).toEqual([['Table 1', 'update']]);
    expect(calls[0]).toMatch(/^list /);
    expect(calls.indexOf('fetch')).toBeGreaterThan(0);
    expect(listingAtFetch).toBeGreaterThan(0);
  });

  it('stops on its files at once: the listing is told to stop, and has ended before the run reports', async () => {
    putTable(1);
    // A copy of the table under another name: two files, one GUID.
    putFile(dir, objectPath('table', 'Copy', guid(1)), tableText(1));
    const { repo, calls } = fakeRepo(dir, stateOf(ledgerOf([1])));
    const slow = slowThoughtSpot(calls, DOWN_MS);
    await expect(prepareDeploy({ environment: PROD, thoughtspot: slow.port, repo })).rejects.toBeInstanceOf(DeployGateError);
    const listed = calls.filter((c) => c.startsWith('list ')).length;
    expect(listed).toBeGreaterThan(0);
    expect(slow.state).toEqual({ inFlight: 0, aborted: listed });
  });

  it('reports a listing that failed while the files were read as the run\'s error', async () => {
    putTable(1);
    const { repo, calls } = fakeRepo(dir, stateOf(ledgerOf([1])));
    await expect(prepareDeploy({ environment: PROD, thoughtspot: slowThoughtSpot(calls, 1, true).port, repo })).rejects.toThrow('HTTP 503 from ThoughtSpot');
    expect(calls).toContain('fetch');
  });
});

describe('the prune plan of a deploy', () => {
  async function preparedWithout(...gone: number[]) {
    putTable(1);
    const kept = [1, ...gone];
    const { repo } = fakeRepo(dir, stateOf(ledgerOf(kept)));
    return prepareDeploy({ environment: PROD, thoughtspot: fakeThoughtSpot(target(...kept)).port, repo });
  }

  it('keeps what left the repository while prune is off, and says why', async () => {
    const plan = planPrune(await preparedWithout(2), PROD, dir);
    expect(plan).toMatchObject({ enabled: false, deletions: [], kept: [{ name: 'Table 2', reason: expect.stringMatching(/prune is off/) }] });
  });

  it('deletes up to maxDeletions and refuses the whole run beyond it', async () => {
    const prepared = await preparedWithout(2, 3);
    expect(planPrune(prepared, { ...PROD, prune: { maxDeletions: 2 } }, dir)).toMatchObject({ deletions: [{ name: 'Table 2' }, { name: 'Table 3' }] });
    expect(planPrune(prepared, { ...PROD, prune: { maxDeletions: 1 } }, dir).refusal).toMatch(/2 objects would be deleted .*more than maxDeletions \(1\); nothing was deleted/);
  });
});
