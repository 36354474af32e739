import type { ContentRecord, EmulatorState } from './state.js';

/** What a listing reads of a record (to filter, sort, or build its header), as it was when the listing was built. */
interface SeenRecord {
  record: ContentRecord;
  name: string;
  kind: string;
  description: string | undefined;
  author: string;
  created: number;
  modified: number;
  modifiedBy: string;
  tags: string[];
  tagCount: number;
  objId: string | undefined;
}

/** The state as the cached listings saw it, and the listings by query. */
interface Cache {
  records: SeenRecord[];
  /** Every user and group as a listing shows them (principals are listed too, and an object's author by name). */
  principals: string[];
  listings: Map<string, unknown[]>;
}

/** Queries kept per Org: a run pages through one listing per type at a time; a few spare for other clients. */
const MAX_LISTINGS = 16;

const caches = new WeakMap<EmulatorState, Cache>();

/**
 * A listing's items, filtered and sorted, built once while the Org's objects
 * stay as they were; the handler answers each page by slicing it. Offset
 * paging asks for the same sorted listing once per page: at 100,000 objects
 * (143 pages of 71,430 logical tables) sorting it for every page made the
 * emulator's work quadratic, most of a 15-minute bench (issue 16).
 *
 * Any change is seen, however it was made: one pass over the objects (no
 * allocation) compares each with what the listing saw, so that an import, a
 * delete, an ownership transfer, and a test editing a record in place all
 * invalidate it. A record's `tags` are compared by identity and length
 * (writes replace the array).
 */
export function cachedListing<T>(state: EmulatorState, query: string, build: () => T[]): T[] {
  let cache = caches.get(state);
  if (!cache || !unchanged(state, cache)) {
    cache = { records: [...state.objects.values()].map(seen), principals: principalKeys(state), listings: new Map() };
    caches.set(state, cache);
  }
  const cached = cache.listings.get(query) as T[] | undefined;
  if (cached) return cached;
  const items = build();
  cache.listings.set(query, items);
  if (cache.listings.size > MAX_LISTINGS) cache.listings.delete(cache.listings.keys().next().value!);
  return items;
}

function seen(record: ContentRecord): SeenRecord {
  const { name, kind, description, author, created, modified, modifiedBy, tags, objId } = record;
  return { record, name, kind, description, author, created, modified, modifiedBy, tags, tagCount: tags.length, objId };
}

/** Principals are few (tens): a key each, compared as a whole. */
function principalKeys(state: EmulatorState): string[] {
  return [...state.users.values(), ...state.groups.values()].map((p) => JSON.stringify([p.id, p.name, p.displayName, p.description, p.principalTypeEnum, p.created, p.modified]));
}

/** Whether the Org holds exactly the records the cache saw, as they were, and the same principals. */
function unchanged(state: EmulatorState, cache: Cache): boolean {
  if (cache.records.length !== state.objects.size) return false;
  let i = 0;
  for (const record of state.objects.values()) {
    const then = cache.records[i++]!;
    if (
      record !== then.record || record.name !== then.name || record.kind !== then.kind || record.description !== then.description ||
      record.author !== then.author || record.created !== then.created || record.modified !== then.modified ||
      record.modifiedBy !== then.modifiedBy || record.tags !== then.tags || record.tags.length !== then.tagCount || record.objId !== then.objId
    ) return false;
  }
  const principals = principalKeys(state);
  return principals.length === cache.principals.length && principals.every((key, j) => key === cache.principals[j]);
}
