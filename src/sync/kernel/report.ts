import { randomUUID } from 'node:crypto';
import { silentLogger, type Logger } from '../../log/index.js';

/** What one run did, per object and in total (DESIGN.md "Concepts": run). */

export type ObjectOutcome = 'added' | 'updated' | 'deleted' | 'unchanged' | 'failed';

export interface ObjectResult {
  id: string;
  kind: string;
  name: string;
  outcome: ObjectOutcome;
  path?: string;
  error?: string;
}

export interface RunReport {
  runId: string;
  environment: string;
  loop: 'export' | 'deploy' | 'sync';
  dryRun: boolean;
  startedAt: string;
  durationMs: number;
  outcome: 'ok' | 'failed';
  counts: Record<ObjectOutcome, number>;
  commits: string[];
  objects: ObjectResult[];
  error?: string;
  /** An export's (or sync's) listing: everything, or only what changed since the last run (issue 16). */
  listing?: 'incremental' | 'full';
}

export function countOutcomes(objects: ObjectResult[]): Record<ObjectOutcome, number> {
  const counts: Record<ObjectOutcome, number> = { added: 0, updated: 0, deleted: 0, unchanged: 0, failed: 0 };
  for (const o of objects) counts[o.outcome] += 1;
  return counts;
}

export function summaryLine(report: RunReport): string {
  const c = report.counts;
  return `${report.loop} ${report.environment}${report.dryRun ? ' (dry run)' : ''}${report.listing ? ` (${report.listing} listing)` : ''}: ${report.outcome}, ${c.added} added, ${c.updated} updated, ${c.deleted} deleted, ${c.unchanged} unchanged, ${c.failed} failed, ${report.commits.length} commit${report.commits.length === 1 ? '' : 's'} in ${(report.durationMs / 1000).toFixed(1)} s`;
}

/** What every report of one run repeats, fixed when it starts; `log` is the run's own logger. */
export interface RunStart {
  runId: string;
  environment: string;
  loop: RunReport['loop'];
  dryRun: boolean;
  /** Epoch ms. */
  started: number;
  log: Logger;
}

/** Starts a run: its id (given, or new), the time, and a logger that names the run on every line. */
export function startRun(loop: RunReport['loop'], environment: string, options: { runId?: string; dryRun?: boolean; log?: Logger }): RunStart {
  const runId = options.runId ?? randomUUID();
  const log = (options.log ?? silentLogger()).child({ runId, environment, loop });
  return { runId, environment, loop, dryRun: options.dryRun ?? false, started: Date.now(), log };
}

/** The report of a finished run: failed when it has an error, a failed object, or `failed` says so. */
export function finishRun(run: Omit<RunStart, 'log'>, objects: ObjectResult[], end: { commits?: string[]; error?: string; failed?: boolean } = {}): RunReport {
  const { error, commits = [] } = end;
  return {
    runId: run.runId, environment: run.environment, loop: run.loop, dryRun: run.dryRun, startedAt: new Date(run.started).toISOString(), durationMs: Date.now() - run.started,
    outcome: error || end.failed || objects.some((o) => o.outcome === 'failed') ? 'failed' : 'ok', counts: countOutcomes(objects), commits, objects, ...(error ? { error } : {}),
  };
}
