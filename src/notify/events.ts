import type { NotificationEvent } from '../config/index.js';
import type { DataCheck } from '../sync/deploy/checks.js';
import type { DeployReport } from '../sync/deploy/deploy.js';
import type { RunReport } from '../sync/kernel/report.js';
import type { Conflict, SyncReport } from '../sync/sync/sync.js';

/** How many errors a message carries: enough to act on, short enough for a chat line. */
export const FIRST_ERRORS = 5;

/** What one finished run has to tell: the events it raised and what each is about. */
export interface RunNotice {
  events: NotificationEvent[];
  report: RunReport;
  /** The run's error, then each failed object's: the first few. */
  errors: string[];
  /** Conflicts this run found that the previous run of the environment did not. */
  newConflicts: Pick<Conflict, 'kind' | 'name' | 'path' | 'resolution'>[];
  conflictsBranch?: string;
  failedChecks: DataCheck[];
}

/** The data checks of a deploy, or of a sync run's deploy. */
function checksOf(report: RunReport): DataCheck[] {
  return (report as Partial<DeployReport>).checks ?? (report as Partial<SyncReport>).deploy?.checks ?? [];
}

function errorsOf(report: RunReport): string[] {
  const failed = report.objects.filter((o) => o.outcome === 'failed').map((o) => `${o.kind} "${o.name}"${o.path ? ` (${o.path})` : ''}: ${o.error ?? 'failed'}`);
  return [...(report.error ? [report.error] : []), ...failed].slice(0, FIRST_ERRORS);
}

function changedSomething(report: RunReport): boolean {
  return report.counts.added + report.counts.updated + report.counts.deleted > 0;
}

/**
 * The events of a finished run. `seenConflicts` holds the ids of the
 * conflicts the environment's previous run reported: a conflict is new only
 * once, not on every run until someone resolves it.
 */
export function noticeOf(report: RunReport, seenConflicts: ReadonlySet<string>): RunNotice {
  const { conflicts = [], conflictsBranch } = report as Partial<SyncReport>;
  const newConflicts = conflicts.filter((c) => !seenConflicts.has(c.id)).map(({ kind, name, path, resolution }) => ({ kind, name, path, resolution }));
  const failedChecks = checksOf(report).filter((c) => c.status === 'failed');
  const events: NotificationEvent[] = [];
  if (report.outcome === 'failed') events.push('runFailed');
  if (newConflicts.length > 0) events.push('newConflict');
  if (failedChecks.length > 0) events.push('checkFailed');
  if (report.loop === 'deploy' && report.outcome === 'ok' && !report.dryRun && changedSomething(report)) events.push('deploySucceeded');
  return { events, report, errors: errorsOf(report), newConflicts, ...(conflictsBranch ? { conflictsBranch } : {}), failedChecks };
}

/** The conflict ids to compare the next run with: this run's, when it is a sync report (a run that failed before syncing says nothing of them). */
export function conflictsAfter(report: RunReport, seen: ReadonlySet<string>): ReadonlySet<string> {
  const { conflicts } = report as Partial<SyncReport>;
  return conflicts ? new Set(conflicts.map((c) => c.id)) : seen;
}
