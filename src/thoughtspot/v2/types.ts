/**
 * Shapes of ThoughtSpot's REST API v2 requests and responses, after the
 * models of ThoughtSpot's v2 SDK (`@thoughtspot/rest-api-sdk` 2.24.0,
 * `models/*.ts`, one model per shape named below): exact field names, enums,
 * optionality. Only what tmlsync sends or reads; unknown extra fields are
 * allowed. Enums list the SDK's values and let newer ones through as strings.
 */

import type { EpochMs, Guid } from '../types.js';

/** Where the v2 API lives under a cluster's URL (SDK `apis/ThoughtSpotRestApi.ts`: every path starts so). */
export const V2_BASE_PATH = '/api/rest/2.0/';

/** Every v2 endpoint the client speaks, as a path under `/api/rest/2.0/` (a path parameter in braces). */
export const V2_ENDPOINTS = [
  'auth/token/full', 'auth/token/revoke', 'auth/session/user', 'system', 'orgs/search',
  'metadata/search', 'metadata/delete', 'metadata/tml/export', 'metadata/tml/import',
  'metadata/tml/async/import', 'metadata/tml/async/status',
  'users/search', 'users/import', 'users/change-password',
  'groups/search', 'groups/import', 'groups/{group_identifier}/update',
  'security/metadata/assign', 'searchdata', 'metadata/liveboard/data', 'report/liveboard', 'metadata/update-obj-id',
] as const;

export type V2Endpoint = (typeof V2_ENDPOINTS)[number];

/** SDK `MetadataListItemInputTypeEnum` (and the narrower export, delete and author enums inside it). */
export type V2MetadataType =
  | 'LIVEBOARD' | 'ANSWER' | 'LOGICAL_TABLE' | 'LOGICAL_COLUMN' | 'CONNECTION' | 'TAG' | 'USER' | 'USER_GROUP'
  | 'LOGICAL_RELATIONSHIP' | 'INSIGHT_SPEC' | (string & {});

export type V2ImportPolicy = 'PARTIAL' | 'ALL_OR_NONE' | 'VALIDATE_ONLY' | 'PARTIAL_OBJECT';
export type V2SchemaVersion = 'DEFAULT' | 'V1' | 'V2';
export type V2DataFormat = 'FULL' | 'COMPACT';
export type V2Visibility = 'SHARABLE' | 'NON_SHARABLE';
export type V2AccountType = 'LOCAL_USER' | 'LDAP_USER' | 'SAML_USER' | 'OIDC_USER' | 'REMOTE_USER' | (string & {});
export type V2GroupType = 'LOCAL_GROUP' | 'LDAP_GROUP' | 'TEAM_GROUP' | 'TENANT_GROUP' | (string & {});

/** SDK `Token`: the answer of `auth/token/full`. */
export interface V2Token {
  token: string;
  creation_time_in_millis: EpochMs;
  expiration_time_in_millis: EpochMs;
  scope?: { access_type: string; org_id?: number | null; metadata_id?: string | null };
  valid_for_user_id: string;
  valid_for_username: string;
}

/** SDK `ObjectIDAndName` / `UserGroup`: a reference to a principal or object. */
export interface V2Ref {
  id?: string | null;
  name?: string | null;
}

/** SDK `User` (the fields tmlsync reads). */
export interface V2User {
  id: Guid;
  name: string;
  display_name: string;
  visibility: V2Visibility;
  account_type?: V2AccountType | null;
  account_status?: string | null;
  email?: string | null;
  creation_time_in_millis?: EpochMs | null;
  modification_time_in_millis?: EpochMs | null;
  user_groups?: V2Ref[] | null;
  privileges?: string[] | null;
  current_org?: { id: number; name: string };
  orgs?: { id: number; name: string }[] | null;
  system_user?: boolean | null;
  super_user?: boolean | null;
  [key: string]: unknown;
}

/** SDK `UserGroupResponse` (the fields tmlsync reads). */
export interface V2Group {
  id: Guid;
  name: string;
  display_name: string;
  visibility: V2Visibility;
  description?: string | null;
  type?: V2GroupType | null;
  privileges?: string[] | null;
  sub_groups?: V2Ref[] | null;
  users?: V2Ref[] | null;
  creation_time_in_millis?: EpochMs | null;
  modification_time_in_millis?: EpochMs | null;
  system_group?: boolean | null;
  [key: string]: unknown;
}

/** SDK `ImportUsersResponse`; each entry an `ImportUserType` (`{id?, name}`). */
export interface V2ImportUsersResponse {
  users_added?: V2Ref[] | null;
  users_updated?: V2Ref[] | null;
  users_deleted?: V2Ref[] | null;
}

/** SDK `ImportUserGroupsResponse`. */
export interface V2ImportGroupsResponse {
  groups_added: V2Ref[];
  groups_updated: V2Ref[];
  groups_deleted: V2Ref[];
}

/** SDK `MetadataSearchResponse`: the header is an object the SDK leaves untyped. */
export interface V2MetadataItem {
  metadata_id?: Guid | null;
  metadata_name?: string | null;
  metadata_type: V2MetadataType;
  metadata_obj_id?: string | null;
  metadata_header?: Record<string, unknown> | null;
  metadata_detail?: unknown;
  visualization_headers?: Record<string, unknown>[] | null;
  [key: string]: unknown;
}

/** SDK `ImportEPackAsyncTaskStatus`. */
export interface V2AsyncImportTask {
  task_id?: string | null;
  task_name?: string | null;
  task_status?: 'COMPLETED' | 'IN_QUEUE' | 'IN_PROGRESS' | 'FAILED' | (string & {}) | null;
  import_policy?: V2ImportPolicy | null;
  /** "Response of imported objects so far": untyped in the SDK. */
  import_response?: unknown;
  total_object_count?: number | null;
  object_processed_count?: number | null;
  created_at?: EpochMs | null;
  completed_at?: EpochMs | null;
  [key: string]: unknown;
}

/** SDK `GetAsyncImportStatusResponse`. */
export interface V2AsyncImportStatus {
  status_list?: V2AsyncImportTask[] | null;
  last_batch?: boolean | null;
}

/** SDK `AnswerContent` and `LiveboardContent` (the latter adds the visualization). */
export interface V2DataContent {
  column_names: string[];
  data_rows: unknown[];
  available_data_row_count: number;
  returned_data_row_count: number;
  record_offset: number;
  record_size: number;
  sampling_ratio: number;
  visualization_id?: Guid | null;
  visualization_name?: string | null;
}

/** SDK `SearchDataResponse`. */
export interface V2SearchDataResponse {
  contents: V2DataContent[];
}

/** SDK `LiveboardDataResponse`. */
export interface V2LiveboardDataResponse {
  metadata_id: Guid;
  metadata_name: string;
  contents: V2DataContent[];
}

/** SDK `SystemInfo` (the fields tmlsync shows). */
export interface V2SystemInfo {
  id?: string | null;
  name?: string | null;
  release_version?: string | null;
  api_version?: string | null;
  type?: string | null;
  environment?: string | null;
  time_zone?: string | null;
  locale?: string | null;
  [key: string]: unknown;
}

/** SDK `OrgResponse`. */
export interface V2Org {
  id?: number | null;
  name?: string | null;
  status?: 'ACTIVE' | 'IN_ACTIVE' | (string & {}) | null;
  description?: string | null;
  visibility?: 'SHOW' | 'HIDDEN' | (string & {}) | null;
}
