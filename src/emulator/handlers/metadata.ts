import { handlerFor, text, type TmlKind, type TmlMap } from '../../tml/index.js';
import { currentUser, json, type HandlerContext, type Reply, type Route } from '../context.js';
import { CODE, invalidParameter, V1Error } from '../errors.js';
import type { PrincipalRecord } from '../principals.js';
import type { ContentRecord, EmulatorState } from '../state.js';
import { cachedListing } from '../listing-cache.js';
import { sortedByKey } from './sorted.js';

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
  return handlerFor(record.kind as TmlKind).subtypes[0];
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

export interface Listed {
  header: Record<string, unknown>;
  /** The content object listed (absent for principals). */
  record?: ContentRecord;
  name: string;
  displayName: string;
  author: string;
  authorName: string;
  created: number;
  modified: number;
  tags: string[];
}

/** What `listobjectheaders` lists for one v1 type (shared with v2 `metadata/search`). */
export function listed(state: EmulatorState, type: string, subtypes: string[] | undefined): Listed[] {
  if (PRINCIPAL_TYPES.includes(type)) {
    const principals: PrincipalRecord[] = type === 'USER' ? [...state.users.values()] : [...state.groups.values()];
    return principals.map((p) => ({ header: principalHeader(p), name: p.name, displayName: p.displayName, author: p.id, authorName: p.name, created: p.created, modified: p.modified, tags: [] }));
  }
  const kinds = TYPE_KINDS[type] ?? [];
  return [...state.objects.values()]
    .filter((o) => kinds.includes(o.kind as TmlKind))
    .filter((o) => !subtypes || subtypes.length === 0 || subtypes.includes(subtypeOf(o) ?? ''))
    .map((o) => {
      // Built when read: a listing sorts every object but answers one page of them.
      let header: Record<string, unknown> | undefined;
      return {
        get header() {
          return (header ??= headerOf(o));
        },
        record: o, name: o.name, displayName: o.name, author: o.author,
        authorName: state.userById(o.author)?.name ?? '', created: o.created, modified: o.modified, tags: o.tags,
      };
    });
}

/** A listed item's id, without building a content object's header. */
export const idOf = (item: Listed): string => item.record?.id ?? (item.header.id as string);

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

  // Sorted once and sliced per page while the Org is unchanged (listing-cache.ts).
  const query = JSON.stringify(['listobjectheaders', type, subtypes, category, category === 'MY' ? me : '', fetch, [...skip], tags, params.string('pattern'), sort, ascending]);
  const items = cachedListing(state, query, () => sortedListing(listed(state, type, subtypes), { category, me, fetch, skip, tags, matchesPattern, sort, ascending }));
  const page = batchsize > 0 ? items.slice(offset, offset + batchsize) : items.slice(offset);
  return json(page.map((item) => item.header));
}

interface ListingQuery {
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

/** The listed items a query keeps, in its order (ties by id). */
function sortedListing(items: Listed[], query: ListingQuery): Listed[] {
  const { category, me, fetch, skip, tags, matchesPattern, sort, ascending } = query;
  const kept = items
    .filter((item) => category === 'ALL' || (category === 'MY' && item.author === me))
    .filter((item) => !fetch || fetch.length === 0 || fetch.includes(idOf(item)))
    .filter((item) => !skip.has(idOf(item)))
    .filter((item) => !tags || tags.length === 0 || item.tags.some((t) => tags.includes(t)))
    .filter((item) => matchesPattern(item.name) || matchesPattern(item.authorName));
  return sortedByKey(kept, SORT_KEYS[sort], ascending === false ? -1 : 1, (a, b) => idOf(a).localeCompare(idOf(b)));
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
