import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { thoughtspotPort } from '../../src/app/index.js';
import { bodyOf } from '../../src/emulator/handlers/metadata.js';
import { DEMO_GUIDS } from '../../src/emulator/seed/demo.js';
import { GitRepo } from '../../src/git/index.js';
import { repoWith } from '../../src/sync/kernel/repo-view.js';
import { runExport, type ExportOptions } from '../../src/sync/export/export.js';
import { OVERLAP_MS } from '../../src/sync/export/listing.js';
import { formatLedger, type Ledger } from '../../src/sync/kernel/ledger.js';
import { CONTENT_TYPES } from '../../src/sync/kernel/target.js';
import type { Header, ThoughtSpotPort } from '../../src/sync/ports.js';
import { ThoughtSpotClient, ThoughtSpotV2Client } from '../../src/thoughtspot/index.js';
import { git } from '../support/git-server.js';
import { exportLedgerIn } from '../support/ledger.js';
import { copyRemote } from '../support/seeded-remote.js';
import { useStage } from '../support/stage.js';
import { callUntilStopped, DOWN_MS } from './fake-ports.js';

const committer = { name: 'tmlsync', email: 'tmlsync@localhost' };
const CONTENT_OBJECTS = 18;

/**
 * The cheap incremental export (issue 16): after a full listing, runs list
 * each kind newest first and stop at what the ledger holds. These tests prove
 * no change is missed: changed during a run, at the watermark's very time,
 * twice, with a time from a skewed clock; and that deletions wait for the
 * next full listing. Over both REST APIs, on one stage: each case puts back
 * what it changed in the emulator, so every case starts from the seed's state.
 */
const stage = useStage('tmlsync-incremental-');

// The demo was seeded a moment ago, all within the overlap; an instance's content is mostly older.
// Each object an hour apart, a day back, before any run: then the overlap is what decides where a listing stops.
beforeAll(() => {
  let hours = 24;
  for (const record of stage.emulator.state.objects.values()) record.modified = Date.now() - (hours += 1) * 3_600_000;
});

/** The name and time of each object a case renamed, as they were before it: put back after the case. */
const renamed = new Map<string, { name: string; modified: number }>();
afterEach(() => {
  for (const [id, was] of renamed) {
    const record = stage.emulator.state.objects.get(id)!;
    record.name = was.name;
    bodyOf(record).name = was.name;
    record.modified = was.modified;
  }
  renamed.clear();
});

/** Renames an object in the emulator, as an edit in ThoughtSpot would, stamped `modified` (ThoughtSpot's clock: now unless given). */
function rename(id: string, name: string, modified = stage.emulator.state.now()): void {
  const record = stage.emulator.state.objects.get(id)!;
  if (!renamed.has(id)) renamed.set(id, { name: record.name, modified: record.modified });
  record.name = name;
  bodyOf(record).name = name;
  record.modified = modified;
}

describe.each(['v1', 'v2'] as const)('incremental export over %s', (api) => {
  let n = 0;

  /** A port to the stage's emulator over the API under test, counting calls per endpoint. */
  function connect(calls: Map<string, number> = new Map(), listingPage?: number): ThoughtSpotPort {
    const options = { url: stage.emulator.url, username: 'tsadmin', password: 'admin', env: {}, onCall: (endpoint: string) => calls.set(endpoint, (calls.get(endpoint) ?? 0) + 1) };
    return thoughtspotPort(api === 'v1' ? new ThoughtSpotClient(options) : new ThoughtSpotV2Client(options), listingPage ? { listingPage } : {});
  }

  /** `port` with each kind's first listing newest first held, unanswered, until its signal stops it: the kinds it stopped. */
  function holdingFirstListing(port: ThoughtSpotPort): { port: ThoughtSpotPort; stopped: string[] } {
    const held = new Set<string>();
    const stopped: string[] = [];
    const listHeadersSince: ThoughtSpotPort['listHeadersSince'] = (type, since, onPage, signal) => {
      if (held.has(type)) return port.listHeadersSince!(type, since, onPage, signal);
      held.add(type);
      return callUntilStopped(DOWN_MS, signal, () => stopped.push(type)).then(() => []);
    };
    return { port: { ...port, listHeadersSince }, stopped };
  }

  /** A repository of its own, a copy of the seed's, its work tree, and a function that runs one export of it. */
  async function exporter(label: string): Promise<{ bare: string; repo: GitRepo; exportOnce: (extra?: Partial<ExportOptions>) => ReturnType<typeof runExport> }> {
    const name = `${api}-${label}-${(n += 1)}`;
    const remote = copyRemote(stage.server, seed.url, name);
    const bare = stage.server.pathOf(name);
    const repo = await GitRepo.open(join(stage.work, `wd-${name}`), { remoteUrl: remote, committer });
    return { bare, repo, exportOnce: (extra = {}) => runExport({ environment: { name: 'dev', branch: 'dev' }, thoughtspot: connect(), repo, committer, ...extra }) };
  }

  /**
   * One full export, made once: the first run of the first case, and the
   * remote every other case copies. The emulator is back in the seed's state
   * at each case's start, so a copy is in step with it: a case's first run
   * shows its own change, with no run before it to catch up (the file ran
   * 38 exports, now 22). Its pushes skip `gc --auto`, and so do its copies'.
   */
  let seed: { url: string; first: Awaited<ReturnType<typeof runExport>> };
  beforeAll(async () => {
    const url = stage.server.createRepo(`seed-${api}`);
    const repo = await GitRepo.open(join(stage.work, `wd-seed-${api}`), { remoteUrl: url, committer });
    const first = await runExport({ environment: { name: 'dev', branch: 'dev' }, thoughtspot: connect(), repo, committer });
    seed = { url, first };
  });

  const watermarkOf = async (bare: string) => (await exportLedgerIn(bare)).watermark!;
  const files = (bare: string) => git(bare, 'ls-tree', '-r', '--name-only', 'dev');
  const outcomeOf = (report: Awaited<ReturnType<typeof runExport>>, id: string) => report.objects.find((o) => o.id === id)?.outcome;

  it('lists everything on the first run, then one page per kind and no export call when nothing changed', async () => {
    const { exportOnce } = await exporter('quiet');
    const { first } = seed;
    expect(first.listing).toBe('full');
    expect(first.counts).toMatchObject({ added: CONTENT_OBJECTS, failed: 0 });

    const calls = new Map<string, number>();
    const second = await exportOnce({ thoughtspot: connect(calls) });
    expect(second.listing).toBe('incremental');
    expect(second.counts).toMatchObject({ added: 0, updated: 0, deleted: 0, failed: 0 });
    expect(second.commits).toEqual([]);
    const listing = api === 'v1' ? 'metadata/listobjectheaders' : 'metadata/search';
    // Five content kinds (cohorts among them), one page each, and the users for commit authors.
    expect(calls.get(listing)).toBe(6);
    expect(calls.get('metadata/tml/export')).toBeUndefined();
  });

  /** Puts `ledger` on the remote's export ledger ref as releases before issue 16 wrote it: one ledger.json. */
  function asOneFile(bare: string, ledger: Ledger): void {
    const input = (args: string[], text: string) => execFileSync('git', args, { cwd: bare, input: text, encoding: 'utf8' }).trim();
    const blob = input(['hash-object', '-w', '--stdin'], formatLedger(ledger));
    const tree = input(['mktree'], `100644 blob ${blob}\tledger.json\n`);
    git(bare, 'update-ref', 'refs/tmlsync/dev/export', input(['commit-tree', tree, '-p', 'refs/tmlsync/dev/export', '-m', 'one file'], ''));
  }

  describe('after objects changed since the last run', () => {
    // One run shows all three cases: their changes are of different objects, and the ledger it
    // starts from is one ledger.json, as releases before issue 16 wrote it.
    let bare: string;
    let run: Awaited<ReturnType<typeof runExport>>;
    let same: string;
    let before: Ledger;
    beforeAll(async () => {
      const copy = await exporter('changed');
      bare = copy.bare;
      const ledger = (before = await exportLedgerIn(bare));
      asOneFile(bare, ledger);
      const watermark = ledger.watermark!;
      rename(DEMO_GUIDS.answers[1], 'Changed After', stage.emulator.state.now());
      // Another node stamped a change with the very time of the newest object the last run saw.
      same = DEMO_GUIDS.answers.find((id) => id !== DEMO_GUIDS.answers[1] && ledger.objects[id]!.modified !== watermark)!;
      rename(same, 'Same Millisecond', watermark);
      rename(DEMO_GUIDS.liveboards[0], 'First Edit');
      rename(DEMO_GUIDS.liveboards[0], 'Second Edit');
      run = await copy.exportOnce();
    });

    it('exports an object changed after the last run, and one stamped at the watermark\'s very time', () => {
      expect(run.listing).toBe('incremental');
      expect(outcomeOf(run, DEMO_GUIDS.answers[1])).toBe('updated');
      expect(outcomeOf(run, same)).toBe('updated');
      const tree = files(bare);
      expect(tree).toContain(`tml/answer/Changed-After.${DEMO_GUIDS.answers[1]}.answer.tml`);
      expect(tree).toContain(`tml/answer/Same-Millisecond.${same}.answer.tml`);
    });

    it('reads a ledger of one ledger.json, and leaves it in shards', async () => {
      expect(git(bare, 'ls-tree', '--name-only', 'refs/tmlsync/dev/export').split('\n')).toEqual(['head.json', 'objects']);
      const after = await exportLedgerIn(bare);
      const renamedTo = (name: string): unknown => expect.objectContaining({ name });
      expect(after.objects).toEqual({ ...before.objects, [DEMO_GUIDS.answers[1]]: renamedTo('Changed After'), [same]: renamedTo('Same Millisecond'), [DEMO_GUIDS.liveboards[0]]: renamedTo('Second Edit') });
      expect(after.watermark).toBeGreaterThan(before.watermark!);
    });

    it('exports the last version of an object changed twice since the last run', () => {
      expect(outcomeOf(run, DEMO_GUIDS.liveboards[0])).toBe('updated');
      const tree = files(bare);
      expect(tree).toContain(`tml/liveboard/Second-Edit.${DEMO_GUIDS.liveboards[0]}.liveboard.tml`);
      expect(tree).not.toContain('First-Edit');
    });
  });

  it('exports a change made while a run was listing, at the latest on the next run', async () => {
    const { bare, exportOnce } = await exporter('during');
    const port = connect();
    let changed = false;
    // The change lands once the run has listed its first page (its object is then behind the run's back).
    const racing: ThoughtSpotPort = {
      ...port,
      listHeadersSince: (type, since, onPage) => port.listHeadersSince!(type, since, (page: Header[]) => {
        onPage?.(page);
        if (!changed) {
          changed = true;
          rename(DEMO_GUIDS.answers[3], 'Changed While Listing');
        }
      }),
    };
    await exportOnce({ thoughtspot: racing });
    expect(changed).toBe(true);
    const next = await exportOnce();
    expect(next.listing).toBe('incremental');
    expect(files(bare)).toContain(`tml/answer/Changed-While-Listing.${DEMO_GUIDS.answers[3]}.answer.tml`);
  });

  it('starts listing before its fetch has ended when the work tree holds the remote\'s ledger', async () => {
    const { bare, repo, exportOnce } = await exporter('early');
    await exportOnce();
    const port = connect();
    let listed!: () => void;
    const listing = new Promise<void>((resolve) => (listed = resolve));
    const signalling: ThoughtSpotPort = { ...port, listHeadersSince: (type, since, onPage) => (listed(), port.listHeadersSince!(type, since, onPage)) };
    // The fetch ends only once ThoughtSpot is being listed (or fails the run after 10 s).
    const waiting = repoWith(repo, {
      fetch: async () => {
        const late = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the listing waited for the fetch')), 10_000).unref());
        await Promise.race([listing, late]);
        await repo.fetch();
      },
    });
    rename(DEMO_GUIDS.answers[2], 'Listed Early');
    const run = await exportOnce({ thoughtspot: signalling, repo: waiting });
    expect(run).toMatchObject({ outcome: 'ok', listing: 'incremental' });
    expect(outcomeOf(run, DEMO_GUIDS.answers[2])).toBe('updated');
    expect(files(bare)).toContain(`tml/answer/Listed-Early.${DEMO_GUIDS.answers[2]}.answer.tml`);
  });

  it('reads the ledger\'s shard of a changed object while other kinds are still being listed', async () => {
    const { bare, repo, exportOnce } = await exporter('read-ahead');
    await exportOnce();
    let shardRead!: () => void;
    const read = new Promise<void>((resolve) => (shardRead = resolve));
    const reading = repoWith(repo, {
      readStates: async (reads) => {
        const texts = await repo.readStates(reads);
        if (reads.some(({ file }) => file.startsWith('objects/'))) shardRead();
        return texts;
      },
    });
    // The liveboards' listing ends only once a shard was read (or fails the run after 10 s).
    const port = connect();
    const holding: ThoughtSpotPort = {
      ...port,
      listHeadersSince: async (type, since, onPage) => {
        if (type === 'PINBOARD_ANSWER_BOOK') {
          const late = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the shard was read only after the listing')), 10_000).unref());
          await Promise.race([read, late]);
        }
        return port.listHeadersSince!(type, since, onPage);
      },
    };
    rename(DEMO_GUIDS.answers[1], 'Read Ahead');
    const run = await exportOnce({ thoughtspot: holding, repo: reading });
    expect(run).toMatchObject({ outcome: 'ok', listing: 'incremental' });
    expect(outcomeOf(run, DEMO_GUIDS.answers[1])).toBe('updated');
    expect(files(bare)).toContain(`tml/answer/Read-Ahead.${DEMO_GUIDS.answers[1]}.answer.tml`);
  });

  it('lists again from the remote\'s ledger when another run published one since this work tree\'s, and stops the listing it dropped', async () => {
    const { bare, exportOnce } = await exporter('moved');
    await exportOnce();
    // Another replica's run left an object behind, so its ledger's watermark is older than this work tree's.
    const ledger = await exportLedgerIn(bare);
    const lowered = ledger.watermark! - 3 * OVERLAP_MS;
    asOneFile(bare, { ...ledger, watermark: lowered });
    // Within the fetched ledger's reach, before the reach of the one this work tree holds.
    const behind = DEMO_GUIDS.liveboards[1];
    rename(behind, 'Left Behind', ledger.watermark! - 2 * OVERLAP_MS);
    const calls = new Map<string, number>();
    // The listing from this work tree's ledger answers nothing until it is stopped: the run, which
    // no longer needs it once the fetch has brought the remote's, waited for it to end.
    const early = holdingFirstListing(connect(calls));
    const run = await exportOnce({ thoughtspot: early.port });
    expect(run.listing).toBe('incremental');
    expect(outcomeOf(run, behind)).toBe('updated');
    expect(files(bare)).toContain(`tml/liveboard/Left-Behind.${behind}.liveboard.tml`);
    expect(early.stopped.sort()).toEqual([...CONTENT_TYPES].sort());
    // Five content kinds listed from the remote's ledger, and the users.
    expect(calls.get(api === 'v1' ? 'metadata/listobjectheaders' : 'metadata/search')).toBe(6);
  });

  it('exports a change stamped by a clock behind the watermark within the overlap; those further behind at the next full listing', async () => {
    const { bare, exportOnce } = await exporter('skew');
    const watermark = await watermarkOf(bare);
    const [little, older, aLot] = [DEMO_GUIDS.answers[4], DEMO_GUIDS.answers[0], DEMO_GUIDS.answers[2]];
    rename(little, 'Skewed A Little', watermark - OVERLAP_MS / 2);
    rename(older, 'Skewed More', watermark - 1.5 * OVERLAP_MS);
    rename(aLot, 'Skewed A Lot', watermark - 2 * OVERLAP_MS);
    // One header per page: the listing stops at the first page older than the overlap ("Skewed More"),
    // whose object is not looked up in the ledger (issue 16: what is older than the overlap waits for a full listing).
    const incremental = await exportOnce({ thoughtspot: connect(new Map(), 1) });
    expect(incremental.listing).toBe('incremental');
    expect(outcomeOf(incremental, little)).toBe('updated');
    expect(outcomeOf(incremental, older)).toBeUndefined();
    expect(outcomeOf(incremental, aLot)).toBeUndefined();
    // The full listing compares every object's `modified` with the ledger's.
    const full = await exportOnce({ full: true });
    expect(full.listing).toBe('full');
    expect(outcomeOf(full, older)).toBe('updated');
    expect(outcomeOf(full, aLot)).toBe('updated');
    expect(files(bare)).toContain(`tml/answer/Skewed-More.${older}.answer.tml`);
    expect(files(bare)).toContain(`tml/answer/Skewed-A-Lot.${aLot}.answer.tml`);
  });

  /** Deletes an object from the emulator for the length of `work`. */
  async function whileDeleted(id: string, work: () => Promise<void>): Promise<void> {
    const record = stage.emulator.state.objects.get(id)!;
    stage.emulator.state.objects.delete(id);
    try {
      await work();
    } finally {
      stage.emulator.state.objects.set(id, record);
    }
  }

  it('leaves a deletion to the next full listing, and finds it with --full', async () => {
    const { bare, exportOnce } = await exporter('deleted');
    const gone = DEMO_GUIDS.answers[5];
    await whileDeleted(gone, async () => {
      const incremental = await exportOnce();
      expect(incremental).toMatchObject({ listing: 'incremental', counts: { deleted: 0 } });
      expect(files(bare)).toContain(gone);
      const asked = await exportOnce({ full: true });
      expect(asked).toMatchObject({ listing: 'full', counts: { deleted: 1 } });
      expect(files(bare)).not.toContain(gone);
    });
  });

  it('finds a deletion once the reconcile interval has passed', async () => {
    const { bare, exportOnce } = await exporter('reconcile');
    const gone = DEMO_GUIDS.liveboards[2];
    await whileDeleted(gone, async () => {
      const due = await exportOnce({ environment: { name: 'dev', branch: 'dev', reconcileMs: 0 } });
      expect(due).toMatchObject({ listing: 'full', counts: { deleted: 1 } });
      expect(files(bare)).not.toContain(gone);
    });
  });

  it('lists everything again when the ledger is lost', async () => {
    const { bare, exportOnce } = await exporter('lost');
    git(bare, 'update-ref', '-d', 'refs/tmlsync/dev/export');
    const again = await exportOnce();
    expect(again).toMatchObject({ listing: 'full', counts: { unchanged: CONTENT_OBJECTS, added: 0 }, commits: [] });
  });
});
