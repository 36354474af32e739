import { describe, expect, it } from 'vitest';
import { contentHash, emptyDeployLedger, emptyLedger, type DeployLedger, type Ledger } from '../../src/sync/kernel/ledger.js';
import type { Header } from '../../src/sync/ports.js';
import { detectChanges, guidlessIds, reconcile, toCompare, toExportBack, unrecordedDeploys, type GitFile, type SyncSides } from '../../src/sync/sync/changes.js';

const A = 'aaaaaaaa-0000-0000-0000-000000000001';
const B = 'bbbbbbbb-0000-0000-0000-000000000002';
const B_PROD = 'bbbbbbbb-9999-9999-9999-999999999999';

const file = (name: string, text: string): GitFile => ({ path: `tml/answer/${name}.answer.tml`, text, kind: 'answer', name });
const header = (id: string, modified: number): Header => ({ id, name: id, modified });

/** Both sides as the last sync left them: A and B in git and in ThoughtSpot, B under its own GUID there. */
function inStep(): SyncSides {
  const exportLedger: Ledger = emptyLedger();
  exportLedger.objects[A] = { kind: 'answer', name: 'A', path: file('A', '').path, modified: 1 };
  exportLedger.objects[B_PROD] = { kind: 'answer', name: 'B', path: file('B', '').path, modified: 1 };
  const deployLedger: DeployLedger = emptyDeployLedger();
  deployLedger.objects[A] = { envGuid: A, kind: 'answer', name: 'A', path: file('A', '').path, hash: contentHash('a1'), created: false };
  deployLedger.objects[B] = { envGuid: B_PROD, kind: 'answer', name: 'B', path: file('B', '').path, hash: contentHash('b1'), created: true };
  return {
    exportLedger,
    deployLedger,
    headers: new Map([[A, header(A, 1)], [B_PROD, header(B_PROD, 1)]]),
    files: new Map([[A, file('A', 'a1')], [B, file('B', 'b1')]]),
  };
}

describe('the changes a sync run sees', () => {
  it('sees nothing when both sides are as the ledgers say', () => {
    const changes = detectChanges(inStep());
    expect([...changes.git, ...changes.thoughtspot]).toEqual([]);
    expect(changes.unknown).toEqual([]);
  });

  it('sees a git edit by the file hash and a ThoughtSpot edit by modified, each by its own side\'s id', () => {
    const sides = inStep();
    sides.files.set(A, file('A', 'a2'));
    sides.headers.set(B_PROD, header(B_PROD, 2));
    const changes = detectChanges(sides);
    expect(Object.fromEntries(changes.git)).toEqual({ [A]: 'modified' });
    expect(Object.fromEntries(changes.thoughtspot)).toEqual({ [B_PROD]: 'modified' });
    expect(toCompare(sides, changes)).toEqual([]); // different objects: nothing to compare
  });

  it('sees deletions on both sides, and a new object on each', () => {
    const sides = inStep();
    sides.files.delete(A);
    sides.headers.delete(B_PROD);
    const C = 'cccccccc-0000-0000-0000-000000000003';
    const D = 'dddddddd-0000-0000-0000-000000000004';
    sides.files.set(C, file('C', 'c1'));
    sides.headers.set(D, header(D, 5));
    const changes = detectChanges(sides);
    expect(Object.fromEntries(changes.git)).toEqual({ [A]: 'deleted', [C]: 'added' });
    expect(Object.fromEntries(changes.thoughtspot)).toEqual({ [B_PROD]: 'deleted', [D]: 'added' });
  });

  it('compares a file of an object ThoughtSpot has that the deploy ledger does not know, instead of assuming a side', () => {
    const sides = inStep();
    delete sides.deployLedger.objects[A];
    const changes = detectChanges(sides);
    expect(changes.unknown).toEqual([A]);
    expect(toCompare(sides, changes)).toEqual([A]);
  });
});

describe('reconciling an object changed on both sides', () => {
  function editedOnBothSides(): SyncSides {
    const sides = inStep();
    sides.files.set(B, file('B', 'b-git'));
    sides.headers.set(B_PROD, header(B_PROD, 2));
    return sides;
  }

  it('agrees when both sides made the same edit, and deploys nothing', () => {
    const sides = editedOnBothSides();
    const result = reconcile(sides, detectChanges(sides), new Map([[B_PROD, 'b-git']]), 'manual');
    expect([...result.agreed]).toEqual([B]);
    expect(result.git.size).toBe(0);
    expect(result.conflicts).toEqual([]);
  });

  it('keeps both under the manual policy, with ThoughtSpot\'s text for the conflicts branch', () => {
    const sides = editedOnBothSides();
    const result = reconcile(sides, detectChanges(sides), new Map([[B_PROD, 'b-ts']]), 'manual');
    expect(result.conflicts).toEqual([{ id: B_PROD, kind: 'answer', name: 'B', path: 'tml/answer/B.answer.tml', git: 'modified', thoughtspot: 'modified', resolution: 'kept both' }]);
    expect(result.theirs).toEqual({ 'tml/answer/B.answer.tml': 'b-ts' });
    expect(result.git.size).toBe(0);
  });

  it('deploys the git side under git-wins, and nothing under thoughtspot-wins', () => {
    const sides = editedOnBothSides();
    const gitWins = reconcile(sides, detectChanges(sides), new Map([[B_PROD, 'b-ts']]), 'git-wins');
    expect(Object.fromEntries(gitWins.git)).toEqual({ [B]: 'modified' });
    expect(gitWins.conflicts[0]!.resolution).toBe('git version deployed');
    expect(gitWins.theirs).toEqual({});
    const tsWins = reconcile(sides, detectChanges(sides), new Map([[B_PROD, 'b-ts']]), 'thoughtspot-wins');
    expect(tsWins.git.size).toBe(0);
    expect(tsWins.conflicts[0]!.resolution).toBe('ThoughtSpot version exported');
  });

  it('treats an unknown file edited in git only as git\'s change, not a conflict', () => {
    const sides = inStep();
    delete sides.deployLedger.objects[A];
    sides.files.set(A, file('A', 'a-git'));
    const result = reconcile(sides, detectChanges(sides), new Map([[A, 'a1']]), 'manual');
    expect(result.conflicts).toEqual([]);
    expect(Object.fromEntries(result.git)).toEqual({ [A]: 'modified' });
  });

  // A run that imported b-pushed and was killed before recording it; b-git was pushed since.
  it('takes ThoughtSpot holding a version pushed since the last recorded deploy for that deploy, and deploys git\'s side', () => {
    const sides = editedOnBothSides();
    sides.deployLedger.deployedCommit = 'c0ffee';
    const changes = detectChanges(sides);
    const current = new Map([[B_PROD, 'b-pushed']]);
    expect(Object.fromEntries(unrecordedDeploys(sides, changes, current))).toEqual({ [B]: 'tml/answer/B.answer.tml' });
    const result = reconcile(sides, changes, current, 'manual', new Map([[B, ['b-git', 'b-pushed', 'b1', 'b0'].map(contentHash)]]));
    expect(result.conflicts).toEqual([]);
    expect(Object.fromEntries(result.git)).toEqual({ [B]: 'modified' });
  });

  // b0 came before b1, the text the ledger records: ThoughtSpot put back to it is a person's edit there.
  it('still reports a conflict when ThoughtSpot holds a text the branch did not have after the one the ledger records', () => {
    const sides = editedOnBothSides();
    sides.deployLedger.deployedCommit = 'c0ffee';
    for (const text of ['b-ts', 'b0']) {
      const result = reconcile(sides, detectChanges(sides), new Map([[B_PROD, text]]), 'manual', new Map([[B, ['b-git', 'b-pushed', 'b1', 'b0'].map(contentHash)]]));
      expect(result.conflicts.map((c) => c.resolution), text).toEqual(['kept both']);
      expect(result.git.size).toBe(0);
    }
  });

  it('reads no versions when no commit was ever recorded as deployed, nor for sides that agree or ThoughtSpot holding the last deployed text', () => {
    const sides = editedOnBothSides();
    expect(unrecordedDeploys(sides, detectChanges(sides), new Map([[B_PROD, 'b-pushed']])).size).toBe(0);
    sides.deployLedger.deployedCommit = 'c0ffee';
    for (const text of ['b-git', 'b1']) expect(unrecordedDeploys(sides, detectChanges(sides), new Map([[B_PROD, text]])).size).toBe(0);
  });
});

describe('a file with an obj_id and no guid (ThoughtSpot\'s Git integration)', () => {
  const SALES = 'obj_id:sales';
  const SALES_TS = 'eeeeeeee-0000-0000-0000-000000000005';

  /** In step, plus the file sales.answer.tml (obj_id sales, no guid) and ThoughtSpot's object with that obj_id; `deployed`: the deploy ledger tracks it. */
  function withObjIdFile(deployed: boolean): SyncSides {
    const sides = inStep();
    sides.files.set(SALES, file('sales', 's1'));
    sides.headers.set(SALES_TS, { ...header(SALES_TS, 1), objId: 'sales' });
    if (deployed) sides.deployLedger.objects[SALES] = { envGuid: SALES_TS, kind: 'answer', name: 'sales', path: file('sales', '').path, hash: contentHash('s1'), created: false };
    return sides;
  }

  it('is compared with the object ThoughtSpot lists with its obj_id when the deploy ledger does not know it, by that object\'s id and without the GUID the export adds', () => {
    const sides = withObjIdFile(false);
    const changes = detectChanges(sides);
    expect(changes.git.size).toBe(0);
    expect(changes.unknown).toEqual([SALES]);
    expect(toExportBack(sides, changes)).toEqual({ ids: [SALES_TS], guidless: new Set([SALES_TS]), files: new Map([[SALES_TS, file('sales', 's1')]]) });
  });

  it('agrees with ThoughtSpot\'s text without the GUID: nothing deployed, no conflict, and the deploy ledger tracks it from then on (the export, which leaves it alone, never records it)', () => {
    const sides = withObjIdFile(false);
    const result = reconcile(sides, detectChanges(sides), new Map([[SALES_TS, 's1']]), 'manual');
    expect([...result.agreed]).toEqual([SALES]);
    expect(result.git.size).toBe(0);
    expect(result.conflicts).toEqual([]);
    expect(result.tracked).toEqual({ [SALES]: { envGuid: SALES_TS, kind: 'answer', name: 'sales', path: file('sales', '').path, hash: contentHash('s1'), created: false } });
    // Tracked, a later git edit is git's change (ThoughtSpot holds what was agreed), not a conflict on every run.
    sides.deployLedger.objects[SALES] = result.tracked![SALES]!;
    sides.files.set(SALES, file('sales', 's-git'));
    const edited = reconcile(sides, detectChanges(sides), new Map([[SALES_TS, 's1']]), 'manual');
    expect(edited.conflicts).toEqual([]);
    expect(Object.fromEntries(edited.git)).toEqual({ [SALES]: 'modified' });
  });

  it('is deployed when edited in git, and its object is left out of the export, which would write a second file of it with a GUID', () => {
    const sides = withObjIdFile(true);
    sides.files.set(SALES, file('sales', 's-git'));
    const changes = detectChanges(sides);
    expect(Object.fromEntries(changes.git)).toEqual({ [SALES]: 'modified' });
    expect(guidlessIds(sides)).toEqual(new Set([SALES_TS]));
  });
});
