import { RecordWatch, type RecordChanges, type SeenRecord } from './record-watch.js';
import type { ContentRecord, EmulatorState } from './state.js';

/**
 * A listed item with what orders it: its sort key (signed by the query),
 * then its tie text (signed too, as v1 breaks ties by GUID in the listing's
 * direction), then its group (v2 lists its `metadata[]` items one after
 * another), then its rank (the Org's map order, for principals the order they
 * are listed in): a total order, so that an item can be put in its place.
 */
export interface Entry<T> {
  readonly item: T;
  readonly key: string | number;
  readonly tie: string;
  readonly group: number;
  readonly rank: number;
  /** The content record listed (none for principals): its entry goes when the record changes. */
  readonly record?: ContentRecord;
}

/** A listing query: its cache key, its order, and how it lists a content record and the principals. */
export interface ListingQuery<T> {
  /** Every parameter the listing depends on. */
  readonly key: string;
  /** 1 ascending, -1 descending. */
  readonly sign: 1 | -1;
  /** A record's entry, as seen, when the query lists it: what a query reads of a record, it reads here. */
  entryOf(seen: SeenRecord): Entry<T> | undefined;
  /** The principals' entries (built whole: an Org has tens of principals). */
  principalEntries(): Entry<T>[];
}

/** A sorted listing and the query that sorts it (the first request's: every request with its key lists the same). */
interface Listing {
  entries: Entry<unknown>[];
  query: ListingQuery<unknown>;
}

/** The records and principals as the cached listings saw them, and the listings by query. */
interface Cache {
  watch: RecordWatch;
  /** Every user and group as a listing shows them (principals are listed too, and an object's author by name). */
  principals: string[];
  listings: Map<string, Listing>;
}

/** Queries kept per Org: a run pages through one listing per type at a time; a few spare for other clients. */
const MAX_LISTINGS = 16;

const caches = new WeakMap<EmulatorState, Cache>();

/**
 * A listing's entries, filtered and sorted, built once and then kept up to
 * date; the handler answers each page by slicing it. Offset paging asks for
 * the same sorted listing once per page: at 100,000 objects (143 pages of
 * 71,430 logical tables) sorting it for every page made the emulator's work
 * quadratic, most of a 15-minute bench (issue 16).
 *
 * Any change is seen, however it was made: each call looks over the objects
 * (record-watch.ts), so that an import, a delete, an ownership transfer, and a
 * test editing a record in place are all seen. A changed record's entries are
 * taken out of every kept listing and put back in their places, as the query
 * lists the record now: rebuilding every listing whole after one import cost
 * the bench's incremental run at 100,003 objects 0.76 s of the emulator's CPU
 * (the first listing after the change re-read every record, and each listing
 * of a type re-filtered and re-sorted the whole type for a first page of 50).
 * A change to a principal rebuilds them all (every item carries its author's name).
 */
export function cachedListing<T>(state: EmulatorState, query: ListingQuery<T>): readonly Entry<T>[] {
  const cache = upToDate(state);
  const kept = cache.listings.get(query.key);
  if (kept) return kept.entries as Entry<T>[];
  const entries = builtListing(query, cache.watch.records);
  cache.listings.set(query.key, { entries, query });
  if (cache.listings.size > MAX_LISTINGS) cache.listings.delete(cache.listings.keys().next().value!);
  return entries;
}

/** The Org's cache, with every kept listing patched for what changed since the last call (or dropped, when a principal changed). */
function upToDate(state: EmulatorState): Cache {
  const cache = caches.get(state);
  const principals = principalKeys(state);
  if (!cache || !samePrincipals(principals, cache.principals)) {
    const fresh = { watch: new RecordWatch(state.objects), principals, listings: new Map<string, Listing>() };
    caches.set(state, fresh);
    return fresh;
  }
  const changes = cache.watch.changes(state.objects);
  if (changes.added.length > 0 || changes.gone.length > 0) {
    for (const listing of cache.listings.values()) listing.entries = patched(listing, changes);
  }
  return cache;
}

function builtListing<T>(query: ListingQuery<T>, records: readonly SeenRecord[]): Entry<T>[] {
  const entries = query.principalEntries();
  for (const seen of records) {
    const entry = query.entryOf(seen);
    if (entry) entries.push(entry);
  }
  return entries.sort(comparison(query.sign));
}

/**
 * The listing without the entries of records gone or changed, with the
 * entries of records added or changed each in its place. A listing holds
 * the records as they were seen, so a gone record's entry is found where its
 * entry as seen sorts, by halving, as is each new entry's place: the entries
 * themselves are not read, only copied. Testing every entry (a set of the
 * gone records, or of their ranks) read each from memory: 17 ms a change
 * over the bench's kept listings at 100,003 objects.
 */
function patched(listing: Listing, { gone, added }: RecordChanges): Entry<unknown>[] {
  const { entries, query } = listing;
  const order = comparison(query.sign);
  const dropped = gone.flatMap((then) => placeOfEntry(entries, query.entryOf(then), order)).sort((a, b) => a - b);
  const fresh = added.flatMap((now) => query.entryOf(now) ?? []).sort(order);
  if (dropped.length === 0 && fresh.length === 0) return entries;
  const places = fresh.map((entry) => placeOf(entry, entries, order));
  const merged: Entry<unknown>[] = [];
  let [drop, next] = [0, 0];
  for (let at = 0; at <= entries.length; at += 1) {
    while (next < fresh.length && places[next] === at) merged.push(fresh[next++]!);
    if (at === entries.length) break;
    if (dropped[drop] === at) drop += 1;
    else merged.push(entries[at]!);
  }
  return merged;
}

/** Where an entry goes among sorted entries: before the first that does not sort before it. */
function placeOf(entry: Entry<unknown>, entries: readonly Entry<unknown>[], order: Order): number {
  let [low, high] = [0, entries.length];
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (order(entries[middle]!, entry) < 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** The place of a record's entry in a listing (none when the listing does not hold it). */
function placeOfEntry(entries: readonly Entry<unknown>[], entry: Entry<unknown> | undefined, order: Order): number[] {
  if (!entry) return [];
  const at = placeOf(entry, entries, order);
  const found = entries[at];
  return found && found.record === entry.record && found.rank === entry.rank ? [at] : [];
}

type Order = (a: Entry<unknown>, b: Entry<unknown>) => number;

function comparison(sign: 1 | -1): Order {
  return (a, b) => sign * (a.key < b.key ? -1 : a.key > b.key ? 1 : a.tie === b.tie ? 0 : a.tie.localeCompare(b.tie)) || a.group - b.group || a.rank - b.rank;
}

/** Principals are few (tens): a key each, compared as a whole. */
function principalKeys(state: EmulatorState): string[] {
  return [...state.users.values(), ...state.groups.values()].map((p) => JSON.stringify([p.id, p.name, p.displayName, p.description, p.principalTypeEnum, p.created, p.modified]));
}

function samePrincipals(now: string[], then: string[]): boolean {
  return now.length === then.length && now.every((key, i) => key === then[i]);
}
