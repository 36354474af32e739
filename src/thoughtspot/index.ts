/**
 * The ThoughtSpot REST API clients, v1 (`ThoughtSpotClient`) and v2
 * (`ThoughtSpotV2Client`): the only code that speaks HTTP to ThoughtSpot
 * (DESIGN module map). Three layers: a got transport, one typed function per
 * endpoint (`endpoints/` for v1, `v2/endpoints/` for v2), and a client with
 * the domain operations. Both clients take and give the same shapes, and
 * share one connection layer: all calls to a host, of either version, go
 * through one rate-limited queue with the same retry rules, typed errors and
 * redaction.
 */
export { ThoughtSpotClient, type ThoughtSpotClientOptions, type ExportTmlOptions, type ImportTmlOptions } from './client.js';
export {
  ThoughtSpotV2Client,
  type ThoughtSpotV2ClientOptions,
  type ListHeadersParams,
  type V2ImportTmlOptions,
  type AsyncImportOptions,
  type TransferOwnershipV2Params,
} from './v2/client.js';
export type { ConnectionOptions } from './connection.js';
export type { CallResult } from './http.js';
export type { TmlExportResult, TmlImportResult, TmlImportDocument } from './tml-results.js';
export {
  ThoughtSpotError,
  ThoughtSpotApiError,
  ThoughtSpotNetworkError,
  ThoughtSpotResponseError,
  ThoughtSpotUncertainWriteError,
  TmlObjectError,
  TmlBatchError,
  decodeDebug,
  tmlMessageText,
} from './errors.js';
export {
  THOUGHTSPOT_PUBLISHED_LIMIT,
  DEFAULT_RATE_LIMIT,
  DEFAULT_RETRY,
  DEFAULT_TIMEOUT_MS,
  CONNECT_TIMEOUT_MS,
  SESSION_RENEW_MARGIN,
  sessionRenewAfterMs,
  DEFAULT_TOKEN_VALIDITY_SEC,
  ASYNC_IMPORT_POLL,
  type RateLimit,
  type RetryOptions,
} from './limits.js';
export { HostQueues, HostQueue, backoffDelay, parseRetryAfter } from './queue.js';
export { proxyFor, bypassesProxy, type ProxyEnv } from './proxy.js';
export { API_BASE_PATH } from './transport.js';
export type { AuthTokenParams } from './endpoints/session.js';
export type { SyncUsersParams, UpdatePasswordParams, TransferOwnershipParams } from './endpoints/user.js';
export type { PrivilegeParams } from './endpoints/group.js';
export type { ListObjectHeadersParams, DeleteObjectsParams, DeletableType } from './endpoints/metadata.js';
export type { ExportTmlParams, ImportTmlParams } from './endpoints/tml.js';
export type { SearchDataParams, PinboardDataParams, PinboardPdfParams } from './endpoints/data.js';
export * from './types.js';
export * from './v2/types.js';
export { OrgAccessError, type OrgRef } from './orgs.js';
