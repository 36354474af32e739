/**
 * v2 `metadata/search`, `metadata/delete` and `security/metadata/assign`,
 * over the objects v1 `listobjectheaders`, `metadata/delete` and
 * `user/transfer/ownership` see.
 *
 * Contract notes:
 * - CONFIRMED (SDK `ThoughtSpotRestApi.md` searchMetadata, deleteMetadata,
 *   assignChangeAuthor): the paths; `metadata/search` answers
 *   `MetadataSearchResponse[]` (`metadata_id`, `metadata_name`,
 *   `metadata_type`, `metadata_header`, `metadata_detail`,
 *   `visualization_headers`, ...); delete and assign answer 204. Request
 *   fields: SDK `SearchMetadataRequest` (`metadata[]` of
 *   `MetadataListItemInput`: `identifier`, `name_pattern`, `type`,
 *   `subtypes`; `record_offset`, `record_size`, `sort_options`,
 *   `include_headers`, `include_details`, `include_visualization_headers`,
 *   `created_by_user_identifiers`, `modified_by_user_identifiers`,
 *   `tag_identifiers`, `exclude_objects`), `DeleteMetadataRequest`,
 *   `AssignChangeAuthorRequest` (`metadata[]`, `user_identifier`,
 *   `current_owner_identifier`); `obj_identifier` in a search item and
 *   `metadata_obj_id` in its answer (an object's obj_id, or null).
 * - CONFIRMED (reference §6): paging defaults to offset 0, 10 records.
 * - UNCONFIRMED, our choices: without `metadata` (or a type) every content
 *   type is searched; `include_headers` defaults to true; the order by default is
 *   by name, as v1's DEFAULT; in `metadata_header`, `owner` is the author's
 *   GUID (v2 clients read the owner as a user; v1 headers carry the object's
 *   own GUID there) and `authorName` is added; `metadata_detail` is the
 *   header with `complete: true`; sorting by VIEWS, FAVORITES or
 *   LAST_ACCESSED sorts by name (no usage is recorded); `delete` needs
 *   DATAMANAGEMENT and refuses to break dependents, as v1 here does.
 */
import type { TmlKind } from '../../../tml/index.js';
import { json, type HandlerContext, type Reply, type Route } from '../../context.js';
import { invalidParameter } from '../../errors.js';
import { cachedListing, type Entry, type ListingQuery } from '../../listing-cache.js';
import type { JsonBody } from '../../json-body.js';
import type { ContentRecord, EmulatorState } from '../../state.js';
import { deleteContent } from '../delete.js';
import { SORT_KEYS, listedPrincipals, listedRecord, patternTest, typeLists, vizHeaders, type Listed } from '../metadata.js';
import { assignAuthor, requirePrivilege } from '../principals.js';
import { requireDataManagement } from '../tml.js';
import { done, findObject, findUser, objectOf, page, V2_TYPE_KINDS, v2TypeOf, v2Route } from './common.js';

/** v2 types and the v1 `listobjectheaders` type that lists them; the other v2 types hold nothing here. */
const V1_TYPE: Record<string, string> = {
  LIVEBOARD: 'PINBOARD_ANSWER_BOOK', ANSWER: 'QUESTION_ANSWER_BOOK', LOGICAL_TABLE: 'LOGICAL_TABLE', CONNECTION: 'DATA_SOURCE',
  USER: 'USER', USER_GROUP: 'USER_GROUP',
  // Cohorts, subtype COHORT (UNCONFIRMED: tml/kinds/cohort.ts).
  LOGICAL_COLUMN: 'LOGICAL_COLUMN',
};
const V2_TYPES = ['LIVEBOARD', 'ANSWER', 'LOGICAL_TABLE', 'LOGICAL_COLUMN', 'CONNECTION', 'TAG', 'USER', 'USER_GROUP', 'LOGICAL_RELATIONSHIP', 'INSIGHT_SPEC'] as const;
const SUBTYPES = ['ONE_TO_ONE_LOGICAL', 'WORKSHEET', 'PRIVATE_WORKSHEET', 'USER_DEFINED', 'AGGR_WORKSHEET', 'SQL_VIEW', 'COHORT'] as const;
const SORT_FIELDS = ['NAME', 'DISPLAY_NAME', 'AUTHOR', 'CREATED', 'MODIFIED', 'VIEWS', 'FAVORITES', 'LAST_ACCESSED'] as const;
/** What `metadata/delete` removes here: content but connections (a deploy never deletes one). */
const DELETABLE_KINDS: readonly TmlKind[] = [...V2_TYPE_KINDS.LIVEBOARD!, ...V2_TYPE_KINDS.ANSWER!, ...V2_TYPE_KINDS.LOGICAL_TABLE!, ...V2_TYPE_KINDS.LOGICAL_COLUMN!];

interface Found extends Listed {
  type: string;
}

/** One `metadata[]` item of a search. */
interface SearchItem {
  type?: string;
  subtypes?: string[];
  identifier?: string;
  objIdentifier?: string;
  namePattern?: string;
}

function searchItem(item: JsonBody): SearchItem {
  const subtypes = item.strings('subtypes');
  const bad = subtypes?.find((s) => !(SUBTYPES as readonly string[]).includes(s));
  if (bad) throw invalidParameter('metadata.subtypes', `invalid subtype ${bad}`);
  const type = item.has('type') ? item.oneOf('type', V2_TYPES, 'LOGICAL_TABLE') : undefined;
  const identifier = item.string('identifier');
  const objIdentifier = item.string('obj_identifier');
  const namePattern = item.string('name_pattern');
  return { ...(type ? { type } : {}), ...(subtypes ? { subtypes } : {}), ...(identifier ? { identifier } : {}), ...(objIdentifier ? { objIdentifier } : {}), ...(namePattern ? { namePattern } : {}) };
}

/** Without `metadata`, or an item without a type: every content type (principals only when asked for by type). */
const CONTENT_TYPES = ['LIVEBOARD', 'ANSWER', 'LOGICAL_TABLE', 'CONNECTION'];

/** One (item, type) pair of a search, in the order the search lists them: a record found by several is listed by the first. */
interface SearchGroup {
  item: SearchItem;
  type: string;
  /** The v1 type that lists the same objects. */
  v1: string;
  matchesName: (text: string) => boolean;
}

function searchGroups(searched: SearchItem[]): SearchGroup[] {
  return searched.flatMap((item) =>
    (item.type ? [item.type] : CONTENT_TYPES).flatMap((type) => {
      const v1 = V1_TYPE[type];
      return v1 ? [{ item, type, v1, matchesName: patternTest(item.namePattern) }] : [];
    }),
  );
}

/** Whether an object answers a group's item: its identifier (GUID or name), obj_id and name pattern. */
function groupMatches({ item, matchesName }: SearchGroup, id: string, name: string, objId: string | undefined): boolean {
  return (!item.identifier || id === item.identifier || name === item.identifier) && (!item.objIdentifier || objId === item.objIdentifier) && matchesName(name);
}

function byUser(state: EmulatorState, identifiers: string[] | undefined, field: string): Set<string> | undefined {
  return identifiers ? new Set(identifiers.map((identifier) => findUser(state, identifier, field).id)) : undefined;
}

function headerV2(state: EmulatorState, found: Found): Record<string, unknown> {
  if (!found.record) return found.header;
  const author = state.userById(found.record.author);
  return { ...found.header, owner: found.record.author, authorName: author?.name ?? '', authorDisplayName: author?.displayName ?? '' };
}

function searchMetadata(context: HandlerContext): Reply {
  const { body, state } = context;
  const items = body.objects('metadata');
  const searched = items.length === 0 ? [{}] : items.map(searchItem);
  const createdBy = byUser(state, body.strings('created_by_user_identifiers'), 'created_by_user_identifiers');
  const modifiedBy = byUser(state, body.strings('modified_by_user_identifiers'), 'modified_by_user_identifiers');
  const tags = body.strings('tag_identifiers');
  const excluded = new Set(body.objects('exclude_objects').map((e) => e.required('identifier')));
  const sortOptions = body.object('sort_options');
  const field = sortOptions.oneOf('field_name', SORT_FIELDS, 'NAME');
  const sign = sortOptions.oneOf('order', ['ASC', 'DESC'] as const, 'ASC') === 'DESC' ? -1 : 1;
  const key = JSON.stringify(['metadata/search', searched, [...(createdBy ?? [])], [...(modifiedBy ?? [])], tags, [...excluded], sortOptions.string('field_name'), sortOptions.string('order')]);
  // Sorted once, then kept up to date, and sliced per page (listing-cache.ts).
  const sorted = cachedListing(state, searchQuery(state, key, searchGroups(searched), { createdBy, modifiedBy, tags, excluded }, field, sign));
  const withHeaders = body.bool('include_headers', true);
  const withDetails = body.bool('include_details', false);
  const withVizHeaders = body.bool('include_visualization_headers', false);
  return json(
    page(sorted, body).map(({ item: f }) => ({
      metadata_id: f.id,
      metadata_name: f.name,
      metadata_type: f.type,
      metadata_obj_id: f.record?.objId ?? null,
      dependent_objects: null,
      incomplete_objects: null,
      metadata_header: withHeaders ? headerV2(state, f) : null,
      metadata_detail: withDetails ? { ...headerV2(state, f), complete: true } : null,
      visualization_headers: withVizHeaders && f.record && (f.record.kind === 'liveboard' || f.record.kind === 'answer') ? vizHeaders(f.record) : null,
      stats: null,
    })),
  );
}

interface SearchFilters {
  createdBy: Set<string> | undefined;
  modifiedBy: Set<string> | undefined;
  tags: string[] | undefined;
  excluded: Set<string>;
}

/**
 * The objects a search finds, each once (under the first group that finds
 * it), that its filters keep, in the order of `sort_options`: ties in the
 * order found, group by group, each in the Org's order.
 */
function searchQuery(state: EmulatorState, key: string, groups: SearchGroup[], filters: SearchFilters, field: string, sign: 1 | -1): ListingQuery<Found> {
  const sortKey = SORT_KEYS[field as keyof typeof SORT_KEYS] ?? SORT_KEYS.NAME;
  const kept = keptBy(filters);
  const entry = (found: Found, group: number, rank: number): Entry<Found> => ({ item: found, key: sortKey(found), tie: '', group, rank, ...(found.record ? { record: found.record } : {}) });
  return {
    key,
    sign,
    entryOf(seen) {
      const group = groups.findIndex((g) => typeLists(g.v1, g.item.subtypes, seen.kind) && groupMatches(g, seen.id, seen.name, seen.objId));
      if (group < 0) return undefined;
      // Extended in place, not spread: a spread would read the lazy header.
      const found = Object.assign(listedRecord(state, seen), { type: groups[group]!.type });
      return kept(found) ? entry(found, group, seen.rank) : undefined;
    },
    principalEntries() {
      const seen = new Set<string>();
      const firstFound = (f: Found) => {
        if (seen.has(f.id)) return false;
        seen.add(f.id);
        return true;
      };
      return groups.flatMap((g, group) =>
        listedPrincipals(state, g.v1)
          .map((l): Found => Object.assign(l, { type: g.type }))
          .filter((f) => groupMatches(g, f.id, f.name, undefined) && firstFound(f) && kept(f))
          .map((f, rank) => entry(f, group, rank)),
      );
    },
  };
}

/** Whether a search's filters keep what it found: not excluded, by the given authors and modifiers, with one of the tags. */
function keptBy({ createdBy, modifiedBy, tags, excluded }: SearchFilters): (f: Found) => boolean {
  return (f) =>
    !excluded.has(f.id) && !excluded.has(f.name) &&
    (!createdBy || createdBy.has(f.author)) &&
    (!modifiedBy || (f.modifiedBy !== undefined && modifiedBy.has(f.modifiedBy))) &&
    (!tags || f.tags.some((t) => tags.includes(t)));
}

function deleteMetadata(context: HandlerContext): Reply {
  requireDataManagement(context);
  const { body, state } = context;
  const items = body.objects('metadata');
  if (items.length === 0) throw invalidParameter('metadata', 'required');
  const records = items.map((item, i) => {
    const record = findObject(state, item, `metadata[${i}]`);
    if (!DELETABLE_KINDS.includes(record.kind as TmlKind)) {
      throw invalidParameter(`metadata[${i}].identifier`, `${v2TypeOf(record)} ${record.name} cannot be deleted here`);
    }
    return record;
  });
  deleteContent(context, [...new Set(records.map((r) => r.id))]);
  return done();
}

function assignOwner(context: HandlerContext): Reply {
  requirePrivilege(context, 'ADMINISTRATION');
  const { body, state } = context;
  const items = body.objects('metadata');
  if (items.length === 0) throw invalidParameter('metadata', 'required');
  const to = findUser(state, body.required('user_identifier'), 'user_identifier');
  const current = body.string('current_owner_identifier');
  const from = current === undefined ? undefined : findUser(state, current, 'current_owner_identifier');
  assignAuthor(state, items.map((item, i) => findObject(state, item, `metadata[${i}]`)), to, from);
  return done();
}

/**
 * `metadata/update-obj-id` types and the v2 types that list the same objects:
 * every v2 type, cohorts included, derived so none is left out; connections are DATA_SOURCE there.
 */
const OBJ_ID_TYPES: Record<string, string> = Object.fromEntries(Object.keys(V2_TYPE_KINDS).map((type) => [type === 'CONNECTION' ? 'DATA_SOURCE' : type, type]));

/** The object one `metadata/update-obj-id` item names: by its current obj_id, or by `metadata_identifier` (a GUID, or a name with `type`). */
function objIdTarget(state: EmulatorState, withObjId: ReadonlyMap<string, ContentRecord>, item: JsonBody, field: string): ContentRecord {
  const current = item.string('current_obj_id');
  const identifier = item.string('metadata_identifier');
  if (current !== undefined && identifier === undefined) {
    const found = withObjId.get(current);
    if (!found) throw invalidParameter(`${field}.current_obj_id`, `no object with obj_id ${current}`);
    return found;
  }
  if (identifier === undefined) throw invalidParameter(`${field}.metadata_identifier`, 'required without current_obj_id');
  const type = item.string('type');
  if (type !== undefined && !OBJ_ID_TYPES[type.toUpperCase()]) throw invalidParameter(`${field}.type`, `type ${type} has no objects here`);
  const record = objectOf(state, identifier, type === undefined ? undefined : OBJ_ID_TYPES[type.toUpperCase()], `${field}.metadata_identifier`);
  if (current !== undefined && record.objId !== current) throw invalidParameter(`${field}.current_obj_id`, `${record.name} has obj_id ${record.objId ?? '(none)'}, not ${current}`);
  return record;
}

/**
 * `metadata/update-obj-id` (SDK updateMetadataObjId, 10.8.0.cl+): every
 * item checked before any is applied; an obj_id another object of the Org
 * keeps is a 400 naming the item (unique per Org, developer docs "ThoughtSpot
 * objects"). UNCONFIRMED, our choices: all or none; DATAMANAGEMENT suffices.
 */
function updateObjIds(context: HandlerContext): Reply {
  requireDataManagement(context);
  const { body, state } = context;
  const items = body.objects('metadata');
  if (items.length === 0) throw invalidParameter('metadata', 'required');
  const withObjId = state.objectsByObjId();
  const changes = items.map((item, i) => ({ record: objIdTarget(state, withObjId, item, `metadata[${i}]`), objId: item.required('new_obj_id'), field: `metadata[${i}].new_obj_id` }));
  const after = new Map([...withObjId].map(([objId, o]) => [o.id, objId]));
  for (const { record, objId } of changes) after.set(record.id, objId);
  const holders = new Map<string, string[]>();
  for (const [id, objId] of after) {
    const ids = holders.get(objId);
    if (ids) ids.push(id);
    else holders.set(objId, [id]);
  }
  for (const { record, objId, field } of changes) {
    const holder = holders.get(objId)?.find((id) => id !== record.id);
    if (holder) throw invalidParameter(field, `obj_id ${objId} is already that of ${state.objects.get(holder)?.name ?? holder} in this Org`);
  }
  const now = state.now();
  for (const { record, objId } of changes) state.objects.set(record.id, { ...record, objId, modified: now });
  state.commit();
  return done();
}

export const v2MetadataRoutes: Route[] = [
  v2Route('POST', 'metadata/update-obj-id', updateObjIds),
  v2Route('POST', 'metadata/search', searchMetadata),
  v2Route('POST', 'metadata/delete', deleteMetadata),
  v2Route('POST', 'security/metadata/assign', assignOwner),
];
