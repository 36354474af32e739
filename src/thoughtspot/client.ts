import { readFileSync } from 'node:fs';
import { silentLogger, type Logger, type Redactor } from '../log/index.js';
import { addPrivilege, listGroups, removePrivilege, type PrivilegeParams } from './endpoints/group.js';
import { exportPinboardPdf, pinboardData, searchData, type PinboardDataParams, type PinboardPdfParams, type SearchDataParams } from './endpoints/data.js';
import { deleteObjects, listObjectHeaders, listVizHeaders, type DeleteObjectsParams, type ListObjectHeadersParams } from './endpoints/metadata.js';
import { authToken, login, loginToken, logout, type AuthTokenParams } from './endpoints/session.js';
import { exportTml, importTml, type ExportTmlParams, type ImportTmlParams } from './endpoints/tml.js';
import { listUsers, syncUsers, transferOwnership, updatePassword, type SyncUsersParams, type TransferOwnershipParams, type UpdatePasswordParams } from './endpoints/user.js';
import { ThoughtSpotHttp, type ApiCaller } from './http.js';
import { DEFAULT_RATE_LIMIT, DEFAULT_RETRY, DEFAULT_TIMEOUT_MS, type RateLimit, type RetryOptions } from './limits.js';
import type { ProxyEnv } from './proxy.js';
import { HostQueues, type HostQueue } from './queue.js';
import { documentText, exportResults, importResults, throwIfFailed, type TmlExportResult, type TmlImportDocument, type TmlImportResult } from './tml-results.js';
import { Transport } from './transport.js';
import type { DataBlock, GroupDetails, Guid, ObjectHeader, PinboardData, Principal, UserSyncResult, VizHeader } from './types.js';

export interface ThoughtSpotClientOptions {
  /** The cluster, e.g. `https://my.thoughtspot.cloud`. */
  url: string;
  /** The user to log in as (and, with trusted authentication, to request a token for unless `trustedAuthUser` says otherwise). */
  username: string;
  /** Password login (`session/login`). */
  password?: string;
  /** Trusted authentication (`session/auth/token` then `session/login/token`); takes precedence over `password`. */
  secretKey?: string;
  trustedAuthUser?: string;
  orgId?: number;
  /** PEM certificate authorities to trust besides Node's bundled ones (read once, here). */
  caFile?: string;
  /** Deadline of every call. */
  timeoutMs?: number;
  /**
   * How long the cluster keeps a session; when set, the client logs in again
   * shortly before a session reaches it (`SESSION_RENEW_MARGIN`) rather than
   * only after a 401.
   */
  sessionTtlMs?: number;
  rateLimit?: Partial<RateLimit>;
  retry?: Partial<RetryOptions>;
  logger?: Logger;
  /** Receives the password, secret key, tokens and session cookies, to scrub them from every log line. */
  redactor?: Redactor;
  /** The process's per-host queues, shared by every client of a host; a private registry otherwise. */
  queues?: HostQueues;
  /** Default `tmlsync/<version>`. */
  userAgent?: string;
  /** Where `HTTPS_PROXY`, `HTTP_PROXY` and `NO_PROXY` are read; `process.env` by default. */
  env?: ProxyEnv;
  /** Told the outcome of every call (after retries), for metrics. */
  onCall?: (endpoint: string, result: 'ok' | 'error') => void;
}

export interface ExportTmlOptions extends Omit<ExportTmlParams, 'ids'> {
  /** Throw a `TmlBatchError` naming every failed object, instead of reporting failures in the results. */
  throwOnError?: boolean;
}

export interface ImportTmlOptions extends Omit<ImportTmlParams, 'documents'> {
  throwOnError?: boolean;
}

/**
 * A ThoughtSpot REST API v1 client: one method per endpoint (reference §2),
 * plus `exportTml`/`importTml` with per-object results, and paging over
 * object headers. Logs in lazily before the first call.
 */
export class ThoughtSpotClient {
  /** The v1 API base, e.g. `https://my.thoughtspot.cloud/callosum/v1/tspublic/v1/`. */
  readonly baseUrl: string;
  /** This host's queue, shared with every client given the same `queues`. */
  readonly queue: HostQueue;
  readonly #http: ThoughtSpotHttp;
  readonly #redactor: Redactor | undefined;

  constructor(options: ThoughtSpotClientOptions) {
    if (!options.password && !options.secretKey) throw new TypeError('ThoughtSpot client needs a password or a trusted-authentication secret key');
    const { redactor } = options;
    this.#redactor = redactor;
    redactor?.add(options.password);
    redactor?.add(options.secretKey);
    const logger = (options.logger ?? silentLogger()).child({ component: 'thoughtspot' });
    const transport = new Transport({
      url: options.url,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      userAgent: options.userAgent ?? `tmlsync/${packageVersion()}`,
      caFile: options.caFile,
      env: options.env,
      onCookie: (_name, value) => redactor?.add(value),
    });
    if (transport.proxy) redactor?.add(decodeURIComponent(transport.proxy.password));
    this.baseUrl = transport.baseUrl;
    this.queue = (options.queues ?? new HostQueues()).for(options.url, withDefaults(DEFAULT_RATE_LIMIT, options.rateLimit));
    this.#http = new ThoughtSpotHttp({
      transport,
      queue: this.queue,
      retry: withDefaults(DEFAULT_RETRY, options.retry),
      logger: logger.child({ host: new URL(options.url).host }),
      redactor,
      authenticate: (api) => authenticate(api, options),
      ...(options.sessionTtlMs ? { sessionTtlMs: options.sessionTtlMs } : {}),
      ...(options.onCall ? { onCall: options.onCall } : {}),
    });
  }

  // ---------------------------------------------------------------- session

  /** Logs in now (calls log in by themselves when needed). */
  login(): Promise<void> {
    return this.#http.ensureSession();
  }

  /** Ends the session, if there is one; a later call logs in again. */
  async logout(): Promise<void> {
    if (!this.#http.hasSession) return;
    try {
      await logout(this.#http);
    } finally {
      this.#http.endSession();
    }
  }

  /** A trusted-authentication token for any user (e.g. to embed), without touching this client's session. */
  async requestAuthToken(params: AuthTokenParams): Promise<string> {
    this.#redactor?.add(params.secretKey);
    const token = await authToken(this.#http, params);
    this.#redactor?.add(token);
    return token;
  }

  // ---------------------------------------------------------------- users and groups

  listUsers(): Promise<Principal[]> {
    return listUsers(this.#http);
  }

  syncUsers(params: SyncUsersParams): Promise<UserSyncResult> {
    return syncUsers(this.#http, params);
  }

  updatePassword(params: UpdatePasswordParams): Promise<void> {
    return updatePassword(this.#http, params);
  }

  transferOwnership(params: TransferOwnershipParams): Promise<void> {
    return transferOwnership(this.#http, params);
  }

  /** Every group with its privileges (`GET group`). */
  listGroups(): Promise<GroupDetails[]> {
    return listGroups(this.#http);
  }

  addPrivilege(params: PrivilegeParams): Promise<GroupDetails | undefined> {
    return addPrivilege(this.#http, params);
  }

  removePrivilege(params: PrivilegeParams): Promise<GroupDetails | undefined> {
    return removePrivilege(this.#http, params);
  }

  // ---------------------------------------------------------------- metadata

  listObjectHeaders(params: ListObjectHeadersParams): Promise<ObjectHeader[]> {
    return listObjectHeaders(this.#http, params);
  }

  /** Every header of a type, fetched page by page (`offset` skips, from 0); `onPage` sees each page as it arrives. */
  async listAllObjectHeaders(params: Omit<ListObjectHeadersParams, 'offset' | 'batchSize'>, pageSize = 500, onPage?: (page: ObjectHeader[]) => void): Promise<ObjectHeader[]> {
    const headers: ObjectHeader[] = [];
    for (;;) {
      const page = await listObjectHeaders(this.#http, { ...params, offset: headers.length, batchSize: pageSize });
      headers.push(...page);
      onPage?.(page);
      if (page.length < pageSize) return headers;
    }
  }

  listVizHeaders(id: Guid): Promise<VizHeader[]> {
    return listVizHeaders(this.#http, id);
  }

  /**
   * Deletes objects of one type. An HTTP-level failure that leaves the outcome
   * unknown is a `ThoughtSpotUncertainWriteError`: list what is still there.
   */
  deleteObjects(params: DeleteObjectsParams): Promise<void> {
    return deleteObjects(this.#http, params);
  }

  // ---------------------------------------------------------------- TML

  /**
   * Exports objects; one result per returned object (the requested ones in
   * order, then associated ones): the document, or a `TmlObjectError` naming
   * the object, ThoughtSpot's error code and message. A requested id the
   * answer leaves out is reported as failed too.
   */
  async exportTml(ids: readonly Guid[], options: ExportTmlOptions = {}): Promise<TmlExportResult[]> {
    const { throwOnError, ...params } = options;
    const results = exportResults(await exportTml(this.#http, { ...params, ids }), ids);
    if (throwOnError) throwIfFailed('metadata/tml/export', results);
    return results;
  }

  /**
   * Imports documents; one result per document, in input order. An HTTP-level
   * failure that leaves the outcome unknown is a `ThoughtSpotUncertainWriteError`:
   * re-export to see what took effect.
   */
  async importTml(documents: readonly TmlImportDocument[], options: ImportTmlOptions): Promise<TmlImportResult[]> {
    const { throwOnError, ...params } = options;
    const response = await importTml(this.#http, { ...params, documents: documents.map(documentText) });
    const results = importResults(response, documents);
    if (throwOnError) throwIfFailed('metadata/tml/import', results);
    return results;
  }

  // ---------------------------------------------------------------- data

  searchData(params: SearchDataParams): Promise<DataBlock> {
    return searchData(this.#http, params);
  }

  pinboardData(params: PinboardDataParams): Promise<PinboardData> {
    return pinboardData(this.#http, params);
  }

  exportPinboardPdf(params: PinboardPdfParams): Promise<Buffer> {
    return exportPinboardPdf(this.#http, params);
  }
}

/** Password login, or trusted authentication: a token for the user, traded for a session (reference §2.3). */
async function authenticate(api: ApiCaller, options: ThoughtSpotClientOptions): Promise<void> {
  if (options.secretKey) {
    const username = options.trustedAuthUser ?? options.username;
    const token = await authToken(api, { secretKey: options.secretKey, username, accessLevel: 'FULL', orgId: options.orgId });
    options.redactor?.add(token);
    await loginToken(api, { username, authToken: token });
  } else {
    await login(api, { username: options.username, password: options.password ?? '', orgId: options.orgId });
  }
}

/** The defaults with every given value on top; an undefined one (an unset config key) keeps its default. */
function withDefaults<T extends object>(defaults: T, given: Partial<T> | undefined): T {
  const set = Object.entries(given ?? {}).filter(([, value]) => value !== undefined);
  return { ...defaults, ...(Object.fromEntries(set) as Partial<T>) };
}

/** This package's version, from the package.json beside `src/` or `dist/`. */
function packageVersion(): string {
  try {
    const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
    return (JSON.parse(text) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}
