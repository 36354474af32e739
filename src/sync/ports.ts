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

export interface ThoughtSpotPort {
  /** Every header of a type, all pages. */
  listHeaders(type: HeaderType): Promise<Header[]>;
  /** `user/list`. */
  listPrincipals(): Promise<PrincipalEntry[]>;
  /** TML of many objects in one call (YAML, fqns on every reference, models as `model:`). */
  exportTml(ids: string[]): Promise<ExportedObject[]>;
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
  writeState(ref: string, files: Record<string, string>, message: string): Promise<void>;
}
