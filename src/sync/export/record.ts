import type { ExportRun, ExportState } from './types.js';
import { writeExportLedger } from '../kernel/ledger.js';

/**
 * Record: the ledger as this run leaves it, on `refs/tmlsync/<env>/export`,
 * when the run committed something or learned anything new of an object.
 */
export async function recordLedger(step: ExportRun, state: ExportState, made: string[]): Promise<void> {
  const { repo, environment } = step.options;
  state.ledger.lastExport = new Date().toISOString();
  if (made.length > 0 || JSON.stringify(state.previous) !== JSON.stringify(state.ledger.objects)) {
    await writeExportLedger(repo, environment, state.ledger, `export(${environment}): ledger after run ${step.run.runId}`);
  }
}
