import type { Ledger } from '../kernel/ledger.js';
import type { Header, HeaderType, ThoughtSpotPort } from '../ports.js';
import { CONTENT_TYPES } from '../kernel/target.js';
import { allEndedFailFast } from '../kernel/settle.js';

/**
 * Which listing an export makes. A full one lists every object of every kind
 * (what deletions need); an incremental one lists each kind newest first and
 * stops once a page reaches back past what the ledger already holds, so that
 * a run costs what changed, not what the instance holds (issue 16).
 */
export type ListingMode = { kind: 'full'; reason: FullReason } | { kind: 'incremental'; since: number };

export type FullReason = 'asked' | 'first run' | 'reconcile due' | 'listing cannot be sorted' | 'listed by the caller';

/** The default interval between full listings (config `reconcile`). */
export const RECONCILE_MS = 3_600_000;

/**
 * How far before the watermark an incremental listing reaches. The watermark
 * is the newest `modified` the last run saw, but an object may show up later
 * with an older time: ThoughtSpot stamps `modified` on the node that served the
 * write, whose clock may differ from another node's by seconds, and a write
 * that takes long (a large import) may become visible after others stamped
 * later. Ten minutes covers both with room; its cost is re-reading headers
 * changed in that window, which the ledger then finds unchanged (no export
 * call). A change stamped further back than that is found by the next full
 * listing, which compares every object's `modified` with the ledger.
 */
export const OVERLAP_MS = 600_000;

export interface ListingChoice {
  /** `--full`: list everything whatever the ledger says. */
  full?: boolean;
  /** Interval between full listings; 0: every run lists everything. */
  reconcileMs?: number;
  /** Whether the port can list newest first. */
  canSort: boolean;
  /** This machine's time, epoch ms. */
  now: number;
}

/** Full when asked, when the ledger knows no watermark (first run, lost ledger), when a full listing is due, or when the listing cannot be sorted; else incremental. */
export function listingMode(ledger: Ledger, choice: ListingChoice): ListingMode {
  if (choice.full) return { kind: 'full', reason: 'asked' };
  if (ledger.watermark === undefined || !ledger.lastFullListing) return { kind: 'full', reason: 'first run' };
  if (!choice.canSort) return { kind: 'full', reason: 'listing cannot be sorted' };
  const since = Date.parse(ledger.lastFullListing);
  if (!(choice.now - since < (choice.reconcileMs ?? RECONCILE_MS))) return { kind: 'full', reason: 'reconcile due' };
  return { kind: 'incremental', since: ledger.watermark - OVERLAP_MS };
}

/**
 * Every content header as the mode says (page by page to `onPage`): all of them, or those changed
 * since the watermark (and some older). `signal` ends every kind's listing (`listHeaders`), and so
 * does the first kind's to fail.
 */
export async function listContent(thoughtspot: ThoughtSpotPort, mode: ListingMode, onPage: (page: Header[]) => void, signal?: AbortSignal): Promise<void> {
  await allEndedFailFast(signal, (stop) => CONTENT_TYPES.map((type) => listType(thoughtspot, mode, type, onPage, stop)));
}

/** One type's headers as the mode says: newest first from `since` where the port can sort, else all of them. */
function listType(thoughtspot: ThoughtSpotPort, mode: ListingMode, type: HeaderType, onPage: ((page: Header[]) => void) | undefined, signal: AbortSignal | undefined): Promise<Header[]> {
  if (mode.kind === 'incremental' && thoughtspot.listHeadersSince) return thoughtspot.listHeadersSince(type, mode.since, onPage, signal);
  return thoughtspot.listHeaders(type, undefined, onPage, signal);
}

/**
 * A listing the caller made earlier in the run, brought up to date for the
 * types it made stale (`types`, those it wrote objects of): what changed in
 * them since the listing's newest header (less the overlap), listed newest
 * first, goes to `onPage` before the listing itself, so that a fresh header
 * is the one decided (the export keeps the first header it sees of an
 * object). The other types' listings are taken as they are: one listing of
 * each per run (issue 16). `signal` ends the refresh's listings.
 */
export async function refreshListing(thoughtspot: ThoughtSpotPort, listed: Header[], types: readonly HeaderType[], onPage: (page: Header[]) => void, signal?: AbortSignal): Promise<void> {
  let newest = -Infinity;
  for (const header of listed) newest = Math.max(newest, header.modified);
  const mode: ListingMode = { kind: 'incremental', since: newest - OVERLAP_MS };
  const fresh = await allEndedFailFast(signal, (stop) => types.map((type) => listType(thoughtspot, mode, type, undefined, stop)));
  onPage(fresh.flat());
  onPage(listed);
}

/**
 * The watermark a run leaves: the newest `modified` it listed, lowered to the
 * oldest object it listed but did not bring in step (an export that failed, an
 * object a sync left alone), so that the next incremental listing reaches it
 * again. Unchanged when the run listed nothing.
 */
export function nextWatermark(previous: number | undefined, newestListed: number | undefined, pending: Iterable<Header>): number | undefined {
  if (newestListed === undefined) return previous;
  let next = newestListed;
  for (const header of pending) next = Math.min(next, header.modified);
  return next;
}
