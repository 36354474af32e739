import { BATCH_SIZE } from '../kernel/batches.js';
import { commitChanges } from './commit.js';
import { decideContext, listAndExport } from './list.js';
import { decideDeletions } from './decide.js';
import { recordLedger } from './record.js';
import type { ExportOptions, ExportRun } from './types.js';
import { writeRest } from './write.js';
import { finishRun, startRun, type RunReport } from '../kernel/report.js';
import { TreeWriter } from '../kernel/tree-writer.js';

export type { ExportOptions } from './types.js';

/**
 * One run of the export loop (DESIGN.md "The two loops"): list, decide what
 * changed from `modified` and the ledger, export only that in batches, write
 * canonical files, commit per ThoughtSpot author, push, then record the
 * ledger on `refs/tmlsync/<env>/export`.
 */
export async function runExport(options: ExportOptions): Promise<RunReport> {
  const run = startRun('export', options.environment.name, options);
  // Files are written on a thread of their own, closed however the run ends.
  const files = new TreeWriter(options.repo.dir);
  // Each file goes to git as it is written, so that its blob is packed while later answers arrive.
  const commits = run.dryRun ? undefined : options.repo.startCommits(options.environment.branch);
  try {
    return await exportPhases({ options, run, files, commits, batchSize: options.batchSize ?? BATCH_SIZE, skip: options.skip ?? new Set() });
  } finally {
    await Promise.allSettled([files.close(), commits?.discard()]);
  }
}

/**
 * The phases of an export: list → decide → write (the three overlap, page by
 * page and batch by batch, see list.ts), then the deletions and the
 * principals file, commit, push, record.
 */
async function exportPhases(step: ExportRun): Promise<RunReport> {
  const { run, commits } = step;
  const { state, listed } = await listAndExport(step);
  decideDeletions(state, decideContext(step));
  await writeRest(step, state, listed);
  const listing = state.mode.kind;
  if (!commits) {
    run.log.info({ changes: state.changes.length + state.deletions.length, principalsChanged: state.principalsChanged }, 'dry run: nothing written');
    return { ...finishRun(run, state.results), listing };
  }
  const made = await commitChanges(step, commits, state, listed);
  await push(step, made);
  await recordLedger(step, state, made);
  const final = { ...finishRun(run, state.results, { commits: made }), listing };
  run.log.info({ counts: final.counts, commits: made.length, failed: final.counts.failed, listing }, 'export finished');
  return final;
}

async function push({ options }: ExportRun, made: string[]): Promise<void> {
  if (made.length > 0) await options.repo.push(options.environment.branch);
}
