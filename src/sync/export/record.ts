import type { ExportRun, ExportState } from './types.js';
import { nextWatermark, RECONCILE_MS } from './listing.js';
import { exportLedgerWrite, type LedgerEntry } from '../kernel/ledger.js';
import type { StateWrite } from '../ports.js';

/**
 * Record: the ledger as this run leaves it, for `refs/tmlsync/<env>/export`,
 * when the run commits something, learned anything new of an object, moved
 * the watermark, or listed everything while the recorded full listing is half a
 * reconcile interval old (`fullListingToRecord`); undefined when there is
 * nothing to record. Asked before the run's commits are made (`committing`:
 * some are queued), so that its commit is made beside theirs; it is published
 * with them, in one push (`publishExport`).
 */
export function ledgerWrite(step: ExportRun, state: ExportState, committing: boolean): StateWrite | undefined {
  const { environment: { name: environment } } = step.options;
  const { ledger } = state;
  const watermark = ledger.watermark;
  ledger.lastExport = new Date().toISOString();
  const next = nextWatermark(watermark, state.newest, state.pending);
  if (next === undefined) delete ledger.watermark;
  else ledger.watermark = next;
  const fullListing = fullListingToRecord(state, step.run.started, step.options.environment.reconcileMs ?? RECONCILE_MS);
  if (fullListing) ledger.lastFullListing = fullListing;
  const changed = changedEntries(state.previous, ledger.objects);
  if (committing || fullListing !== undefined || ledger.watermark !== watermark || changed.length > 0) {
    return exportLedgerWrite(environment, ledger, `export(${environment}): ledger after run ${step.run.runId}`, changed);
  }
  return undefined;
}

/**
 * The time of this run's full listing, when it is worth a ledger write of its own: the recorded one
 * spaces the full listings (`listingMode`), so recording it again while it is less than half a
 * reconcile interval old only moves the next one by that much. A sync lists everything on every
 * run, and recording each one pushed the ledger after every sync that found nothing (3 git processes
 * here and 5 on the remote, every few minutes). The full listings then come at most half an interval
 * early, never late: a deletion is still found within one interval.
 */
function fullListingToRecord(state: ExportState, started: number, reconcileMs: number): string | undefined {
  if (state.mode.kind !== 'full') return undefined;
  const recorded = state.ledger.lastFullListing ? Date.parse(state.ledger.lastFullListing) : Number.NaN;
  return started - recorded < reconcileMs / 2 ? undefined : new Date(started).toISOString();
}

/**
 * The ids whose entry the run added, changed or removed (the ledger's shards to write). An entry
 * the run did not touch is the entry it found (see `startState`), so most are told by identity;
 * the JSON of both, compared before, made two strings of some 17 MB each at 100,000 objects on
 * every incremental run.
 */
function changedEntries(previous: Record<string, LedgerEntry>, objects: Record<string, LedgerEntry>): string[] {
  const changed = Object.keys(previous).filter((id) => !(id in objects));
  for (const [id, now] of Object.entries(objects)) {
    const before = previous[id];
    if (before !== now && (!before || before.kind !== now.kind || before.name !== now.name || before.path !== now.path || before.modified !== now.modified)) changed.push(id);
  }
  return changed;
}
