import type { PrincipalChanges } from '../tml/index.js';
import type { Redactor } from '../log/index.js';
import { openConnection, type ConnectionOptions } from './connection.js';
import { addPrivilege, listGroups, removePrivilege, type PrivilegeParams } from './endpoints/group.js';
import { exportPinboardPdf, pinboardData, searchData, type PinboardDataParams, type PinboardPdfParams, type SearchDataParams } from './endpoints/data.js';
import { deleteObjects, listObjectHeaders, listVizHeaders, type DeleteObjectsParams, type ListObjectHeadersParams } from './endpoints/metadata.js';
import { authToken, login, loginToken, logout, sessionOrgs, switchOrg, type AuthTokenParams } from './endpoints/session.js';
import { exportTml, importTml, type ExportTmlParams, type ImportTmlParams } from './endpoints/tml.js';
import { listUsers, syncUsers, transferOwnership, updatePassword, type SyncUsersParams, type TransferOwnershipParams, type UpdatePasswordParams } from './endpoints/user.js';
import { eachPage } from './headers.js';
import type { ApiCaller, ThoughtSpotHttp } from './http.js';
import { pickOrg } from './orgs.js';
import type { HostQueue } from './queue.js';
import { documentText, exportResults, importResults, throwIfFailed, type TmlExportResult, type TmlImportDocument, type TmlImportResult } from './tml-results.js';
import { API_BASE_PATH } from './transport.js';
import type { DataBlock, GroupDetails, Guid, ObjectHeader, PinboardData, Principal, VizHeader } from './types.js';

export interface ThoughtSpotClientOptions extends ConnectionOptions {
  /**
   * How long the cluster keeps a session; when set, the client logs in again
   * shortly before a session reaches it (`SESSION_RENEW_MARGIN`) rather than
   * only after a 401.
   */
  sessionTtlMs?: number;
}

export interface ExportTmlOptions extends Omit<ExportTmlParams, 'ids'> {
  /** Throw a `TmlBatchError` naming every failed object, instead of reporting failures in the results. */
  throwOnError?: boolean;
  /** Ends the call, waiting or under way (`ApiRequest.signal`): a run that no longer needs the answer. */
  signal?: AbortSignal;
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
  /** The configured Org's id, once looked up. */
  readonly #org: { id?: number } = {};

  constructor(options: ThoughtSpotClientOptions) {
    this.#redactor = options.redactor;
    const connection = openConnection(options, {
      api: 'v1',
      basePath: API_BASE_PATH,
      cookies: true,
      authenticate: (api) => authenticate(api, options, this.#org),
      ...(options.sessionTtlMs ? { sessionTtlMs: options.sessionTtlMs } : {}),
    });
    this.baseUrl = connection.baseUrl;
    this.queue = connection.queue;
    this.#http = connection.http;
  }

  // ---------------------------------------------------------------- session

  /** Logs in now (calls log in by themselves when needed). */
  login(signal?: AbortSignal): Promise<void> {
    return this.#http.ensureSession(signal);
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

  /** Every user and group; `signal` ends the call (`ApiRequest.signal`). */
  listUsers(signal?: AbortSignal): Promise<Principal[]> {
    return listUsers(this.#http, signal);
  }

  syncUsers(params: SyncUsersParams): Promise<PrincipalChanges> {
    return syncUsers(this.#http, params);
  }

  updatePassword(params: UpdatePasswordParams): Promise<void> {
    return updatePassword(this.#http, params);
  }

  transferOwnership(params: TransferOwnershipParams): Promise<void> {
    return transferOwnership(this.#http, params);
  }

  /** Every group with its privileges (`GET group`); `signal` ends the call. */
  listGroups(signal?: AbortSignal): Promise<GroupDetails[]> {
    return listGroups(this.#http, signal);
  }

  addPrivilege(params: PrivilegeParams): Promise<GroupDetails | undefined> {
    return addPrivilege(this.#http, params);
  }

  removePrivilege(params: PrivilegeParams): Promise<GroupDetails | undefined> {
    return removePrivilege(this.#http, params);
  }

  // ---------------------------------------------------------------- metadata

  /** One page of headers; `signal` ends the call (`ApiRequest.signal`). */
  listObjectHeaders(params: ListObjectHeadersParams, signal?: AbortSignal): Promise<ObjectHeader[]> {
    return listObjectHeaders(this.#http, params, signal);
  }

  /** Every header of a type, fetched page by page (`offset` skips, from 0). */
  async listAllObjectHeaders(params: Omit<ListObjectHeadersParams, 'offset' | 'batchSize'>, pageSize = 500): Promise<ObjectHeader[]> {
    const headers: ObjectHeader[] = [];
    await this.eachObjectHeaderPage(params, pageSize, (page) => headers.push(...page));
    return headers;
  }

  /**
   * Every header of a type, page by page to `onPage` as it arrives, none kept here: a caller
   * that handles each page (an export) need not hold the whole listing (issue 16: at 100,003
   * objects, the listing kept whole held every raw header until its type was listed). `signal`
   * ends the listing: no page is asked for after it aborts.
   */
  async eachObjectHeaderPage(params: Omit<ListObjectHeadersParams, 'offset' | 'batchSize'>, pageSize: number, onPage: (page: ObjectHeader[]) => void, signal?: AbortSignal): Promise<void> {
    await eachPage((offset) => listObjectHeaders(this.#http, { ...params, offset, batchSize: pageSize }, signal), pageSize, onPage);
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
    const { throwOnError, signal, ...params } = options;
    const results = exportResults(await exportTml(this.#http, { ...params, ids }, signal), ids);
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

/**
 * Password login, or trusted authentication: a token for the user, traded
 * for a session (reference §2.3); then the configured Org, if there is one.
 */
async function authenticate(api: ApiCaller, options: ThoughtSpotClientOptions, org: { id?: number }): Promise<void> {
  await logIn(api, options);
  if (options.org !== undefined) await enterOrg(api, options.org, options.trustedAuthUser ?? options.username, org);
}

async function logIn(api: ApiCaller, options: ThoughtSpotClientOptions): Promise<void> {
  if (options.secretKey) {
    const username = options.trustedAuthUser ?? options.username;
    const token = await authToken(api, { secretKey: options.secretKey, username, accessLevel: 'FULL', orgId: options.orgId });
    options.redactor?.add(token);
    await loginToken(api, { username, authToken: token });
  } else {
    await login(api, { username: options.username, password: options.password ?? '', orgId: options.orgId });
  }
}

/**
 * Moves a new session into the configured Org (`PUT session/orgs`): every
 * session starts in the user's default Org, so this follows every login and
 * re-login. The Org's id is looked up once among the user's Orgs (`GET
 * session/orgs`); one the user is not in is an `OrgAccessError`.
 */
async function enterOrg(api: ApiCaller, wanted: string, username: string, org: { id?: number }): Promise<void> {
  if (org.id === undefined) {
    const listed = await sessionOrgs(api);
    const userOrgs = (listed.orgs ?? []).map((o) => ({ id: o.orgId, name: o.orgName }));
    org.id = pickOrg(wanted, userOrgs, username).id;
    if (listed.currentOrgId === org.id) return;
  }
  await switchOrg(api, org.id);
}
