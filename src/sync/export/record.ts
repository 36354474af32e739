import type { ExportRun, ExportState } from './types.js';
import { nextWatermark } from './listing.js';
import { exportLedgerWrite, type LedgerEntry } from '../kernel/ledger.js';
import type { StateWrite } from '../ports.js';

/**
 * Record: the ledger as this run leaves it, for `refs/tmlsync/<env>/export`,
 * when the run committed something, learned anything new of an object, moved
 * the watermark, or listed everything (the time of that listing is what
 * spaces the full listings); undefined when there is nothing to record. It is
 * published with the run's commits, in one push (`publishExport`).
 */
export function ledgerWrite(step: ExportRun, state: ExportState, made: string[]): StateWrite | undefined {
  const { environment: { name: environment } } = step.options;
  const { ledger } = state;
  const watermark = ledger.watermark;
  ledger.lastExport = new Date().toISOString();
  const next = nextWatermark(watermark, state.newest, state.pending);
  if (next === undefined) delete ledger.watermark;
  else ledger.watermark = next;
  if (state.mode.kind === 'full') ledger.lastFullListing = new Date(step.run.started).toISOString();
  if (made.length > 0 || state.mode.kind === 'full' || ledger.watermark !== watermark || objectsChanged(state.previous, ledger.objects)) {
    return exportLedgerWrite(environment, ledger, `export(${environment}): ledger after run ${step.run.runId}`);
  }
  return undefined;
}

/**
 * Whether the run changed the ledger's objects. An entry the run did not touch is the entry it
 * found (see `startState`), so most are told by identity; the JSON of both, compared before,
 * made two strings of some 17 MB each at 100,000 objects on every incremental run.
 */
function objectsChanged(previous: Record<string, LedgerEntry>, objects: Record<string, LedgerEntry>): boolean {
  const ids = Object.keys(objects);
  if (ids.length !== Object.keys(previous).length) return true;
  return ids.some((id) => {
    const [before, now] = [previous[id], objects[id]!];
    return before !== now && (!before || before.kind !== now.kind || before.name !== now.name || before.path !== now.path || before.modified !== now.modified);
  });
}
