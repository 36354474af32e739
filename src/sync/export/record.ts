import type { ExportRun, ExportState } from './types.js';
import { nextWatermark } from './listing.js';
import { writeExportLedger } from '../kernel/ledger.js';

/**
 * Record: the ledger as this run leaves it, on `refs/tmlsync/<env>/export`,
 * when the run committed something, learned anything new of an object, moved
 * the watermark, or listed everything (the time of that listing is what
 * spaces the full listings).
 */
export async function recordLedger(step: ExportRun, state: ExportState, made: string[]): Promise<void> {
  const { repo, environment: { name: environment } } = step.options;
  const { ledger } = state;
  const watermark = ledger.watermark;
  ledger.lastExport = new Date().toISOString();
  const next = nextWatermark(watermark, state.headers.values(), state.pending);
  if (next === undefined) delete ledger.watermark;
  else ledger.watermark = next;
  if (state.mode.kind === 'full') ledger.lastFullListing = new Date(step.run.started).toISOString();
  if (made.length > 0 || state.mode.kind === 'full' || ledger.watermark !== watermark || JSON.stringify(state.previous) !== JSON.stringify(ledger.objects)) {
    await writeExportLedger(repo, environment, ledger, `export(${environment}): ledger after run ${step.run.runId}`);
  }
}
