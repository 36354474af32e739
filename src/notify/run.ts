import { randomUUID } from 'node:crypto';
import type { NotificationConfig } from '../config/index.js';
import type { Logger, Redactor } from '../log/index.js';
import type { Loop } from '../sync/kernel/runs.js';
import { finishRun, type RunReport } from '../sync/kernel/report.js';
import { notifierFor } from './notifier.js';

/** What a command or the daemon knows of a run before it starts: enough to report one that ends in an error before it has a report. */
export interface RunAbout {
  environment: string;
  loop: Loop;
  dryRun: boolean;
  /** The daemon's id for the run (its record and `/status` name it); a command's run gets a new one. */
  runId?: string;
}

/**
 * The report of a run that threw (a refused login, an unreachable instance,
 * a broken remote): failed, no objects, the error. The one shape of such a
 * run, for the daemon's record and `/status` and for the webhooks alike.
 */
export function failedRun(about: RunAbout, started: number, error: unknown): RunReport {
  const message = error instanceof Error ? error.message : String(error);
  const { runId = randomUUID(), environment, loop, dryRun } = about;
  return finishRun({ runId, environment, loop, dryRun, started }, [], { error: message });
}

/** How a run ended: its own report, or, when it threw, the failed run's report and the error. */
export type SettledRun<R extends RunReport> = { failed: false; report: R } | { failed: true; report: RunReport; error: unknown };

/**
 * Runs `work` and gives a report however it ends: what the daemon records
 * and what both the daemon and a command tell the webhooks. The caller
 * decides what the error is then (the daemon logs it, a command exits on it).
 */
export async function settledRun<R extends RunReport>(about: RunAbout, work: () => Promise<R>): Promise<SettledRun<R>> {
  const started = Date.now();
  try {
    return { failed: false, report: await work() };
  } catch (error) {
    return { failed: true, report: failedRun(about, started, error), error };
  }
}

/**
 * One `tmlsync deploy`, `export` or `sync` run told to the configured
 * webhooks (issue 17, item 5), as the daemon tells its runs: the same
 * `settledRun` and `notifierFor`, so the same reports, events and messages.
 * A run that throws is told as a failed run, then the error goes on to the
 * command, whose exit code is what it was; a webhook that is down is a
 * warning, never a failure. A dry run is a preview (a pull request's check,
 * a person trying a change): it tells nothing. A command line has no memory
 * of the previous run, so every conflict a CLI sync run leaves is told, not
 * only the new ones.
 */
export async function notifiedRun<R extends RunReport>(
  targets: readonly NotificationConfig[] | undefined,
  services: { log: Logger; redactor: Redactor },
  about: RunAbout,
  work: () => Promise<R>,
): Promise<R> {
  // Made first, dry run or not: it registers the webhooks' URLs with the redactor before the run logs anything.
  const notify = notifierFor(targets ?? [], services);
  if (about.dryRun) return work();
  const settled = await settledRun(about, work);
  await notify(settled.report);
  if (settled.failed) throw settled.error;
  return settled.report;
}
