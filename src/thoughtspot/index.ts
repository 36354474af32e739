/**
 * The ThoughtSpot REST API v1 client: the only code that speaks HTTP to
 * ThoughtSpot (DESIGN module map). Three layers: a got transport, one typed
 * function per endpoint, and `ThoughtSpotClient` with the domain operations;
 * all calls to a host share one rate-limited queue.
 */
export { ThoughtSpotClient, type ThoughtSpotClientOptions, type ExportTmlOptions, type ImportTmlOptions } from './client.js';
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
