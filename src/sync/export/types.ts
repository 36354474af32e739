import type { ListingMode } from './listing.js';
import type { Ledger, LedgerEntry } from '../kernel/ledger.js';
import type { WorkflowOptions } from '../kernel/environment.js';
import type { ContentCommits, GroupPrivileges, Header, HeaderType, Identity, PrincipalEntry, StateWrite } from '../ports.js';
import type { ObjectResult, RunStart } from '../kernel/report.js';
import type { TreeWriter } from '../kernel/tree-writer.js';

/** The shapes the phases of an export share, kept apart from the workflow so that its phases never import it (no cycle). */

/** An export's own options, besides the environment and the sides every workflow takes. */
export interface ExportOptions extends WorkflowOptions {
  /** Commits without a ThoughtSpot author (deletions, principals) are made as this identity. */
  committer: Identity;
  /** Ids per `tml/export` call. */
  batchSize?: number;
  /** Objects to leave exactly as they are, file and ledger (a sync run's conflicts). */
  skip?: ReadonlySet<string>;
  /** Called as objects are exported, for a progress display: exported, due so far, and listed so far. */
  onProgress?: (done: number, total: number, listed: number) => void;
  /** List everything (and so find deletions), whatever the ledger says. */
  full?: boolean;
  /**
   * Every content header, as the caller listed them this run (a sync): the
   * export lists nothing again, and decides deletions from these. `refresh`:
   * the types whose listing the caller made stale by writing to ThoughtSpot
   * since; what changed in those since that listing is listed first, newest
   * first, and wins over the stale headers.
   */
  listed?: { headers: Header[]; refresh: readonly HeaderType[] };
  /** The export ledger as the caller read it this run (a sync): not read again. */
  ledger?: Ledger;
}

/** What an export leaves to publish: the branch its commits are on (when it made any) and its ledger's next commit (when it changed). */
export interface StagedExport {
  branch?: string;
  ledger?: StateWrite;
}

/** One changed object, as the commit phase groups it (`changedPaths` says which paths it touches). */
export interface Change {
  result: ObjectResult;
  /** Who modified the object in ThoughtSpot (user GUID). */
  modifiedBy?: string;
  /** The old path of a renamed object, whose file goes. */
  renamedFrom?: string;
}

/**
 * The paths a change touches: its file's, and a renamed object's old one. Derived, not kept:
 * an array per change held some 10 MB at 100,000 objects (issue 16).
 */
export function changedPaths(change: Change): string[] {
  return change.renamedFrom ? [change.result.path!, change.renamedFrom] : [change.result.path!];
}

/** What an export works with from its start: the options, the run, the file writer and (unless a dry run) the commits being built. */
export interface ExportRun {
  options: ExportOptions;
  run: RunStart;
  batchSize: number;
  skip: ReadonlySet<string>;
  files: TreeWriter;
  commits: ContentCommits | undefined;
}

/**
 * What an export learns and decides as it goes, from the moment its ledger is
 * read: the phases fill it in (decide, write), the last ones read it (commit, record).
 */
export interface ExportState {
  /** Whether this run lists everything or only what changed since the ledger's watermark. */
  mode: ListingMode;
  /** The ledger as this run leaves it (updated as objects are written or found deleted). */
  ledger: Ledger;
  /** The ledger's objects as the run found them (entries are replaced as the run learns, never changed in place: the entries themselves are shared). */
  previous: Record<string, LedgerEntry>;
  /**
   * The ids of every object listed (offset paging may show one twice), and the newest `modified`
   * among them: all the run keeps of a header once it is decided. Keeping the headers themselves
   * held some 23 MB at 100,003 objects (each with two user GUIDs of its own), which V8's heap
   * growth about doubled in RSS (issue 16).
   */
  listed: Set<string>;
  newest: number | undefined;
  /** One copy of each author's GUID among the changes (see write.ts). */
  authors: Map<string, string>;
  /** Listed objects due for export that do not fill a batch yet. */
  waiting: Header[];
  /** Export batches under way. */
  batches: Promise<void>[];
  /** Objects due for export, and exported so far (for `onProgress`). */
  due: number;
  done: number;
  results: ObjectResult[];
  /** Objects exported and changed (or new). */
  changes: Change[];
  /** Listed objects this run did not bring in step (failed, or left alone): the next run must list them again. */
  pending: Header[];
  /** Objects gone from ThoughtSpot whose file goes from the branch. */
  deletions: Change[];
  principalsChanged: boolean;
}

/** What the listing gives besides the content headers: who is who, for commit authors and the principals file. */
export interface Listed {
  users: Header[];
  principals: PrincipalEntry[];
  privileges: GroupPrivileges[];
}

export function startState(ledger: Ledger, mode: ListingMode): ExportState {
  return {
    mode, ledger, pending: [], previous: { ...ledger.objects }, listed: new Set(), newest: undefined, authors: new Map(), waiting: [], batches: [], due: 0, done: 0,
    results: [], changes: [], deletions: [], principalsChanged: false,
  };
}
