/**
 * What the workflows need of ThoughtSpot and of git, as interfaces of their
 * own (DESIGN.md module map): the CLI and the daemon plug in the real client
 * and `GitRepo`; tests may plug in anything that keeps these promises.
 */

export type HeaderType = 'DATA_SOURCE' | 'LOGICAL_TABLE' | 'QUESTION_ANSWER_BOOK' | 'PINBOARD_ANSWER_BOOK' | 'USER';

export interface Header {
  id: string;
  name: string;
  modified: number;
  modifiedBy?: string;
  author?: string;
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

export interface ThoughtSpotPort {
  /** Every header of a type (optionally of some `LOGICAL_TABLE` subtypes), all pages; `onPage` sees each page as it arrives. */
  listHeaders(type: HeaderType, subtypes?: string[], onPage?: (page: Header[]) => void): Promise<Header[]>;
  /** `user/list`. */
  listPrincipals(): Promise<PrincipalEntry[]>;
  /** TML of many objects in one call (YAML, fqns on every reference, models as `model:`). */
  exportTml(ids: string[]): Promise<ExportedObject[]>;
  /** Imports documents (TML text) in one call. */
  importTml(documents: string[], policy: ImportPolicy): Promise<ImportAnswer>;
}

export interface Identity {
  name: string;
  email: string;
}

export interface ContentRepo {
  readonly dir: string;
  fetch(): Promise<void>;
  checkout(branch: string): Promise<void>;
  commitPaths(paths: string[], message: string, author: Identity): Promise<string | undefined>;
  push(branch: string): Promise<void>;
  readState(ref: string, file: string): Promise<string | undefined>;
  /** Puts the working tree on a commit (a tag, a SHA) without moving the branch; returns its SHA. */
  checkoutRef(ref: string): Promise<string>;
  revParse(ref: string): Promise<string | undefined>;
  /** Takes a lock held in the remote; undefined when taken, else who holds it. */
  acquireLock(ref: string, holder: string, isStale: (holder: string, since: Date) => boolean): Promise<string | undefined>;
  releaseLock(ref: string): Promise<void>;
  writeState(ref: string, files: Record<string, string>, message: string): Promise<void>;
}
