/**
 * Shapes shared by the TML core. TML is the YAML/JSON document format of ThoughtSpot objects
 * (reference/thoughtspot-api.md §3); these types describe it generically, and everything
 * kind-specific lives in a handler (`kinds/`).
 */

/** The object kinds we handle, one handler each (§3.1). `pinboard` is a key, not a kind. */
export type TmlKind = 'connection' | 'table' | 'sql_view' | 'view' | 'worksheet' | 'model' | 'cohort' | 'answer' | 'liveboard';

/** A JSON-compatible value as TML holds it. */
export type TmlValue = string | number | boolean | null | TmlValue[] | TmlMap;
export interface TmlMap {
  [key: string]: TmlValue;
}

/** A path from a document's root (or from a kind's body, where said): keys and list indexes. */
export type TmlPath = readonly (string | number)[];

/** `metadata_type` values of the v1 API that list the kinds above (§2.10, §2.16). */
/** `LOGICAL_COLUMN` lists cohorts (subtype `COHORT`, UNCONFIRMED: kinds/cohort.ts). */
export type ListedMetadataType = 'LOGICAL_TABLE' | 'QUESTION_ANSWER_BOOK' | 'PINBOARD_ANSWER_BOOK' | 'DATA_SOURCE' | 'LOGICAL_COLUMN';
export type MetadataType = ListedMetadataType;

export type TmlFormat = 'yaml' | 'json';

/** One parsed TML document. */
export interface TmlDocument {
  /** The handler's kind (`liveboard` for a document written with the older `pinboard:` key). */
  readonly kind: TmlKind;
  /** The kind key as written in the document (`pinboard`, `liveboard`, …); null for the
   * envelope-less connection form (DUMMY.connection.tml), whose body is the whole document. */
  readonly kindKey: string | null;
  readonly guid?: string;
  readonly objId?: string;
  /** The object's name (`<kind>.name`), '' when missing; validation reports that. */
  readonly name: string;
  /** The kind's mapping (`data[kindKey]`, or `data` itself for the envelope-less form). */
  readonly body: TmlMap;
  /** The whole document as parsed; format() writes this back. */
  readonly data: TmlMap;
  readonly format: TmlFormat;
  readonly file?: string;
  /** 1-based line of the value at `path` (from the document root), or of its nearest existing
   * ancestor; undefined for documents built from data rather than parsed from text. */
  lineOf(path: TmlPath): number | undefined;
}

/** What one object depends on: another object named in it (an Identity, §3.3). */
export interface TmlReference {
  /** The kinds the target may be (a data source may be a table, a view, a model, …). */
  readonly kinds: readonly TmlKind[];
  readonly name: string;
  /** The target's GUID, when the document gives it (`fqn:`). */
  readonly fqn?: string;
  /** The target's obj_id, when the document gives it (newer builds). */
  readonly objId?: string;
  /** Where the reference is: from the document root, pointing at its `name`. */
  readonly path: TmlPath;
}

/** An object that exists outside the validated set (in the target environment, or mapped). */
export interface KnownObject {
  readonly kind: TmlKind;
  readonly name: string;
  readonly guid: string;
  readonly objId?: string;
}

export type TmlIssueCode =
  | 'required-field'
  | 'invalid-type'
  | 'invalid-enum'
  | 'unknown-field'
  | 'missing-reference'
  | 'ambiguous-reference'
  | 'invalid-column-id'
  | 'unknown-local-id'
  | 'duplicate-name'
  | 'duplicate-guid';

export type TmlSeverity = 'error' | 'warning';

/** One validation finding. `message` is self-contained: it names the file, line, object and path. */
export interface TmlIssue {
  readonly severity: TmlSeverity;
  readonly code: TmlIssueCode;
  /** ThoughtSpot's error code for the same problem, where one is known (§3.6). */
  readonly tsCode?: number;
  readonly message: string;
  readonly file?: string;
  readonly line?: number;
  /** ThoughtSpot-style field path, e.g. `answer->tables(1st)->name`. */
  readonly path: string;
  readonly object: { readonly kind: TmlKind; readonly name: string; readonly guid?: string };
}

/**
 * A declarative check on a kind's body. `path` is dotted from the body, with `[]` for "each
 * element of this list": `columns[].properties.column_type`.
 */
export interface FieldRule {
  readonly path: string;
  /** The field must be present (not null, not '') wherever its parent is. */
  readonly required?: boolean;
  /** …unless this sibling of the field is present (a worksheet's `schema:` replaces `tables:`). */
  readonly unless?: string;
  /** The rule applies only to bodies where this top-level field is present (a table's
   * `connection`: a Falcon table has none, and none of the fields that describe one). */
  readonly onlyWith?: string;
  readonly type?: 'string' | 'list' | 'map';
  /** Allowed values; only for enums ThoughtSpot documents as closed. */
  readonly enum?: readonly string[];
}

/** A finding of a handler's own checks, located from the body. */
export interface LocalIssue {
  readonly code: TmlIssueCode;
  readonly tsCode?: number;
  readonly path: TmlPath;
  readonly message: string;
}

/** Everything kind-specific about one kind (STYLE.md practice 7: workflows never switch on kind). */
export interface KindHandler {
  readonly kind: TmlKind;
  /** Document keys that select this handler; the first is the one ThoughtSpot exports today. */
  readonly keys: readonly string[];
  readonly metadataType: MetadataType;
  /** `LOGICAL_TABLE` subtypes (§2.10), `COHORT` of `LOGICAL_COLUMN`; empty for the other metadata types. */
  readonly subtypes: readonly string[];
  /** ThoughtSpot's listing for this kind is not known: it has none among KIND_LISTINGS and
   * metadataTypes(), so pulls do not look for it (no kind today; cohorts were, kinds/cohort.ts). */
  readonly unlisted?: boolean;
  /** Import order: lower ranks first (connection → table → view/sql_view → worksheet/model →
   * cohort → answer → liveboard, DESIGN.md "Deploy" step 4). Ties and cycles are broken by it. */
  readonly rank: number;
  /** `.table.tml` etc. (§3.1); a document keeps its own key (`.pinboard.tml`). */
  readonly suffix: string;
  readonly rules: readonly FieldRule[];
  /** Parts of the body that are other kinds' bodies (a liveboard's embedded answers). */
  readonly nested?: readonly { readonly path: string; readonly kind: TmlKind }[];
  /** What the body depends on, with paths from the body. */
  references(body: TmlMap): TmlReference[];
  /** References inside the document (column ids, layout tiles), with paths from the body. */
  check?(body: TmlMap): LocalIssue[];
  /** Recognises this kind's envelope-less form, if it has one. */
  recognizesBare?(data: TmlMap): boolean;
  /**
   * What a data check after a deploy runs for this kind (issue 7): the data of
   * every visualization (`pinboarddata`), or a search over its columns
   * (`searchdata`, with `searchColumns`). Kinds without one are not checked.
   */
  readonly dataCheck?: 'visualizations' | 'search';
  /** A data source's searchable columns in order, as a search names them. */
  searchColumns?(body: TmlMap): SearchColumn[];
  /**
   * Objects of this kind belong to each environment (connections, DESIGN.md
   * "Deploy" step 3): exported, but never deployed, pruned or given an owner;
   * a reference to one is resolved by its (mapped) name in the target.
   */
  readonly environmentOwned?: boolean;
}

export interface SearchColumn {
  readonly name: string;
  readonly type: 'ATTRIBUTE' | 'MEASURE';
}
