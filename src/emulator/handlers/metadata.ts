import { handlerFor, text, type TmlKind, type TmlMap } from '../../tml/index.js';
import { currentUser, json, type HandlerContext, type Reply, type Route } from '../context.js';
import { CODE, invalidParameter, V1Error } from '../errors.js';
import type { PrincipalRecord } from '../principals.js';
import type { ContentRecord, EmulatorState } from '../state.js';
import { cachedListing, type Entry, type ListingQuery } from '../listing-cache.js';
import type { SeenRecord } from '../record-watch.js';

/** `listobjectheaders` types (reference §2.10) and the kinds each one lists. */
export const TYPE_KINDS: Record<string, readonly TmlKind[]> = {
  LOGICAL_TABLE: ['table', 'sql_view', 'view', 'model', 'worksheet'],
  QUESTION_ANSWER_BOOK: ['answer'],
  PINBOARD_ANSWER_BOOK: ['liveboard'],
  DATA_SOURCE: ['connection'],
  // Cohorts (Sets) as LOGICAL_COLUMNs of subtype COHORT: UNCONFIRMED (tml/kinds/cohort.ts). The
  // emulator holds no other columns as objects, so the type lists only its cohorts.
  LOGICAL_COLUMN: ['cohort'],
};
const PRINCIPAL_TYPES = ['USER', 'USER_GROUP'];
/** Types real clients may ask for that hold nothing here. */
const EMPTY_TYPES = ['LOGICAL_RELATIONSHIP', 'TAG', 'QUESTION_ANSWER_SHEET', 'PINBOARD_ANSWER_SHEET'];
const SUBTYPES = ['ONE_TO_ONE_LOGICAL', 'WORKSHEET', 'USER_DEFINED', 'AGGR_WORKSHEET', 'SQL_VIEW', 'PRIVATE_WORKSHEET', 'FORMULA', 'CALENDAR_TYPE', 'CALENDAR_TABLE', 'COHORT'];
const SORTS = ['DEFAULT', 'NAME', 'DISPLAY_NAME', 'AUTHOR', 'CREATED', 'MODIFIED'] as const;
const CATEGORIES = ['ALL', 'MY', 'FAVORITE', 'REQUESTED'] as const;

/** The `LOGICAL_TABLE` subtype of a content object (a model is a `WORKSHEET`, §3.1); a cohort's is `COHORT`. */
export function subtypeOf(record: ContentRecord): string | undefined {
  return subtypeOfKind(record.kind);
}

function subtypeOfKind(kind: string): string | undefined {
  return handlerFor(kind as TmlKind).subtypes[0];
}

/**
 * A content header as `listobjectheaders` documents it (reference §2.10):
 * `owner` is the object's own GUID (a quirk reproduced), `description` is
 * omitted when empty, times are epoch ms. `type` (the subtype) is added for
 * `LOGICAL_TABLE`, as the richer header variants carry it.
 */
export function headerOf(record: ContentRecord): Record<string, unknown> {
  const subtype = subtypeOf(record);
  return {
    id: record.id,
    name: record.name,
    ...(record.description ? { description: record.description } : {}),
    author: record.author,
    created: record.created,
    modified: record.modified,
    modifiedBy: record.modifiedBy,
    owner: record.id,
    isAutoCreated: false,
    isAutoDelete: false,
    ...(subtype ? { type: subtype } : {}),
    ...(record.tags.length ? { tags: record.tags.map((name) => ({ name })) } : {}),
  };
}

function principalHeader(principal: PrincipalRecord): Record<string, unknown> {
  return {
    id: principal.id,
    name: principal.name,
    displayName: principal.displayName,
    ...(principal.description ? { description: principal.description } : {}),
    author: principal.id,
    created: principal.created,
    modified: principal.modified,
    modifiedBy: principal.id,
    owner: principal.id,
    type: principal.principalTypeEnum,
    isAutoCreated: false,
    isAutoDelete: false,
  };
}

/** `pattern`: case-insensitive, `%` matches anything; without `%` a substring match (as cs_tools relies on). */
export function patternTest(pattern: string | undefined): (text: string) => boolean {
  if (!pattern) return () => true;
  if (!pattern.includes('%')) return (text) => text.toLowerCase().includes(pattern.toLowerCase());
  const body = pattern.split('%').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  const regex = new RegExp(`^${body}$`, 'i');
  return (text) => regex.test(text);
}

/**
 * A listed item: what a listing filters and sorts on, as the listing cache
 * saw it (listing-cache.ts keeps listings of records as they were seen), and
 * its header.
 */
export interface Listed {
  header: Record<string, unknown>;
  /** The content object listed (absent for principals). */
  record?: ContentRecord;
  id: string;
  name: string;
  displayName: string;
  author: string;
  authorName: string;
  created: number;
  modified: number;
  /** A content object's last modifier (absent for principals). */
  modifiedBy?: string;
  objId?: string;
  tags: readonly string[];
}

/** Whether a v1 type (with its subtypes, if any) lists objects of a kind (shared with v2 `metadata/search`). */
export function typeLists(type: string, subtypes: string[] | undefined, kind: string): boolean {
  const kinds = TYPE_KINDS[type];
  if (kinds === undefined || !kinds.includes(kind as TmlKind)) return false;
  return !subtypes || subtypes.length === 0 || subtypes.includes(subtypeOfKind(kind) ?? '');
}

/**
 * A content object as a listing reads it, from what the listing cache saw of
 * it; its header is built when read (from the record, which is as seen until
 * the next request looks): a listing sorts every object but answers one page of them.
 */
export function listedRecord(state: EmulatorState, seen: SeenRecord): Listed {
  return new ListedRecord(seen, state.userById(seen.author)?.name ?? '');
}

/**
 * A class, not an object literal with a getter: a literal's getter is a
 * closure and an accessor of its own for every object. Listing each type
 * newest first for the first time at 100,003 objects (as the bench's
 * incremental run does, after a full export that listed by name) cost 0.76 s
 * of the emulator's CPU, 42% of it collecting garbage; 0.15 s with the class.
 */
class ListedRecord implements Listed {
  readonly record: ContentRecord;
  readonly id: string;
  readonly name: string;
  readonly author: string;
  readonly created: number;
  readonly modified: number;
  readonly modifiedBy: string;
  readonly objId?: string;
  readonly tags: readonly string[];
  #header: Record<string, unknown> | undefined;

  constructor(seen: SeenRecord, readonly authorName: string) {
    this.record = seen.record;
    this.id = seen.id;
    this.name = seen.name;
    this.author = seen.author;
    this.created = seen.created;
    this.modified = seen.modified;
    this.modifiedBy = seen.modifiedBy;
    if (seen.objId) this.objId = seen.objId;
    this.tags = seen.tags;
  }

  get displayName(): string {
    return this.name;
  }

  get header(): Record<string, unknown> {
    return (this.#header ??= headerOf(this.record));
  }
}

/** What `listobjectheaders` lists for a principal type (shared with v2 `metadata/search`): nothing for the other types. */
export function listedPrincipals(state: EmulatorState, type: string): Listed[] {
  if (!PRINCIPAL_TYPES.includes(type)) return [];
  const principals: PrincipalRecord[] = type === 'USER' ? [...state.users.values()] : [...state.groups.values()];
  return principals.map((p) => ({ header: principalHeader(p), id: p.id, name: p.name, displayName: p.displayName, author: p.id, authorName: p.name, created: p.created, modified: p.modified, tags: [] }));
}

function listObjectHeaders(context: HandlerContext): Reply {
  const { params, state } = context;
  const type = params.required('type');
  if (!TYPE_KINDS[type] && !PRINCIPAL_TYPES.includes(type) && !EMPTY_TYPES.includes(type)) {
    // Documented: an invalid metadata type is a 500 (reference §2.10).
    throw new V1Error(500, CODE.invalidParameter, `Invalid metadata type ${type}`);
  }
  const subtypes = params.list('subtypes');
  const badSubtype = subtypes?.find((s) => !SUBTYPES.includes(s));
  if (badSubtype) throw invalidParameter('subtypes', `invalid subtype ${badSubtype}`);
  const category = params.oneOf('category', CATEGORIES, 'ALL');
  const sort = params.oneOf('sort', SORTS, 'DEFAULT');
  const ascending = params.has('sortascending') ? params.bool('sortascending', true) : undefined;
  const offset = Math.max(0, params.int('offset', -1));
  const batchsize = params.int('batchsize', -1);
  const fetch = params.list('fetchids');
  const skip = new Set(params.list('skipids') ?? []);
  const tags = params.list('tagname');
  const matchesPattern = patternTest(params.string('pattern'));
  const me = currentUser(context).id;

  // Sorted once, then kept up to date, and sliced per page (listing-cache.ts).
  const key = JSON.stringify(['listobjectheaders', type, subtypes, category, category === 'MY' ? me : '', fetch, [...skip], tags, params.string('pattern'), sort, ascending]);
  const entries = cachedListing(state, listingQuery(state, key, { type, subtypes, category, me, fetch, skip, tags, matchesPattern, sort, ascending }));
  const page = batchsize > 0 ? entries.slice(offset, offset + batchsize) : entries.slice(offset);
  return json(page.map((entry) => entry.item.header));
}

interface ListingParams {
  type: string;
  subtypes: string[] | undefined;
  category: (typeof CATEGORIES)[number];
  me: string;
  fetch: string[] | undefined;
  skip: Set<string>;
  tags: string[] | undefined;
  matchesPattern: (text: string) => boolean;
  sort: (typeof SORTS)[number];
  ascending: boolean | undefined;
}

/** Each sort field's key of a listed item (v1's `sort`; v2's `sort_options.field_name` takes the same). */
export const SORT_KEYS: Record<(typeof SORTS)[number], (item: Listed) => string | number> = {
  DEFAULT: (item) => item.name.toLowerCase(),
  NAME: (item) => item.name.toLowerCase(),
  DISPLAY_NAME: (item) => item.displayName.toLowerCase(),
  AUTHOR: (item) => item.authorName,
  CREATED: (item) => item.created,
  MODIFIED: (item) => item.modified,
};

/** The items a `listobjectheaders` query keeps, in its order: its sort field's, ties by id in the same direction, then as listed. */
function listingQuery(state: EmulatorState, key: string, params: ListingParams): ListingQuery<Listed> {
  const { type, subtypes, sort, ascending } = params;
  const kept = keptBy(params);
  const entry = (item: Listed, rank: number): Entry<Listed> => ({ item, key: SORT_KEYS[sort](item), tie: item.id, group: 0, rank, ...(item.record ? { record: item.record } : {}) });
  return {
    key,
    sign: ascending === false ? -1 : 1,
    entryOf(seen) {
      if (!typeLists(type, subtypes, seen.kind)) return undefined;
      const item = listedRecord(state, seen);
      return kept(item) ? entry(item, seen.rank) : undefined;
    },
    principalEntries: () => listedPrincipals(state, type).filter(kept).map((item, rank) => entry(item, rank)),
  };
}

/** Whether a listed item passes a query's filters: category, fetched and skipped ids, tags, pattern. */
function keptBy({ category, me, fetch, skip, tags, matchesPattern }: ListingParams): (item: Listed) => boolean {
  return (item) =>
    (category === 'ALL' || (category === 'MY' && item.author === me)) &&
    (!fetch || fetch.length === 0 || fetch.includes(item.id)) &&
    !skip.has(item.id) &&
    (!tags || tags.length === 0 || item.tags.some((t) => tags.includes(t))) &&
    (matchesPattern(item.name) || matchesPattern(item.authorName));
}

const SIZES = ['m', 'ls', 'ms', 'xs'];

/**
 * `listvizheaders` (reference §2.11): one header per visualization of a
 * liveboard, `id` = its `viz_guid`, `owner` = the liveboard; a saved answer
 * has one.
 */
function listVizHeaders(context: HandlerContext): Reply {
  const id = context.params.required('id');
  const record = context.state.objects.get(id);
  if (!record || (record.kind !== 'liveboard' && record.kind !== 'answer')) throw invalidParameter('id', `no liveboard or answer with id ${id}`);
  return json(vizHeaders(record));
}

/** The visualization headers of a liveboard or answer (shared with v2 `include_visualization_headers`). */
export function vizHeaders(record: ContentRecord): Record<string, unknown>[] {
  const base = { author: record.author, created: record.created, modified: record.modified, modifiedBy: record.modifiedBy, owner: record.id };
  if (record.kind === 'answer') {
    const answer = bodyOf(record);
    return [{ ...base, id: record.id, name: record.name, vizType: vizType(answer), size: 'm', title: { value: { text: record.name } } }];
  }
  const vizzes = (bodyOf(record).visualizations ?? []) as TmlMap[];
  return vizzes.map((viz, i) => {
    const answer = (viz.answer ?? {}) as TmlMap;
    const name = text(answer.name) ?? text(viz.id) ?? `Viz_${i + 1}`;
    const type = viz.note_tile ? 'FILTER' : vizType(answer);
    return {
      ...(type === 'FILTER' ? {} : { size: SIZES[i % SIZES.length], title: { value: { text: name } } }),
      vizType: type,
      id: text(viz.viz_guid) ?? `${record.id}:${name}`,
      name,
      ...base,
    };
  });
}

export function bodyOf(record: ContentRecord): TmlMap {
  const key = Object.keys(record.document).find((k) => k !== 'guid' && k !== 'obj_id');
  return (key ? record.document[key] : record.document) as TmlMap;
}

/** TABLE_MODE → TABLE; a KPI chart → HEADLINE (our reading of the docs' examples); else CHART. */
function vizType(answer: TmlMap): string {
  if (answer.display_mode === 'TABLE_MODE' || !answer.chart) return 'TABLE';
  return (answer.chart as TmlMap).type === 'KPI' ? 'HEADLINE' : 'CHART';
}

export const metadataRoutes: Route[] = [
  { method: 'GET', path: 'metadata/listobjectheaders', auth: 'session', body: 'query', handle: listObjectHeaders },
  { method: 'GET', path: 'metadata/listvizheaders', auth: 'session', body: 'query', handle: listVizHeaders },
];
