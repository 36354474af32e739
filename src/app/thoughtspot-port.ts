import type { EnvironmentConfig } from '../config/index.js';
import type { DataSummary, Header, HeaderType, ImportedObject, ImportPolicy, SessionUser, ThoughtSpotPort, WriteAnswer } from '../sync/ports.js';
import type { ConnectionOptions, DataBlock, Principal, ThoughtSpotClient, ThoughtSpotV2Client, TmlImportResult } from '../thoughtspot/index.js';
import { ThoughtSpotApiError, ThoughtSpotUncertainWriteError } from '../thoughtspot/index.js';
import { signInName } from './environments.js';
import { listingSubtypes } from '../tml/index.js';
import type { Services } from './services.js';

/**
 * The workflows' port over either API version. The v2 client gives and takes
 * what the v1 client does (v1's shapes: headers, principals, data blocks, TML
 * results), so one mapping serves both and the two adapters differ only in
 * the client they build (thoughtspot-v1.ts, thoughtspot-v2.ts).
 */

/** What the port calls: the operations both clients have, with the same shapes. */
type PortMethods =
  | 'eachObjectHeaderPage' | 'listObjectHeaders' | 'listUsers' | 'listGroups' | 'syncUsers' | 'addPrivilege' | 'removePrivilege'
  | 'exportTml' | 'importTml' | 'deleteObjects' | 'transferOwnership' | 'listVizHeaders' | 'pinboardData' | 'searchData' | 'exportPinboardPdf'
  | 'updatePassword';
export type PortClient = Pick<ThoughtSpotClient, PortMethods> | Pick<ThoughtSpotV2Client, PortMethods | 'currentUser' | 'setObjIds' | 'importTmlAsync'>;

/** What a client of either version is built with from an environment: its credentials, limits and logger, and the process's queue for its host. */
export function connectionOptions(environment: EnvironmentConfig, services: Services): ConnectionOptions {
  const { rateLimit } = environment;
  // Sent to user/sync only, but a secret like the others: never in a log line.
  services.redactor.add(environment.principals?.initialPassword);
  return {
    url: environment.url,
    username: signInName(environment),
    ...(environment.password ? { password: environment.password } : {}),
    ...(environment.secretKey ? { secretKey: environment.secretKey } : {}),
    ...(environment.caFile ? { caFile: environment.caFile } : {}),
    ...(environment.org !== undefined ? { org: environment.org } : {}),
    timeoutMs: environment.timeoutMs,
    rateLimit: {
      ...(rateLimit?.concurrency ? { concurrency: rateLimit.concurrency } : {}),
      ...(rateLimit?.requestsPerSecond ? { intervalCap: Math.max(1, Math.round(rateLimit.requestsPerSecond)), intervalMs: 1000 } : {}),
    },
    logger: services.log.child({ environment: environment.name }),
    redactor: services.redactor,
    queues: services.queues,
    env: services.env,
    ...(services.onApiCall ? { onCall: services.onApiCall } : {}),
  };
}

/**
 * The workflows' view of ThoughtSpot: every page of headers, principals and
 * group privileges, user/sync and privilege changes, and TML as the
 * repository keeps it (YAML, fqns on every reference so that names never
 * have to be guessed, models as `model:`).
 */
export function thoughtspotPort(client: PortClient, options: PortOptions = {}): ThoughtSpotPort {
  return {
    ...listingCalls(client, options.listingPage ?? LISTING_PAGE),
    ...principalCalls(client),
    ...tmlCalls(client),
    ...afterImportCalls(client),
    ...objIdCalls(client),
    sessionUser: () => sessionUser(client, options.username),
    changePassword: (user, currentPassword, newPassword) => writeAnswer(() => client.updatePassword({ name: user, currentPassword, newPassword })),
  };
}

/**
 * Object ids (`obj_id`): v2 has them (listed as `metadata_obj_id`, exported
 * with `include_obj_id`, set with `metadata/update-obj-id`); v1 has no call
 * for any of it, so a workflow asks `speaksObjIds` first and falls back.
 */
function objIdCalls(client: PortClient): Pick<ThoughtSpotPort, 'speaksObjIds' | 'setObjIds'> {
  return {
    speaksObjIds: () => Promise.resolve('setObjIds' in client),
    async setObjIds(updates) {
      if (!('setObjIds' in client)) throw new Error('setObjIds over API v1: v1 cannot set obj_ids (ask speaksObjIds first)');
      await client.setObjIds(updates.map((u) => ({ id: u.id, type: u.type, objId: u.objId })));
    },
  };
}

/**
 * Who the session is. v2 says it in one call (`auth/session/user`: the
 * user's privileges and current Org); v1 has no such answer, so the
 * privileges are those of the signed-in user's groups and the groups they
 * are in (`user/list`, `GET group`), as ThoughtSpot grants them.
 */
async function sessionUser(client: PortClient, username: string | undefined): Promise<SessionUser> {
  if ('currentUser' in client) {
    const user = await client.currentUser();
    return { name: user.name, privileges: [...(user.privileges ?? [])].sort(), ...(user.current_org ? { org: { id: user.current_org.id, name: user.current_org.name } } : {}) };
  }
  if (!username) throw new Error('sessionUser over API v1 needs the signed-in user\'s name (thoughtspotPort(client, { username }))');
  const [principals, groups] = await Promise.all([client.listUsers(), client.listGroups()]);
  const parents = new Map(principals.map((p) => [p.name, p.groupNames ?? []]));
  const granted = new Map(groups.flatMap((g) => (g.header?.name ? [[g.header.name, g.privileges ?? []] as const] : [])));
  const privileges = new Set<string>();
  const seen = new Set<string>();
  const visit = (names: readonly string[]): void => {
    for (const name of names) {
      if (seen.has(name)) continue;
      seen.add(name);
      for (const privilege of granted.get(name) ?? []) privileges.add(privilege);
      visit(parents.get(name) ?? []);
    }
  };
  visit(parents.get(username) ?? []);
  return { name: username, privileges: [...privileges].sort() };
}

/** Headers per listing page: the clients' own page size for a full listing. */
const LISTING_PAGE = 500;

/**
 * Headers on the first page of a newest-first listing (`listHeadersSince`), the pages after it
 * full-sized: a run every few minutes finds a few changes per kind, and a first page of 500 brought
 * some 2,500 headers per run that were older than its reach, for the server to build and the client
 * to parse (the bench's incremental run at 10,004 objects: 0.45 → 0.42 s, median of 5, one run of
 * each: within this machine's noise, which later side-by-side runs put at ±0.05 s).
 */
const SINCE_FIRST_PAGE = 50;

export interface PortOptions {
  /** Headers per listing page (tests make it small to see where paging stops). */
  listingPage?: number;
  /** Who signs in (`connect` passes it); v1's `sessionUser` needs it, as v1 cannot say who a session is. */
  username?: string;
}

/**
 * Every header of a type, page by page; or, newest first, those modified since a time. A type
 * that holds far more than content (LOGICAL_COLUMN: cohorts among every column) is narrowed to
 * its kinds' subtypes (tml listingSubtypes) unless the caller names subtypes.
 */
function listingCalls(client: PortClient, pageSize: number): Pick<ThoughtSpotPort, 'listHeaders' | 'listHeadersSince'> {
  return {
    async listHeaders(type: HeaderType, subtypes = listingSubtypes(type), onPage?: (page: Header[]) => void, signal?: AbortSignal) {
      const headers: Header[] = [];
      await client.eachObjectHeaderPage({ type, ...(subtypes ? { subtypes: subtypes as never } : {}) }, pageSize, (page) => {
        const mapped = page.map((h) => portHeader(h, type));
        if (onPage) onPage(mapped);
        else headers.push(...mapped);
      }, signal);
      return headers;
    },
    async listHeadersSince(type: HeaderType, since: number, onPage?: (page: Header[]) => void, signal?: AbortSignal) {
      // Offset paging while objects change: a change moves its object to the front, so later pages
      // shift back and may repeat a header (callers drop repeats), never skip one; the change
      // itself is newer than anything listed, so the next run's listing sees it.
      const headers: Header[] = [];
      const subtypes = listingSubtypes(type);
      for (;;) {
        const size = headers.length === 0 ? Math.min(pageSize, SINCE_FIRST_PAGE) : pageSize;
        const page = (await client.listObjectHeaders({ type, ...(subtypes ? { subtypes: subtypes as never } : {}), sort: 'MODIFIED', sortAscending: false, offset: headers.length, batchSize: size }, signal)).map((h) => portHeader(h, type));
        headers.push(...page);
        onPage?.(page);
        if (page.length < size || page[page.length - 1]!.modified < since) return headers;
      }
    },
  };
}

function portHeader(h: { id: string; name: string; modified: number; modifiedBy?: string; author?: string; objId?: string; type?: string }, type: HeaderType): Header {
  return { id: h.id, name: h.name, modified: h.modified, ...(h.modifiedBy ? { modifiedBy: h.modifiedBy } : {}), ...(h.author ? { author: h.author } : {}), ...(h.objId ? { objId: h.objId } : {}), listedAs: listedAs(type, h.type) };
}

/** One `listedAs` per type and subtype, shared by every header of them: 100,000 headers need no 100,000 copies. */
const LISTED_AS = new Map<string, NonNullable<Header['listedAs']>>();
function listedAs(type: HeaderType, subtype: string | undefined): NonNullable<Header['listedAs']> {
  const key = `${type}/${subtype ?? ''}`;
  let value = LISTED_AS.get(key);
  if (!value) LISTED_AS.set(key, (value = Object.freeze({ type, ...(subtype ? { subtype } : {}) })));
  return value;
}

/** Users, groups and their privileges: listed, synced, changed. */
function principalCalls(client: PortClient): Pick<ThoughtSpotPort, 'listPrincipals' | 'listGroupPrivileges' | 'syncPrincipals' | 'changePrivilege'> {
  return {
    async listPrincipals(signal) {
      return (await client.listUsers(signal)).map((p) => ({ ...p }));
    },
    async listGroupPrivileges(signal) {
      // The group's name is in its header (reference §2.8); a group without one cannot be named in a file.
      return (await client.listGroups(signal)).flatMap((g) => (g.header?.name ? [{ name: g.header.name, privileges: [...(g.privileges ?? [])] }] : []));
    },
    async syncPrincipals({ principals, apply, removeDeleted, password }) {
      return client.syncUsers({
        principals: principals.map((p) => ({ ...p, groupNames: p.groupNames ?? [] }) as Principal),
        applyChanges: apply,
        removeDeleted,
        ...(password ? { password } : {}),
      });
    },
    async changePrivilege(change, privilege, groups) {
      const params = { privilege, groupNames: groups };
      await (change === 'add' ? client.addPrivilege(params) : client.removePrivilege(params));
    },
  };
}

/**
 * Documents per import from which v2 imports in the background
 * (`metadata/tml/async/import`, polled with `async/status`): ThoughtSpot
 * recommends the asynchronous import for large sets, whose synchronous
 * call may outlive a gateway's timeout (SDK importMetadataTMLAsync; the
 * developer docs' "TML async import"). Below it, one synchronous call is
 * fewer calls and no polling wait. `VALIDATE_ONLY` stays synchronous: it
 * writes nothing and answers at once. v1 has no asynchronous import.
 */
export const ASYNC_IMPORT_FROM = 25;

/** One import, in the background where the client has it and the batch is large. */
function importCall(client: PortClient, documents: string[], policy: ImportPolicy): Promise<TmlImportResult[]> {
  const background = 'importTmlAsync' in client && policy !== 'VALIDATE_ONLY' && documents.length >= ASYNC_IMPORT_FROM;
  return background ? client.importTmlAsync(documents, { policy, forceCreate: false }) : client.importTml(documents, { policy, forceCreate: false });
}

/** TML out and in, and deletions; a write whose answer was lost says so instead of throwing. */
function tmlCalls(client: PortClient): Pick<ThoughtSpotPort, 'exportTml' | 'importTml' | 'deleteObjects'> {
  return {
    async exportTml(ids, signal) {
      // JSON edocs (reference §2.15, §3.4 [doc]): every caller parses the edoc and writes its own
      // canonical YAML, and JSON.parse reads a document some 20 times faster than a YAML parser
      // (0.03 ms against 0.63 ms for the conformance TML): at 10,000 objects, the exporter's
      // biggest cost. Both forms parse to the same document (test/tml checks the corpus).
      // Over v2 each object's obj_id too, and its GUID beside it (the repository names files by GUID):
      // `include_guid` is documented only for instances with obj_ids, and sent for those.
      const options = { formatType: 'JSON', exportFqn: true, schemaVersion: 'v2', signal } as const;
      const results = 'setObjIds' in client ? await client.exportTml(ids, { ...options, exportOptions: OBJ_ID_EXPORT }) : await client.exportTml(ids, options);
      return results.map((r) => (r.ok ? { id: r.id, type: r.type, name: r.name, edoc: r.edoc } : { id: r.id ?? '', ...(r.name ? { name: r.name } : {}), error: r.error.message }));
    },
    async importTml(documents, policy) {
      try {
        const results = await importCall(client, documents, policy);
        return {
          answered: true,
          results: results.map((r): ImportedObject => {
            if (!r.ok) return { ok: false, error: r.error.message };
            // VALIDATE_ONLY answers OK without an id: nothing was written.
            return { ok: true, id: r.id ?? '' };
          }),
        };
      } catch (error) {
        if (error instanceof ThoughtSpotUncertainWriteError) return { answered: false, error: error.message };
        throw error;
      }
    },
    deleteObjects(type, ids) {
      return writeAnswer(() => client.deleteObjects({ type, ids }));
    },
  };
}

/**
 * A write's outcome as the workflows see it. A refusal (others still depend
 * on an object, a password the policy refuses) is an answer: nothing was
 * written. A write whose answer was lost says so; anything else throws.
 */
async function writeAnswer(write: () => Promise<void>): Promise<WriteAnswer> {
  try {
    await write();
    return { answered: true, ok: true };
  } catch (error) {
    if (error instanceof ThoughtSpotUncertainWriteError) return { answered: false, error: error.message };
    if (error instanceof ThoughtSpotApiError && error.status >= 400 && error.status < 500 && error.status !== 401 && error.status !== 429) return { answered: true, ok: false, error: error.message };
    throw error;
  }
}

/** What follows an import: owners, visualizations, data and PDFs of what was deployed. */
function afterImportCalls(client: PortClient): Pick<ThoughtSpotPort, 'transferOwnership' | 'listVisualizations' | 'liveboardData' | 'searchData' | 'liveboardPdf'> {
  return {
    async transferOwnership(from, to, ids) {
      await client.transferOwnership({ fromUserName: from, toUserName: to, objectIds: ids });
    },
    async listVisualizations(liveboardId) {
      return (await client.listVizHeaders(liveboardId)).map((v) => ({ id: v.id, name: v.name, type: v.vizType }));
    },
    async liveboardData(liveboardId, vizIds) {
      const data = await client.pinboardData({ id: liveboardId, ...(vizIds ? { vizIds } : {}), batchSize: CHECK_ROWS });
      return Object.fromEntries(Object.entries(data).map(([id, block]) => [id, summary(block)]));
    },
    async searchData(sourceId, query) {
      return summary(await client.searchData({ dataSourceGuid: sourceId, queryString: query, batchSize: CHECK_ROWS }));
    },
    liveboardPdf(liveboardId) {
      return client.exportPinboardPdf({ id: liveboardId });
    },
  };
}

/**
 * v2 `export_options` (SDK `ExportOptions`): the object's own `obj_id` where
 * it has one. Not `include_obj_id_ref`: references keep their fqns, which the
 * deploy's mapping rewrites per environment, so existing files do not change
 * form.
 */
const OBJ_ID_EXPORT = { include_obj_id: true, include_guid: true } as const;

/** A data check needs to know whether rows come back, not all of them. */
const CHECK_ROWS = 10;

function summary(block: DataBlock): DataSummary {
  return { columns: block.columnNames ?? [], rowCount: block.totalRowCount ?? block.data?.length ?? 0 };
}
