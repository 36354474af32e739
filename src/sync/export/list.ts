import { decide, lastBatch, type DecideContext } from './decide.js';
import { startState, type ExportOptions, type ExportRun, type ExportState, type Listed } from './types.js';
import { exportBatch } from './write.js';
import { loadShards, readExportLedger, stateRef, type Ledger } from '../kernel/ledger.js';
import { listContent, listingMode, refreshListing, type ListingMode } from './listing.js';
import { allEndedFailFast, allEndedStopping, sharedStop } from '../kernel/settle.js';
import type { Header } from '../ports.js';

/**
 * List, decide and write at once: the ledger is read first (it says whether
 * this run lists everything or only what changed since its watermark; the
 * users, principals and privileges are listed meanwhile), then
 * the listing and the checkout of the branch start together. An incremental
 * listing starts before the fetch when this work tree holds the remote's
 * ledger already (`listEarly`). Each page of a
 * full listing is decided as it arrives (an incremental one's once it has
 * ended, the ledger's shards it needs read as its pages arrive), and each full batch of due objects goes to the
 * client at once while later pages are still being listed; the client's
 * per-host queue paces every call (DESIGN.md "The queue"). Returns once every
 * batch is written.
 */
export async function listAndExport(step: ExportRun): Promise<{ state: ExportState; listed: Listed }> {
  // Every listing of the run stops with `stop` once the run has failed: what is left of them ends
  // at once, where the run waited for it (a ThoughtSpot that answered nothing held a run whose
  // fetch had failed for its login's four attempts of two minutes each).
  const stop = sharedStop();
  // The listings the ledger does not decide start beside the fetch that reads it (issue 16: git's
  // 0.5-1.2 s of an incremental run came before ThoughtSpot's first call); both end before a failure is reported.
  const people = listPeople(step.options.thoughtspot, stop.signal);
  // Observed from the start: a listing that fails while git still runs stops the others, and is reported with the rest, not as unhandled.
  people.catch((error: unknown) => stop.abort(error));
  let read: LedgerRead;
  try {
    read = await readLedger(step, stop);
  } catch (error) {
    stop.abort(error);
    await people.catch(() => undefined);
    throw error;
  }
  const { ledger, mode, pages } = read;
  step.run.log.info(mode.kind === 'full' ? { listing: 'full', reason: mode.reason } : { listing: 'incremental', since: mode.since }, 'listing ThoughtSpot content');
  const listing = withPeople(read.content, people, stop);
  // An incremental listing is a page or two per kind: its objects are decided once it has ended,
  // the ledger's shards that hold those it reached for read meanwhile, page by page.
  const shards = mode.kind === 'incremental' ? pages.readAhead((ids) => loadShards(step.options.repo, step.options.environment.name, ledger, ids), mode.since) : undefined;
  const setUp = step.options.repo.checkout(step.options.environment.branch).then(async () => {
    if (shards) {
      await listing;
      await shards.all();
    }
    const state = startState(ledger, mode);
    pages.open((page) => dispatch(step, state, decide(state, page, decideContext(step)), stop.signal));
    return state;
  });
  setUp.catch((error: unknown) => stop.abort(error));
  // Everything started must end before the run reports, or a failure would leave work running unobserved.
  const [setUpOutcome, listingOutcome] = await Promise.allSettled([setUp, listing]);
  if (setUpOutcome.status === 'rejected') throw setUpOutcome.reason;
  const state = setUpOutcome.value;
  if (listingOutcome.status === 'rejected') {
    // The batches sent end before the run reports; their files are waited for where the writer is closed (exportWith).
    await Promise.allSettled(state.batches);
    throw listingOutcome.reason;
  }
  step.run.log.debug({ objects: state.listed.size, listing: mode.kind }, 'listed ThoughtSpot content');
  dispatch(step, state, lastBatch(state), stop.signal);
  await Promise.all(state.batches);
  return { state, listed: listingOutcome.value };
}

export function decideContext(step: ExportRun): DecideContext {
  return { dir: step.options.repo.dir, skip: step.skip, batchSize: step.batchSize };
}

/** The ledger a run goes by, the listing it calls for, and that listing started: its pages wait in `pages` until they are decided. */
interface LedgerRead {
  ledger: Ledger;
  mode: ListingMode;
  pages: PagesAfterLedger;
  /** The content listing: every page is in `pages` once it ends. */
  content: Promise<void>;
}

/**
 * The ledger as the remote has it, and the listing it calls for, started: every entry of the
 * ledger for a full listing, else only its head (an incremental run reads the shards it needs once
 * it has listed). The listing `listEarly` started before the fetch is the run's when the fetch
 * brought the very ledger commit it went by; else it is dropped (none of its pages is decided) and
 * the listing starts again from the fetched ledger.
 */
async function readLedger(step: ExportRun, stop: AbortController): Promise<LedgerRead> {
  const { repo, environment: { name } } = step.options;
  const fetched = repo.fetch();
  // A stop of its own within the run's: the early listing is dropped alone when the fetch brings another ledger.
  const dropEarly = sharedStop(stop.signal);
  const early = listEarly(step, dropEarly.signal);
  let started: Awaited<typeof early>;
  let fetchedLedger: string | undefined;
  try {
    await fetched;
    started = await early;
    // The ledger the fetch brought, for an early listing to be compared with.
    if (started) fetchedLedger = await repo.revParse(stateRef(name, 'export'));
  } catch (error) {
    // The fetch failed, or the ledger it brought cannot be read: the early listing is stopped, and ends before the failure is reported.
    stop.abort(error);
    await early.then((listing) => listing?.content.catch(() => undefined));
    throw error;
  }
  if (!started) return readFetched(step, stop.signal);
  if (fetchedLedger === started.commit) return started;
  step.run.log.debug({ ledger: stateRef(name, 'export') }, 'the remote\'s export ledger is not the one this work tree held: listing again from it');
  // The dropped listing is stopped, and ends before the run goes on or fails: none of its calls outlives the run.
  dropEarly.abort(new Error('the early listing went by a ledger the remote no longer holds'));
  const dropped = started.content.catch(() => undefined);
  try {
    const read = await readFetched(step, stop.signal);
    return { ...read, content: Promise.all([read.content, dropped]).then(() => undefined) };
  } catch (error) {
    await dropped;
    throw error;
  }
}

/** The ledger as the fetch brought it (or the caller's), and the listing it calls for, started. */
async function readFetched({ options }: ExportRun, signal: AbortSignal): Promise<LedgerRead> {
  const { repo, environment: { name } } = options;
  const canSort = options.thoughtspot.listHeadersSince !== undefined;
  // A copy of the caller's: the run updates its ledger as it goes (replacing entries, never changing one in place).
  const ledger = options.ledger ? { ...options.ledger, objects: { ...options.ledger.objects } } : await readExportLedger(repo, name, { all: options.full === true || !canSort });
  const mode: ListingMode = options.listed ? { kind: 'full', reason: 'listed by the caller' } : modeOf(options, ledger);
  if (mode.kind === 'full') await loadShards(repo, name, ledger, 'all');
  const pages = new PagesAfterLedger();
  return { ledger, mode, pages, content: listAsked(options, mode, (page) => pages.add(page), signal) };
}

/** The listing `ledger` calls for: full when asked, due, or impossible to sort; else incremental from its watermark. */
function modeOf(options: ExportOptions, ledger: Ledger): ListingMode {
  return listingMode(ledger, { full: options.full, reconcileMs: options.environment.reconcileMs, canSort: options.thoughtspot.listHeadersSince !== undefined, now: Date.now() });
}

/**
 * An incremental listing started beside the fetch, from the export ledger this work tree already
 * holds: the one the last run here published, which the remote still has unless another run
 * published since. The fetch (0.05 s to a remote on this machine, a round trip to GitHub in
 * production) then overlaps ThoughtSpot's listing instead of coming before it. Undefined when
 * there is nothing to go by (a fresh work tree: every CI job's), when the run lists everything
 * anyway, and when the ledger here cannot be read (the fetched one then decides, and a ledger that
 * is wrong there is reported as such).
 */
async function listEarly({ options }: ExportRun, signal: AbortSignal): Promise<(LedgerRead & { commit: string }) | undefined> {
  if (options.ledger || options.listed || options.full || !options.thoughtspot.listHeadersSince) return undefined;
  const { repo, environment: { name } } = options;
  try {
    const commit = await repo.localTip(stateRef(name, 'export'));
    if (!commit) return undefined;
    const ledger = await readExportLedger(repo, name, { all: false, at: commit });
    const mode = modeOf(options, ledger);
    if (mode.kind !== 'incremental') return undefined;
    const pages = new PagesAfterLedger();
    const content = listContent(options.thoughtspot, mode, (page) => pages.add(page), signal);
    // Observed from the start: a listing that fails while the fetch runs is reported by the run, or dropped with its listing.
    content.catch(() => undefined);
    return { commit, ledger, mode, pages, content };
  } catch {
    return undefined;
  }
}

/** The content headers the mode asks for, or the caller's own listing, page by page to `onPage`; `signal` stops it. */
async function listAsked({ thoughtspot, listed }: ExportOptions, mode: ListingMode, onPage: (page: Header[]) => void, signal: AbortSignal): Promise<void> {
  if (!listed) return listContent(thoughtspot, mode, onPage, signal);
  if (listed.refresh.length > 0) return refreshListing(thoughtspot, listed.headers, listed.refresh, onPage, signal);
  onPage(listed.headers);
}

/**
 * The content listing's end with `people`'s listing. Both end before either's failure is reported:
 * a listing that failed left the other listing (and its login) running after the run had
 * reported, and its calls went on against ThoughtSpot. The first to fail stops the other (`stop`).
 */
async function withPeople(content: Promise<void>, people: Promise<Listed>, stop: AbortController): Promise<Listed> {
  const [, everyone] = await allEndedStopping(stop, [content, people]);
  return everyone;
}

/** Every user, principal and privilege: the commits' authors and the principals file. `signal` stops their calls, and so does the first to fail. */
async function listPeople(thoughtspot: ExportOptions['thoughtspot'], signal: AbortSignal): Promise<Listed> {
  const [users, principals, privileges] = await allEndedFailFast(signal, (stop) => [thoughtspot.listHeaders('USER', undefined, undefined, stop), thoughtspot.listPrincipals(stop), thoughtspot.listGroupPrivileges(stop)] as const);
  return { users, principals, privileges };
}

/** Sends `batches` for export; `signal`, the run's stop, ends those still waiting or under way once the run has failed. */
function dispatch(step: ExportRun, state: ExportState, batches: Header[][], signal: AbortSignal): void {
  // The objects due so far are the files to come: the writer readies its thread before they do.
  step.files.expect(state.due);
  for (const batch of batches) state.batches.push(exportBatch(step, state, batch, signal));
  // And the commits their processes, once the calls are sent: each start forks this process, which
  // held the first export call back when it came before (issue 16, the incremental run at 10,004
  // objects: its commit took 17-19 ms instead of 37-38, the run 375 ms instead of 385, medians of 15 alternated).
  if (state.due > 0) setImmediate(() => step.commits?.expect());
}

/** Pages listed before the ledger is read (in an incremental run, before the listing ends) wait for it; after that each page is handled as it arrives. */
class PagesAfterLedger {
  #early: Header[][] = [];
  #handle: ((page: Header[]) => void) | undefined;

  /** Told of each page that waits (`readAhead`). */
  #arriving: ((page: Header[]) => void) | undefined;

  add(page: Header[]): void {
    if (this.#handle) {
      this.#handle(page);
    } else {
      this.#early.push(page);
      this.#arriving?.(page);
    }
  }

  open(handle: (page: Header[]) => void): void {
    this.#handle = handle;
    this.#early.splice(0).forEach(handle);
  }

  /**
   * Reads what the waiting pages' objects modified at or after `since` need (`read`, their
   * ledger's shards), and each later page's as it arrives, until the pages are opened: the read
   * after an incremental listing's last page was 0.04 s of a run's 0.44 s at 10,004 objects
   * (issue 16), and is now done while the other kinds are listed. A page of objects all older
   * than `since` (most of them) reads nothing.
   */
  readAhead(read: (ids: string[]) => Promise<unknown>, since: number): { all: () => Promise<void> } {
    const reads: Promise<unknown>[] = [];
    const readFor = (page: Header[]) => {
      const ids = page.filter((header) => header.modified >= since).map((header) => header.id);
      if (ids.length === 0) return;
      const reading = read(ids);
      // Observed from the start: a read that fails before the listing ends is reported once it has.
      reading.catch(() => undefined);
      reads.push(reading);
    };
    this.#early.forEach(readFor);
    this.#arriving = readFor;
    return { all: () => Promise.all(reads).then(() => undefined) };
  }
}
