/**
 * What the workflows need of ThoughtSpot and of git, as interfaces of their
 * own (DESIGN.md module map): the CLI and the daemon plug in the real client
 * and `GitRepo`; tests may plug in anything that keeps these promises.
 */

import type { PrincipalChanges } from '../tml/index.js';

export type HeaderType = 'DATA_SOURCE' | 'LOGICAL_TABLE' | 'QUESTION_ANSWER_BOOK' | 'PINBOARD_ANSWER_BOOK' | 'LOGICAL_COLUMN' | 'USER';

export interface Header {
  id: string;
  name: string;
  modified: number;
  modifiedBy?: string;
  author?: string;
  /** The object's `obj_id`, where it has one and the API names it (v2). */
  objId?: string;
  /**
   * The listing the header came from and the subtype the header names (its `type`, which
   * `LOGICAL_TABLE` headers carry): what tells the kinds apart in a listing of a whole type, so
   * that a listing made once (a sync's) serves a deploy too. Absent from headers made by hand.
   */
  listedAs?: { type: HeaderType; subtype?: string };
}

export interface PrincipalEntry {
  name: string;
  displayName?: string;
  mail?: string;
  principalTypeEnum: string;
  groupNames?: string[];
  visibility?: string;
  [key: string]: unknown;
}

/** A group and its privileges (`GET group`). */
export interface GroupPrivileges {
  name: string;
  privileges: string[];
}

export interface PrincipalsSyncRequest {
  /** The complete desired set of users and groups. */
  principals: PrincipalEntry[];
  /** False: a dry run (`applyChanges=false`) that only reports the difference. */
  apply: boolean;
  /** Remove the principals absent from `principals` (never sent implicitly: the server's default is true). */
  removeDeleted: boolean;
  /** The first password of new local users. */
  password?: string;
}

/** One exported object: its TML text, or why it could not be exported. */
export type ExportedObject = { id: string; type: string; name: string; edoc: string } | { id: string; name?: string; error: string };

/** One imported document's outcome, in input order. */
export type ImportedObject = { ok: true; id: string } | { ok: false; error: string };

export type ImportPolicy = 'ALL_OR_NONE' | 'PARTIAL' | 'VALIDATE_ONLY';

/**
 * An import either answered (one outcome per document) or may have reached
 * ThoughtSpot without an answer: then nothing may be re-sent before the
 * caller has checked what took effect.
 */
export type ImportAnswer = { answered: true; results: ImportedObject[] } | { answered: false; error: string };

/** What a delete call takes: content objects of one listing type (never connections, never principals). */
export type DeletableType = Extract<HeaderType, 'LOGICAL_TABLE' | 'QUESTION_ANSWER_BOOK' | 'PINBOARD_ANSWER_BOOK' | 'LOGICAL_COLUMN'>;

/**
 * A delete either answered (done, or refused with ThoughtSpot's reason) or
 * may have taken effect without an answer: then the caller lists what is
 * still there before sending anything again.
 */
export type DeleteAnswer = WriteAnswer;

/**
 * A write that either answered (done, or refused with ThoughtSpot's reason)
 * or may have taken effect without an answer: then the caller checks what
 * took effect before sending anything again.
 */
export type WriteAnswer = { answered: true; ok: true } | { answered: true; ok: false; error: string } | { answered: false; error: string };
/** A visualization of a liveboard (`listvizheaders`). */
export interface Visualization {
  id: string;
  name: string;
  /** `CHART`, `TABLE`, `HEADLINE`, `FILTER`, … */
  type: string;
}

/** The shape of a data answer (`searchdata`, one block of `pinboarddata`). */
export interface DataSummary {
  columns: string[];
  rowCount: number;
}

/** Who a session is: the signed-in user, every privilege it holds through its groups, and its current Org where the API says. */
export interface SessionUser {
  name: string;
  privileges: string[];
  /** v2 names the session's Org; v1 does not (then the user's default Org is in use). */
  org?: { id: number; name: string };
}

export interface ThoughtSpotPort {
  /**
   * Every header of a type (optionally of some `LOGICAL_TABLE` subtypes), all pages. With `onPage`,
   * each page goes to it as it arrives and is not kept: the result is then empty (an export, which
   * decides page by page, does not hold a second copy of a whole instance's headers). `signal`
   * ends the listing: a page waiting in the queue is dropped, one under way closed, none retried;
   * it then rejects with the signal's reason.
   */
  listHeaders(type: HeaderType, subtypes?: string[], onPage?: (page: Header[]) => void, signal?: AbortSignal): Promise<Header[]>;
  /**
   * Headers of a type newest first (by `modified`), page by page, until a page
   * reaches back before `since` (epoch ms, ThoughtSpot's clock): every object
   * modified at or after `since`, and some older ones. Absent where the listing
   * cannot be sorted by modification: there only `listHeaders` (a full listing) is trusted.
   */
  listHeadersSince?(type: HeaderType, since: number, onPage?: (page: Header[]) => void, signal?: AbortSignal): Promise<Header[]>;
  /** `user/list`. `signal` ends it, as it ends `listHeaders`. */
  listPrincipals(signal?: AbortSignal): Promise<PrincipalEntry[]>;
  /** Every group's privileges (`GET group`). `signal` ends it, as it ends `listHeaders`. */
  listGroupPrivileges(signal?: AbortSignal): Promise<GroupPrivileges[]>;
  /** `user/sync`. */
  syncPrincipals(request: PrincipalsSyncRequest): Promise<PrincipalChanges>;
  /** `group/addprivilege` or `group/removeprivilege`: one privilege for some groups. */
  changePrivilege(change: 'add' | 'remove', privilege: string, groups: string[]): Promise<void>;
  /** TML of many objects in one call (YAML, fqns on every reference, models as `model:`). `signal` ends it, waiting or under way. */
  exportTml(ids: string[], signal?: AbortSignal): Promise<ExportedObject[]>;
  /** Imports documents (TML text) in one call. */
  importTml(documents: string[], policy: ImportPolicy): Promise<ImportAnswer>;
  /** Deletes objects of one type in one call, all or none. */
  deleteObjects(type: DeletableType, ids: string[]): Promise<DeleteAnswer>;
  /** `user/transfer/ownership` of some objects from one user to another (by user name). */
  transferOwnership(from: string, to: string, ids: string[]): Promise<void>;
  /** `listvizheaders`. */
  listVisualizations(liveboardId: string): Promise<Visualization[]>;
  /** `pinboarddata` of some visualizations (all without), per visualization GUID. */
  liveboardData(liveboardId: string, vizIds?: string[]): Promise<Record<string, DataSummary>>;
  /** `searchdata` over a table, worksheet, model or view. */
  searchData(sourceId: string, query: string): Promise<DataSummary>;
  /** `export/pinboard/pdf`: the PDF bytes. */
  liveboardPdf(liveboardId: string): Promise<Buffer>;
  /** Who this session is (`tmlsync doctor` checks privileges and the Org with it). */
  sessionUser(): Promise<SessionUser>;
  /** `user/updatepassword` (v1), `users/change-password` (v2): a user's password, never re-sent. */
  changePassword(user: string, currentPassword: string, newPassword: string): Promise<WriteAnswer>;
  /**
   * Whether this API speaks object ids (`obj_id`): v2 lists them with the
   * headers, exports them and sets them; v1 does none of this.
   */
  speaksObjIds(): Promise<boolean>;
  /** `metadata/update-obj-id`: gives each object (by GUID) its new `obj_id`. Only where `speaksObjIds()`. */
  setObjIds(updates: ObjIdAssignment[]): Promise<void>;
}

/** One object's new `obj_id`. */
export interface ObjIdAssignment {
  id: string;
  /** Its listing type, which `metadata/update-obj-id` is told. */
  type: HeaderType;
  objId: string;
}

export interface Identity {
  name: string;
  email: string;
}

/** Commits built while their files are written; nothing moves until `finish`. */
export interface ContentCommits {
  /** A file's content as written to the working tree. */
  file(path: string, text: string): void;
  /** One commit of `paths`: those handed over with `file` as they were given, any other removed. */
  commit(paths: string[], message: string, author: Identity): void;
  /**
   * Makes the commits in order; returns them, oldest first. The work tree is then taken to hold
   * exactly the branch's new tip (the next checkout of the branch leaves it as it is, issue 16):
   * every file written into it was handed over, and named in a commit unless unchanged. The next
   * commits of the state refs `states` (a run's ledger) are made beside them, for `publish` to
   * push as they are when it is handed the same writes. `written`: the files' writes into the
   * tree, when they may still be running; the tree is taken as the tip's only once they have
   * ended, and not if they failed (a failure the caller reports: `finish` only observes it), and
   * whatever reads the tree waits for them.
   */
  finish(states?: StateWrite[], written?: Promise<void>): Promise<string[]>;
  /** Told that commits are coming (objects are due): what makes them may start now. */
  expect(): void;
  /** Ends without committing. */
  discard(): Promise<void>;
}

/** A state ref's next commit: exactly `files`, on top of what the ref holds. */
export interface StateWrite {
  ref: string;
  files: Record<string, string>;
  message: string;
  /** On top of what the ref holds (only `files` and `removed` change), instead of exactly `files`. */
  onTop?: boolean;
  /** Files that go, `onTop`. */
  removed?: string[];
}

/** What a run publishes in one atomic push: all of it lands, or none (a run killed halfway leaves no half-recorded outcome). */
export interface Publication {
  /** The checked-out branch, when the run committed to it: its new commits go out (rebased onto commits pushed meanwhile). */
  branch?: string;
  /** The state refs (ledgers) written with it; asked again after a rebase, since what a run records may depend on it. */
  states: () => Promise<StateWrite[]>;
  /**
   * A ref moved in the same push only if the remote still has it at `from` (the daemon's lease,
   * which fences a run's records); asked once, and only when there is something to publish.
   */
  fence?: () => Promise<{ ref: string; from: string; to: string }>;
}

export interface ContentRepo {
  readonly dir: string;
  fetch(): Promise<void>;
  /** The branch as the remote has it; `reads`: the caller only reads the tree (a deploy), which lets the next run skip putting it back. */
  checkout(branch: string, options?: { reads?: boolean }): Promise<void>;
  /** Commits of the checked-out `branch` built from files handed over as they are written (git's `CommitStream`). */
  startCommits(branch: string): ContentCommits;
  /** Publishes the branch's new commits and state refs in one atomic push; false when the fence had moved (nothing published). */
  publish(publication: Publication): Promise<boolean>;
  readState(ref: string, file: string): Promise<string | undefined>;
  /** Several files of state refs or commits at once (one git process); undefined for each absent one. */
  readStates(reads: { ref: string; file: string }[]): Promise<(string | undefined)[]>;
  /** Puts the working tree on a commit (a tag, a SHA) without moving the branch; returns its SHA. */
  checkoutRef(ref: string): Promise<string>;
  revParse(ref: string): Promise<string | undefined>;
  /** Where a ref points in this work tree as it is, before any fetch: read from git's files, without a process (undefined when absent). */
  localTip(ref: string): Promise<string | undefined>;
  /**
   * The texts each of `paths` had in the commits after `since` up to HEAD (the last `limit` of
   * them that changed any), newest first; none when `since` is not a commit of this repository.
   */
  fileVersions(paths: string[], since: string, limit: number): Promise<Map<string, string[]>>;
  /** Paths added or changed between a commit (SHA, tag, branch) and HEAD. */
  changedPaths(since: string): Promise<string[]>;
  /** Commits reachable from `to` and not from `from` (a pipeline stage's distance behind its source). */
  commitsBetween(from: string | undefined, to: string): Promise<number>;
  /** Takes a lock held in the remote; undefined when taken, else who holds it. */
  acquireLock(ref: string, holder: string, isStale: (holder: string, since: Date) => boolean): Promise<string | undefined>;
  /** Gives a lock back; with `last`, the run's last state write goes with the release, one atomic push (both or neither). */
  releaseLock(ref: string, last?: StateWrite): Promise<void>;
  writeState(ref: string, files: Record<string, string>, message: string): Promise<void>;
  /** Makes a side branch of the remote hold `base` plus `files`, without touching the working tree; returns its commit. */
  publishBranch(branch: string, base: string | undefined, files: Record<string, string>, message: string, author: Identity): Promise<string>;
  /** Deletes a side branch of the remote, if there is one. */
  removeBranch(branch: string): Promise<boolean>;
}
