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
}

export function countOutcomes(objects: ObjectResult[]): Record<ObjectOutcome, number> {
  const counts: Record<ObjectOutcome, number> = { added: 0, updated: 0, deleted: 0, unchanged: 0, failed: 0 };
  for (const o of objects) counts[o.outcome] += 1;
  return counts;
}

export function summaryLine(report: RunReport): string {
  const c = report.counts;
  return `${report.loop} ${report.environment}${report.dryRun ? ' (dry run)' : ''}: ${report.outcome}, ${c.added} added, ${c.updated} updated, ${c.deleted} deleted, ${c.unchanged} unchanged, ${c.failed} failed, ${report.commits.length} commit${report.commits.length === 1 ? '' : 's'} in ${(report.durationMs / 1000).toFixed(1)} s`;
}
