import type { PrincipalChanges } from '../../tml/index.js';
import type { Redactor } from '../../log/index.js';
import { openConnection, type ConnectionOptions } from '../connection.js';
import type { ExportTmlOptions, ImportTmlOptions } from '../client.js';
import type { DeleteObjectsParams } from '../endpoints/metadata.js';
import type { PinboardDataParams, PinboardPdfParams, SearchDataParams } from '../endpoints/data.js';
import type { PrivilegeParams } from '../endpoints/group.js';
import type { SyncUsersParams, UpdatePasswordParams } from '../endpoints/user.js';
import { ThoughtSpotApiError, ThoughtSpotNetworkError, ThoughtSpotResponseError, ThoughtSpotUncertainWriteError } from '../errors.js';
import type { ApiCaller, SessionLifetime, ThoughtSpotHttp } from '../http.js';
import { ASYNC_IMPORT_POLL, DEFAULT_TOKEN_VALIDITY_SEC } from '../limits.js';
import { eachPage, shareGuids } from '../headers.js';
import { pickOrg } from '../orgs.js';
import { sleep, type HostQueue } from '../queue.js';
import { documentText, exportResults, importResults, throwIfFailed, type TmlExportResult, type TmlImportDocument, type TmlImportResult } from '../tml-results.js';
import type { DataBlock, GroupDetails, Guid, LogicalTableSubtype, MetadataType, ObjectHeader, PinboardData, Principal, VizHeader } from '../types.js';
import { currentUser, fullAccessToken, revokeToken, type FullAccessTokenParams } from './endpoints/auth.js';
import { liveboardData, liveboardPdf, searchData } from './endpoints/data.js';
import { deleteMetadata, searchMetadata, updateObjIds, type ObjIdUpdate } from './endpoints/metadata.js';
import { changePassword, importGroups, importUsers, searchGroups, searchUsers, updateGroup } from './endpoints/principals.js';
import { assignAuthor } from './endpoints/security.js';
import { searchOrgs, systemInfo, type SearchOrgsParams } from './endpoints/system.js';
import { asyncImportStatus, exportTml, importResponseItems, importTml, importTmlAsync, type V2ImportItem } from './endpoints/tml.js';
import * as shapes from './shapes.js';
import { V2_BASE_PATH, type V2AsyncImportTask, type V2Group, type V2Org, type V2SystemInfo, type V2User } from './types.js';

export interface ThoughtSpotV2ClientOptions extends ConnectionOptions {
  /** How long each bearer token is asked to last (`validity_time_in_sec`); `DEFAULT_TOKEN_VALIDITY_SEC` by default. */
  tokenValiditySec?: number;
}

export interface ListHeadersParams {
  type: MetadataType;
  subtypes?: readonly LogicalTableSubtype[];
  /** Case-insensitive name match, `%` as wildcard. */
  pattern?: string;
  tagNames?: readonly string[];
  /** v1's names: `MODIFIED` with `sortAscending: false` lists newest first (an incremental export). Unset: by creation. */
  sort?: 'MODIFIED';
  sortAscending?: boolean;
}

export type V2ImportTmlOptions = Omit<ImportTmlOptions, 'skipCdwValidationForTables'> & { enableLargeMetadataValidation?: boolean };

export interface AsyncImportOptions extends V2ImportTmlOptions {
  /** Between two status calls. */
  pollIntervalMs?: number;
  /** After this long without a finished task, the outcome is reported as unknown. */
  maxWaitMs?: number;
}

/** v2 ownership: the objects are required (`security/metadata/assign` has no "all of a user's objects"). */
export interface TransferOwnershipV2Params {
  fromUserName?: string;
  toUserName: string;
  objectIds: readonly Guid[];
}

/**
 * A ThoughtSpot REST API v2 client (`/api/rest/2.0/`, JSON bodies, bearer
 * tokens). Its domain operations take and give what `ThoughtSpotClient`'s
 * (v1) do, so one port adapter fits either; it shares v1's host queue, retry
 * rules, typed errors and redaction. Gets a token lazily before the first
 * call, renews it before it expires and once after a 401, and revokes it on
 * logout.
 */
export class ThoughtSpotV2Client {
  /** The v2 API base, e.g. `https://my.thoughtspot.cloud/api/rest/2.0/`. */
  readonly baseUrl: string;
  /** This host's queue, shared with every client (v1 or v2) given the same `queues`. */
  readonly queue: HostQueue;
  readonly #http: ThoughtSpotHttp;
  readonly #redactor: Redactor | undefined;
  #token: string | undefined;
  /** The configured Org's id, once looked up. */
  readonly #org: { id?: number } = {};
  /** Every group's `groups/search` while one is in flight, and the signal it was sent with (see `#allGroups`). */
  #groupsInFlight: { read: Promise<V2Group[]>; signal: AbortSignal | undefined } | undefined;

  constructor(options: ThoughtSpotV2ClientOptions) {
    this.#redactor = options.redactor;
    const connection = openConnection(options, {
      api: 'v2',
      basePath: V2_BASE_PATH,
      cookies: false,
      authorization: () => (this.#token ? `Bearer ${this.#token}` : undefined),
      authenticate: (api) => this.#authenticate(api, options),
      forgetSession: () => {
        this.#token = undefined;
      },
      // An early renewal revokes the token it replaces (the new one authorises the call).
      replacedSession: () => {
        const replaced = this.#token;
        return replaced === undefined ? undefined : (api) => revokeToken(api, replaced);
      },
    });
    this.baseUrl = connection.baseUrl;
    this.queue = connection.queue;
    this.#http = connection.http;
  }

  /**
   * A new token, password or trusted authentication (`secret_key` for
   * `trustedAuthUser`), in the configured org; its lifetime is the one the
   * token reports (server clock to server clock, so the two clocks may differ).
   */
  async #authenticate(api: ApiCaller, options: ThoughtSpotV2ClientOptions): Promise<SessionLifetime> {
    const validityTimeInSec = options.tokenValiditySec ?? DEFAULT_TOKEN_VALIDITY_SEC;
    const credential = options.secretKey
      ? { username: options.trustedAuthUser ?? options.username, secretKey: options.secretKey }
      : { username: options.username, password: options.password ?? '' };
    const probe = options.org !== undefined && this.#org.id === undefined ? await this.#lookUpOrg(api, options.org, { ...credential, validityTimeInSec }) : undefined;
    const orgId = options.org === undefined ? options.orgId : this.#org.id;
    const token = await fullAccessToken(api, { ...credential, validityTimeInSec, ...(orgId !== undefined ? { orgId } : {}) });
    this.#useToken(token.token);
    // The look-up's token is of the default Org: it is not left alive beside the Org's own.
    if (probe !== undefined) await revokeToken(api, probe).catch(() => undefined);
    const reported = token.expiration_time_in_millis - token.creation_time_in_millis;
    return { ttlMs: Number.isFinite(reported) && reported > 0 ? reported : validityTimeInSec * 1000 };
  }

  #useToken(token: string): void {
    this.#redactor?.add(token);
    this.#token = token;
  }

  /**
   * Looks up the configured Org's id among the user's Orgs, once: with a
   * token for the default Org, whose user lists their Orgs (`auth/session/user`
   * `orgs`; `orgs/search` would need administration rights). Returns that
   * token, for the caller to revoke. One the user is not in is an `OrgAccessError`.
   */
  async #lookUpOrg(api: ApiCaller, wanted: string, params: FullAccessTokenParams): Promise<string> {
    const probe = await fullAccessToken(api, params);
    this.#useToken(probe.token);
    try {
      const user = await currentUser(api, true);
      this.#org.id = pickOrg(wanted, user.orgs ?? [], user.name).id;
      return probe.token;
    } catch (error) {
      await revokeToken(api, probe.token).catch(() => undefined);
      throw error;
    }
  }

  // ---------------------------------------------------------------- session

  /** Gets a token now (calls get one by themselves when needed). */
  login(signal?: AbortSignal): Promise<void> {
    return this.#http.ensureSession(signal);
  }

  /** Revokes the token, if there is one; a later call gets a new one. */
  async logout(): Promise<void> {
    const token = this.#token;
    if (!this.#http.hasSession || !token) return;
    try {
      await revokeToken(this.#http, token);
    } finally {
      this.#http.endSession();
    }
  }

  /** The user the token belongs to, with their org. */
  currentUser(): Promise<V2User> {
    return currentUser(this.#http);
  }

  /** The cluster's release and deployment (needs administration rights). */
  systemInfo(): Promise<V2SystemInfo> {
    return systemInfo(this.#http);
  }

  listOrgs(params: SearchOrgsParams = {}): Promise<V2Org[]> {
    return searchOrgs(this.#http, params);
  }

  // ---------------------------------------------------------------- users and groups

  /** Every user and group, in v1's `user/list` shape; `signal` ends the calls (`ApiRequest.signal`). */
  async listUsers(signal?: AbortSignal): Promise<Principal[]> {
    const [users, groups] = await Promise.all([searchUsers(this.#http, {}, signal), this.#allGroups(signal)]);
    return shapes.principals(users, groups);
  }

  /**
   * Every group, one `groups/search` for the calls that ask at once: v1
   * answers principals (`user/list`) and privileges (`GET group`) with a call
   * each, v2 both from `groups/search`, and an export asks for both together
   * (a v2 incremental export made 9 listing calls to v1's 8, issue 12). Only
   * a read in flight is shared, and only by calls given the same signal (an
   * export's two): a read that one caller stopped must not fail another's. A
   * later call reads afresh.
   */
  #allGroups(signal?: AbortSignal): Promise<V2Group[]> {
    if (this.#groupsInFlight && this.#groupsInFlight.signal === signal) return this.#groupsInFlight.read;
    const read: Promise<V2Group[]> = searchGroups(this.#http, {}, signal).finally(() => {
      if (this.#groupsInFlight?.read === read) this.#groupsInFlight = undefined;
    });
    this.#groupsInFlight = { read, signal };
    return read;
  }

  /**
   * v1's `user/sync` over v2: groups first (`groups/import`, so that users can
   * name new groups), then users (`users/import`); `applyChanges: false` is a
   * server-side dry run of both. Each is a write of its own when applied.
   */
  async syncUsers(params: Omit<SyncUsersParams, 'orgScope'>): Promise<PrincipalChanges> {
    const dryRun = !params.applyChanges;
    const groups = await importGroups(this.#http, { groups: shapes.importGroups(params.principals), dryRun, deleteUnspecifiedGroups: params.removeDeleted });
    // A dry run of groups adds none, so the users' dry run cannot name the groups it would add (see shapes.dryRunUsers).
    const users = shapes.dryRunUsers(shapes.importUsers(params.principals), dryRun ? shapes.refNames(groups.groups_added) : []);
    const answer = await importUsers(this.#http, {
      users: users.send,
      ...(params.password ? { defaultPassword: params.password } : {}),
      dryRun,
      deleteUnspecifiedUsers: params.removeDeleted,
    });
    return shapes.userSyncResult(answer, groups, users.joiningNewGroups);
  }

  updatePassword(params: UpdatePasswordParams): Promise<void> {
    return changePassword(this.#http, params);
  }

  /** Makes `toUserName` the author of the objects (only those `fromUserName` authored, when given). */
  transferOwnership(params: TransferOwnershipV2Params): Promise<void> {
    return assignAuthor(this.#http, { objectIds: params.objectIds, user: params.toUserName, ...(params.fromUserName ? { currentOwner: params.fromUserName } : {}) });
  }

  /** Every group with its privileges, in v1's `GET group` shape; `signal` ends the call. */
  async listGroups(signal?: AbortSignal): Promise<GroupDetails[]> {
    return (await this.#allGroups(signal)).map(shapes.groupDetails);
  }

  addPrivilege(params: PrivilegeParams): Promise<void> {
    return this.#changePrivilege(params, (current) => [...new Set([...current, params.privilege])]);
  }

  removePrivilege(params: PrivilegeParams): Promise<void> {
    return this.#changePrivilege(params, (current) => current.filter((privilege) => privilege !== params.privilege));
  }

  /**
   * Reads each group's privileges and sends the whole new list with
   * `REPLACE`: right whether or not `operation` applies to privileges
   * (UNCONFIRMED, reference §6). A group whose list would not change is left alone.
   */
  async #changePrivilege(params: PrivilegeParams, change: (current: string[]) => string[]): Promise<void> {
    for (const name of params.groupNames) {
      const [group] = await searchGroups(this.#http, { identifier: name });
      if (!group) throw new ThoughtSpotResponseError('groups/search', 200, `no group named "${name}"`);
      const current = group.privileges ?? [];
      const privileges = change(current);
      if (privileges.length === current.length && privileges.every((privilege) => current.includes(privilege))) continue;
      await updateGroup(this.#http, { group: group.id, privileges, operation: 'REPLACE' });
    }
  }

  // ---------------------------------------------------------------- metadata

  /** One page of headers (`metadata/search`, sorted by creation so that pages stay stable while objects change, unless `sort` says otherwise). */
  async listObjectHeaders(params: ListHeadersParams & { offset?: number; batchSize?: number }, signal?: AbortSignal): Promise<ObjectHeader[]> {
    const items = await searchMetadata(this.#http, {
      metadata: [{ type: shapes.v2Type(params.type), ...(params.subtypes ? { subtypes: params.subtypes } : {}), ...(params.pattern ? { namePattern: params.pattern } : {}) }],
      ...(params.tagNames ? { tagIdentifiers: params.tagNames } : {}),
      recordOffset: params.offset ?? 0,
      recordSize: params.batchSize ?? -1,
      sort: params.sort ? { field: params.sort, order: params.sortAscending === false ? 'DESC' : 'ASC' } : { field: 'CREATED', order: 'ASC' },
      includeHeaders: true,
      includeDetails: false,
    }, signal);
    return shareGuids(items.map(shapes.objectHeader));
  }

  /** Every header of a type, fetched page by page. */
  async listAllObjectHeaders(params: ListHeadersParams, pageSize = 500): Promise<ObjectHeader[]> {
    const headers: ObjectHeader[] = [];
    await this.eachObjectHeaderPage(params, pageSize, (page) => headers.push(...page));
    return headers;
  }

  /** Every header of a type, page by page to `onPage` as it arrives, none kept here; `signal` ends it (as v1's, client.ts). */
  async eachObjectHeaderPage(params: ListHeadersParams, pageSize: number, onPage: (page: ObjectHeader[]) => void, signal?: AbortSignal): Promise<void> {
    await eachPage((offset) => this.listObjectHeaders({ ...params, offset, batchSize: pageSize }, signal), pageSize, onPage);
  }

  /** The visualizations of a liveboard or answer; any other id is refused, as over v1. */
  async listVizHeaders(id: Guid): Promise<VizHeader[]> {
    const [item] = await searchMetadata(this.#http, { metadata: [{ identifier: id }], includeHeaders: false, includeVisualizationHeaders: true, recordOffset: 0, recordSize: -1 });
    return shapes.vizHeaders(id, item);
  }

  /** Deletes objects of one type; an outcome left unknown is a `ThoughtSpotUncertainWriteError`: list what is still there. */
  deleteObjects(params: DeleteObjectsParams): Promise<void> {
    return deleteMetadata(this.#http, { metadata: params.ids.map((identifier) => ({ identifier, type: shapes.v2DeletableType(params.type) })) });
  }

  // ---------------------------------------------------------------- TML

  /**
   * Gives objects (by GUID, with v1's type names) their new `obj_id`s
   * (`metadata/update-obj-id`, 10.8.0.cl+); an outcome left unknown is a
   * `ThoughtSpotUncertainWriteError`: list the objects to see what took effect.
   */
  setObjIds(objects: readonly { id: Guid; type: MetadataType; objId: string }[]): Promise<void> {
    return updateObjIds(this.#http, objects.map((o): ObjIdUpdate => ({ identifier: o.id, newObjId: o.objId, ...shapes.v2ObjIdType(o.type) })));
  }

  /** Exports objects; one result per returned object, as v1's `exportTml`, with v2's `export_options` (e.g. `include_obj_id`). */
  async exportTml(ids: readonly Guid[], options: ExportTmlOptions & { exportOptions?: Readonly<Record<string, boolean>> } = {}): Promise<TmlExportResult[]> {
    const { throwOnError, formatType, schemaVersion, signal, ...flags } = options;
    const items = await exportTml(this.#http, {
      ...flags,
      ids,
      ...(formatType ? { edocFormat: formatType } : {}),
      ...(schemaVersion ? { schemaVersion: shapes.v2SchemaVersion(schemaVersion) } : {}),
    }, signal);
    const results = exportResults({ object: items }, ids);
    if (throwOnError) throwIfFailed('metadata/tml/export', results);
    return results;
  }

  /**
   * Imports documents; one result per document, in input order. An outcome
   * left unknown is a `ThoughtSpotUncertainWriteError`: re-export to see what took effect.
   */
  async importTml(documents: readonly TmlImportDocument[], options: V2ImportTmlOptions): Promise<TmlImportResult[]> {
    const { throwOnError, ...params } = options;
    const items = await importTml(this.#http, { ...this.#importParams(params), documents: documents.map(documentText) });
    return this.#importResults(items, documents, throwOnError);
  }

  /**
   * The same import as a background task (`metadata/tml/async/import`, for
   * large batches), polled until it ends. The task is never submitted twice;
   * one that has not ended after `maxWaitMs` is reported as an uncertain write.
   */
  async importTmlAsync(documents: readonly TmlImportDocument[], options: AsyncImportOptions): Promise<TmlImportResult[]> {
    const { throwOnError, pollIntervalMs = ASYNC_IMPORT_POLL.intervalMs, maxWaitMs = ASYNC_IMPORT_POLL.maxWaitMs, ...params } = options;
    const task = await importTmlAsync(this.#http, { ...this.#importParams(params), documents: documents.map(documentText) });
    const started = Date.now();
    for (;;) {
      const [status] = await this.#taskStatus(task.task_id);
      if (status?.task_status === 'COMPLETED' || status?.task_status === 'FAILED') return this.#importResults(finishedItems(status), documents, throwOnError);
      if (Date.now() - started >= maxWaitMs) {
        const stillRunning = new ThoughtSpotNetworkError('metadata/tml/async/status', `task ${task.task_id} is still ${status?.task_status ?? 'unknown'} after ${maxWaitMs} ms`, { code: undefined, timedOut: true, sent: true });
        throw new ThoughtSpotUncertainWriteError('metadata/tml/async/import', stillRunning);
      }
      await sleep(pollIntervalMs);
    }
  }

  /**
   * A submitted task's status. The task may be running or done whatever the
   * poll says: a poll that fails for good (its retries spent) leaves the
   * import's outcome unknown, never a reason to submit it again.
   */
  async #taskStatus(taskId: string): Promise<V2AsyncImportTask[]> {
    try {
      return await asyncImportStatus(this.#http, [taskId]);
    } catch (error) {
      if (error instanceof ThoughtSpotApiError || error instanceof ThoughtSpotNetworkError || error instanceof ThoughtSpotResponseError) throw new ThoughtSpotUncertainWriteError('metadata/tml/async/import', error);
      throw error;
    }
  }

  #importParams(options: Omit<V2ImportTmlOptions, 'throwOnError'>) {
    const { forceCreate, ...rest } = options;
    return { ...rest, createNew: forceCreate };
  }

  #importResults(items: V2ImportItem[], documents: readonly TmlImportDocument[], throwOnError: boolean | undefined): TmlImportResult[] {
    const results = importResults({ object: items }, documents);
    if (throwOnError) throwIfFailed('metadata/tml/import', results);
    return results;
  }

  // ---------------------------------------------------------------- data

  /** A search's first content as v1's data block (`pageNumber` counts pages of `batchSize` rows, from 1). */
  async searchData(params: SearchDataParams): Promise<DataBlock> {
    const response = await searchData(this.#http, { queryString: params.queryString, dataSourceGuid: params.dataSourceGuid, ...paging(params) });
    const [content] = Array.isArray(response.contents) ? response.contents : [];
    if (!content) throw new ThoughtSpotResponseError('searchdata', 200, 'no "contents"');
    return shapes.dataBlock(content);
  }

  /** One data block per visualization, as v1's `pinboarddata`. */
  async pinboardData(params: PinboardDataParams): Promise<PinboardData> {
    return shapes.pinboardData(await liveboardData(this.#http, { id: params.id, ...(params.vizIds ? { vizIds: params.vizIds } : {}), ...paging(params) }));
  }

  /** The liveboard as a PDF (`report/liveboard`); v1's layout type has no v2 counterpart: the visualizations given are the layout. */
  exportPinboardPdf(params: PinboardPdfParams): Promise<Buffer> {
    const { layoutType: _layout, ...pdf } = params;
    return liveboardPdf(this.#http, pdf);
  }
}

/**
 * A finished task's per-document results. A task that ended without them
 * (a FAILED one may) leaves unknown what a PARTIAL import applied: that is an
 * uncertain write, not a malformed answer to retry.
 */
function finishedItems(task: V2AsyncImportTask): V2ImportItem[] {
  try {
    return importResponseItems(task);
  } catch (error) {
    if (error instanceof ThoughtSpotResponseError) throw new ThoughtSpotUncertainWriteError('metadata/tml/async/import', error);
    throw error;
  }
}

/** v1 paging (`batchSize`, `offset`, `pageNumber` from 1) as v2's record offset and size. */
function paging(params: Pick<SearchDataParams, 'batchSize' | 'offset' | 'pageNumber' | 'formatType' | 'filters'>) {
  const recordOffset = params.pageNumber && params.pageNumber > 0 && params.batchSize && params.batchSize > 0 ? (params.pageNumber - 1) * params.batchSize : params.offset;
  return {
    ...(recordOffset !== undefined && recordOffset >= 0 ? { recordOffset } : {}),
    ...(params.batchSize !== undefined ? { recordSize: params.batchSize } : {}),
    ...(params.formatType ? { dataFormat: params.formatType } : {}),
    ...(params.filters ? { filters: params.filters } : {}),
  };
}
