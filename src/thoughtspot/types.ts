/**
 * Shapes of ThoughtSpot's REST API v1 requests and responses, after
 * reference `thoughtspot-api.md` §4. Fields the reference marks uncertain or
 * build-dependent are optional; unknown extra fields are allowed where the
 * server is known to add them.
 */


export type Guid = string;
export type EpochMs = number;

/** The v1 error body (reference §1.6). */
export interface V1ErrorBody {
  code?: number;
  incident_id_guid?: string;
  trace_id_guid?: string;
  /** A plain string, or a JSON-encoded array of strings. */
  debug?: string;
  [key: string]: unknown;
}

// ---------------------------------------------------------------- principals (§2.4–§2.9)

export type PrincipalType = 'LOCAL_USER' | 'LOCAL_GROUP' | 'SAML_USER' | 'OIDC_USER' | 'LDAP_USER' | 'LDAP_GROUP' | (string & {});
export type Visibility = 'DEFAULT' | 'NON_SHARABLE';

export interface Principal {
  name: string;
  displayName?: string;
  description?: string;
  mail?: string;
  /** Only sent to `user/sync`, for new local users. */
  password?: string;
  created?: EpochMs;
  modified?: EpochMs;
  principalTypeEnum: PrincipalType;
  groupNames: string[];
  visibility?: Visibility;
  activate?: boolean;
}

/** Privileges the v1 docs list for `group/addprivilege`; newer names pass through as strings. */
export type Privilege =
  | 'ADMINISTRATION' | 'DEVELOPER' | 'USERDATAUPLOADING' | 'DATADOWNLOADING' | 'DATAMANAGEMENT' | 'SHAREWITHALL'
  | 'EXPERIMENTALFEATUREPRIVILEGE' | 'JOBSCHEDULING' | 'RANALYSIS' | 'A3ANALYSIS' | 'BYPASSRLS' | 'SYNCMANAGEMENT'
  | (string & {});

/** The group object `addprivilege`/`removeprivilege` may answer with (shape UNCONFIRMED, §2.8). */
export interface GroupDetails {
  privileges?: string[];
  displayName?: string;
  header?: Partial<ObjectHeader>;
  [key: string]: unknown;
}

// ---------------------------------------------------------------- metadata (§2.10, §2.11)

export type MetadataType =
  | 'QUESTION_ANSWER_BOOK' | 'PINBOARD_ANSWER_BOOK' | 'LOGICAL_TABLE' | 'LOGICAL_COLUMN' | 'LOGICAL_RELATIONSHIP'
  | 'TAG' | 'DATA_SOURCE' | 'USER' | 'USER_GROUP';
export type LogicalTableSubtype = 'ONE_TO_ONE_LOGICAL' | 'WORKSHEET' | 'USER_DEFINED' | 'AGGR_WORKSHEET' | 'SQL_VIEW' | 'PRIVATE_WORKSHEET';
export type HeaderCategory = 'ALL' | 'MY' | 'FAVORITE' | 'REQUESTED';
export type HeaderSort = 'DEFAULT' | 'NAME' | 'DISPLAY_NAME' | 'AUTHOR' | 'CREATED' | 'MODIFIED';

export interface ObjectHeader {
  id: Guid;
  name: string;
  description?: string;
  author: Guid;
  created: EpochMs;
  modified: EpochMs;
  modifiedBy: Guid;
  /** The object's own GUID in every documented content header (quirk, §2.10). */
  owner: Guid;
  isAutoCreated?: boolean;
  isAutoDelete?: boolean;
  indexVersion?: number;
  generationNum?: number;
  authorName?: string;
  authorDisplayName?: string;
  isDeleted?: boolean;
  isHidden?: boolean;
  tags?: ObjectHeader[];
  type?: string;
  isExternal?: boolean;
  isDeprecated?: boolean;
  clientState?: Record<string, unknown>;
  /** The object's `obj_id` (v2 `metadata_obj_id`), where it has one; v1 headers never carry it. */
  objId?: string;
}

export interface VizHeader extends Omit<ObjectHeader, 'isAutoCreated' | 'isAutoDelete'> {
  vizType: 'CHART' | 'TABLE' | 'HEADLINE' | 'FILTER' | (string & {});
  size?: string;
  title?: { value: { text: string } };
}

// ---------------------------------------------------------------- data (§2.12–§2.14)

export interface DataBlock {
  columnNames: string[];
  data: unknown[][];
  samplingRatio: number;
  totalRowCount: number;
  rowCount: number;
  pageSize: number;
  offset: number;
  name?: string;
}

/** `pinboarddata`: one block per visualization GUID. */
export type PinboardData = Record<Guid, DataBlock>;

export type DataFormat = 'COMPACT' | 'FULL';

/** Runtime filter operators (§2.13). */
export type FilterOperator =
  | 'EQ' | 'NE' | 'LT' | 'LE' | 'GT' | 'GE' | 'CONTAINS' | 'BEGINS_WITH' | 'ENDS_WITH'
  | 'BW_INC_MAX' | 'BW_INC_MIN' | 'BW_INC' | 'BW' | 'IN';

export interface RuntimeFilter {
  column: string;
  operator: FilterOperator;
  values: readonly (string | number)[];
}

// ---------------------------------------------------------------- TML (§2.15, §2.16, §3.6)

export type TmlStatusCode = 'OK' | 'WARNING' | 'ERROR';

export interface TmlStatus {
  status_code: TmlStatusCode;
  error_message?: string;
  error_code?: number;
}

export interface TmlExportItem {
  info: {
    name?: string;
    filename?: string;
    status: TmlStatus;
    type?: string;
    id?: Guid;
    dependency?: { name: string; filename: string }[];
  };
  edoc?: string;
}

export interface TmlExportResponse {
  object: TmlExportItem[];
}

export interface TmlImportHeader {
  id_guid: Guid;
  name: string;
  description?: string;
  author_guid?: Guid;
  owner_guid?: Guid;
  metadata_type?: MetadataType;
  [key: string]: unknown;
}

/** One import result; older builds say `info` where current ones say `response` (§2.16). */
export interface TmlImportItem {
  response?: { status: TmlStatus; header?: TmlImportHeader; diff?: Record<string, number> };
  info?: { status: TmlStatus; header?: TmlImportHeader; diff?: Record<string, number> };
}

export interface TmlImportResponse {
  object: TmlImportItem[];
}

export type ImportPolicy = 'PARTIAL' | 'ALL_OR_NONE' | 'VALIDATE_ONLY';
export type TmlFormat = 'YAML' | 'JSON';
/** `v2` exports models as `model:` TML; `v1` as worksheets (§2.15). */
export type TmlSchemaVersion = 'v1' | 'v2' | 'DEFAULT';
export type AccessLevel = 'FULL' | 'REPORT_BOOK_VIEW';

// ---------------------------------------------------------------- endpoints (§2)

/** Every v1 endpoint the client speaks, as a path under `/callosum/v1/tspublic/v1/`. */
export const ENDPOINTS = [
  'session/login', 'session/logout', 'session/auth/token', 'session/login/token', 'session/orgs',
  'user/list', 'user/sync', 'user/updatepassword', 'user/transfer/ownership',
  'group', 'group/addprivilege', 'group/removeprivilege',
  'metadata/listobjectheaders', 'metadata/listvizheaders', 'metadata/tml/export', 'metadata/tml/import', 'metadata/delete',
  'searchdata', 'pinboarddata', 'export/pinboard/pdf',
] as const;

export type Endpoint = (typeof ENDPOINTS)[number];
