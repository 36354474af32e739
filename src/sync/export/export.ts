import { BATCH_SIZE } from '../kernel/batches.js';
import { queueCommits } from './commit.js';
import { decideContext, listAndExport } from './list.js';
import { decideDeletions } from './decide.js';
import { ledgerWrite } from './record.js';
import type { ExportOptions, ExportRun, StagedExport } from './types.js';
import { writeRest } from './write.js';
import { finishRun, startRun, type RunReport } from '../kernel/report.js';
import { TreeWriter } from '../kernel/tree-writer.js';
import type { ContentRepo } from '../ports.js';

export type { ExportOptions, StagedExport } from './types.js';

/**
 * One run of the export loop (DESIGN.md "The two loops"): list, decide what
 * changed from `modified` and the ledger, export only that in batches, write
 * canonical files, commit per ThoughtSpot author, then publish the commits
 * and the ledger (`refs/tmlsync/<env>/export`) in one atomic push.
 */
export async function runExport(options: ExportOptions): Promise<RunReport> {
  const { report } = await exportWith(options, (staged) => publishExport(options.repo, staged));
  return report;
}

/**
 * An export up to its publication: its commits made on the checked-out branch
 * (not pushed) and its ledger's next commit, for the caller to publish (a sync
 * publishes them with its own deploy ledger, so that a run killed halfway has
 * recorded all or nothing). Nothing staged in a dry run. Every file is in the
 * working tree when it returns.
 */
export async function stageExport(options: ExportOptions): Promise<{ report: RunReport; staged?: StagedExport }> {
  return exportWith(options);
}

/**
 * An export's phases, then `publish` of what they staged while the last files are still being
 * written (the tree writer falls behind the answers: the commits need only its comparisons, and
 * the repository settles the tree once the files are in, `ContentCommits.finish`). Returns once
 * every file is written.
 */
async function exportWith(options: ExportOptions, publish?: (staged: StagedExport) => Promise<void>): Promise<{ report: RunReport; staged?: StagedExport }> {
  const run = startRun('export', options.environment.name, options);
  // Files are written on a thread of their own, closed however the run ends.
  const files = new TreeWriter(options.repo.dir);
  // Each file goes to git as it is written, so that its blob is packed while later answers arrive.
  const commits = run.dryRun ? undefined : options.repo.startCommits(options.environment.branch);
  try {
    const outcome = await exportPhases({ options, run, files, commits, batchSize: options.batchSize ?? BATCH_SIZE, skip: options.skip ?? new Set() });
    if (publish && outcome.staged) await publish(outcome.staged);
    await files.settled();
    return outcome;
  } finally {
    // A run that failed still leaves whole files: the writes under way end before the writer does.
    await files.settled().catch(() => undefined);
    await Promise.allSettled([files.close(), commits?.discard()]);
  }
}

/** Publishes what an export staged: its commits and its ledger, in one push. */
async function publishExport(repo: ContentRepo, staged: StagedExport): Promise<void> {
  await repo.publish({ ...(staged.branch ? { branch: staged.branch } : {}), states: () => Promise.resolve(staged.ledger ? [staged.ledger] : []) });
}

/**
 * The phases of an export: list → decide → write (the three overlap, page by
 * page and batch by batch, see list.ts), then the deletions and the
 * principals file, commit, and the ledger as the run leaves it.
 */
async function exportPhases(step: ExportRun): Promise<{ report: RunReport; staged?: StagedExport }> {
  const { run, commits } = step;
  const { state, listed } = await listAndExport(step);
  decideDeletions(state, decideContext(step));
  await writeRest(step, state, listed);
  const listing = state.mode.kind;
  if (!commits) {
    run.log.info({ changes: state.changes.length + state.deletions.length, principalsChanged: state.principalsChanged }, 'dry run: nothing written');
    return { report: { ...finishRun(run, state.results), listing } };
  }
  const ledger = ledgerWrite(step, state, queueCommits(step, commits, state, listed) > 0);
  // The ledger's next commit is made beside the branch's, for the publication to push as it is.
  const made = await commits.finish(ledger ? [ledger] : [], step.files.settled());
  const final = { ...finishRun(run, state.results, { commits: made }), listing };
  run.log.info({ counts: final.counts, commits: made.length, failed: final.counts.failed, listing }, 'export finished');
  return { report: final, staged: { ...(made.length > 0 ? { branch: step.options.environment.branch } : {}), ...(ledger ? { ledger } : {}) } };
}
