import type { ExportRun, ExportState } from './types.js';
import { nextWatermark } from './listing.js';
import { exportLedgerWrite } from '../kernel/ledger.js';
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
  const next = nextWatermark(watermark, state.headers.values(), state.pending);
  if (next === undefined) delete ledger.watermark;
  else ledger.watermark = next;
  if (state.mode.kind === 'full') ledger.lastFullListing = new Date(step.run.started).toISOString();
  if (made.length > 0 || state.mode.kind === 'full' || ledger.watermark !== watermark || JSON.stringify(state.previous) !== JSON.stringify(ledger.objects)) {
    return exportLedgerWrite(environment, ledger, `export(${environment}): ledger after run ${step.run.runId}`);
  }
  return undefined;
}
