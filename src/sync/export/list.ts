import { decide, lastBatch, type DecideContext } from './decide.js';
import { startState, type ExportRun, type ExportState, type Listed } from './types.js';
import { exportBatch } from './write.js';
import { readExportLedger } from '../kernel/ledger.js';
import type { Header, ThoughtSpotPort } from '../ports.js';
import { CONTENT_TYPES } from '../kernel/target.js';

/**
 * List, decide and write at once: git (fetch, checkout, the ledger) and the
 * listing start together, since neither needs the other. Each page is decided
 * as it arrives, and each full batch of due objects goes to the client at
 * once while later pages are still being listed; the client's per-host queue
 * paces every call (DESIGN.md "The queue"). Returns once every batch is written.
 */
export async function listAndExport(step: ExportRun): Promise<{ state: ExportState; listed: Listed }> {
  const pages = new PagesAfterLedger();
  const listing = listEverything(step.options.thoughtspot, (page) => pages.add(page));
  const setUp = readLedger(step).then((ledger) => {
    const state = startState(ledger);
    pages.open((page) => dispatch(step, state, decide(state, page, decideContext(step))));
    return state;
  });
  // Everything started must end before the run reports, or a failure would leave work running unobserved.
  const [setUpOutcome, listingOutcome] = await Promise.allSettled([setUp, listing]);
  if (setUpOutcome.status === 'rejected') throw setUpOutcome.reason;
  const state = setUpOutcome.value;
  if (listingOutcome.status === 'rejected') {
    await Promise.allSettled(state.batches);
    await step.files.settled().catch(() => undefined);
    throw listingOutcome.reason;
  }
  step.run.log.debug({ objects: state.headers.size }, 'listed ThoughtSpot content');
  dispatch(step, state, lastBatch(state));
  await Promise.all(state.batches);
  return { state, listed: listingOutcome.value };
}

export function decideContext(step: ExportRun): DecideContext {
  return { dir: step.options.repo.dir, skip: step.skip, batchSize: step.batchSize };
}

async function readLedger({ options }: ExportRun) {
  await options.repo.fetch();
  await options.repo.checkout(options.branch);
  return readExportLedger(options.repo, options.environment);
}

/** Every content header (page by page to `onPage`), and the users, principals and privileges. */
async function listEverything(thoughtspot: ThoughtSpotPort, onPage: (page: Header[]) => void): Promise<Listed> {
  const [, users, principals, privileges] = await Promise.all([
    Promise.all(CONTENT_TYPES.map((type) => thoughtspot.listHeaders(type, undefined, onPage))),
    thoughtspot.listHeaders('USER'),
    thoughtspot.listPrincipals(),
    thoughtspot.listGroupPrivileges(),
  ]);
  return { users, principals, privileges };
}

function dispatch(step: ExportRun, state: ExportState, batches: Header[][]): void {
  for (const batch of batches) state.batches.push(exportBatch(step, state, batch));
}

/** Pages listed before the ledger is read wait for it; after that each page is handled as it arrives. */
class PagesAfterLedger {
  #early: Header[][] = [];
  #handle: ((page: Header[]) => void) | undefined;

  add(page: Header[]): void {
    if (this.#handle) this.#handle(page);
    else this.#early.push(page);
  }

  open(handle: (page: Header[]) => void): void {
    this.#handle = handle;
    this.#early.splice(0).forEach(handle);
  }
}
