import { randomUUID } from 'node:crypto';
import type { NotificationConfig } from '../config/index.js';
import type { Logger, Redactor } from '../log/index.js';
import type { Loop } from '../sync/kernel/runs.js';
import { finishRun, type RunReport } from '../sync/kernel/report.js';
import { notifierFor } from './notifier.js';

/** What a command knows of a run before it starts: enough to report one that ends in an error before it has a report. */
export interface RunAbout {
  environment: string;
  loop: Loop;
  dryRun: boolean;
}

/**
 * The report of a run that threw (a refused login, an unreachable instance,
 * a broken remote), as the daemon records one: failed, no objects, the error.
 */
export function failedRun(about: RunAbout, started: number, error: unknown): RunReport {
  const message = error instanceof Error ? error.message : String(error);
  return finishRun({ runId: randomUUID(), ...about, started }, [], { error: message });
}

/**
 * One `tmlsync deploy`, `export` or `sync` run told to the configured
 * webhooks (issue 17, item 5), as the daemon tells its runs: the same
 * `notifierFor`, so the same events and messages. A run that throws is told
 * as a failed run, then the error goes on to the command, whose exit code is
 * what it was; a webhook that is down is a warning, never a failure. A dry
 * run is a preview (a pull request's check, a person trying a change): it
 * tells nothing. A command line has no memory of the previous run, so every
 * conflict a CLI sync run leaves is told, not only the new ones.
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
  const started = Date.now();
  let report: R;
  try {
    report = await work();
  } catch (error) {
    await notify(failedRun(about, started, error));
    throw error;
  }
  await notify(report);
  return report;
}
