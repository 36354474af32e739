import type { NotificationConfig } from '../config/index.js';
import type { Logger, Redactor } from '../log/index.js';
import type { RunReport } from '../sync/kernel/report.js';
import { conflictsAfter, noticeOf, type RunNotice } from './events.js';
import { jsonMessage, slackMessage } from './messages.js';
import { failureReason, postMessage } from './send.js';

/** Told of every run the daemon finishes; never throws. */
export type RunFinishedListener = (report: RunReport) => Promise<void>;

/**
 * Notifications (issue 17, item 5): after each run, every configured webhook
 * whose events the run raised gets one message, all of them at once. A
 * message that cannot be sent is a warning in the log, never a failed run.
 * The webhooks' URLs are secrets: registered with the redactor, and never
 * put in a log line (a target is named by its place in the list).
 */
export function notifierFor(targets: readonly NotificationConfig[], services: { log: Logger; redactor: Redactor }): RunFinishedListener {
  for (const target of targets) services.redactor.add(target.webhookUrl);
  const log = services.log.child({ component: 'notify' });
  // Per environment, the conflicts of its previous run: a conflict is told about once.
  const seenConflicts = new Map<string, ReadonlySet<string>>();
  return async (report) => {
    const seen = seenConflicts.get(report.environment) ?? new Set<string>();
    seenConflicts.set(report.environment, conflictsAfter(report, seen));
    const notice = noticeOf(report, seen);
    if (notice.events.length === 0) return;
    await Promise.all(targets.map((target, index) => send(target, index, notice, log)));
  };
}

async function send(target: NotificationConfig, index: number, notice: RunNotice, log: Logger): Promise<void> {
  const events = notice.events.filter((e) => target.events.includes(e));
  if (events.length === 0) return;
  const message = { ...notice, events };
  const fields = { notification: index, format: target.format, events, environment: notice.report.environment, runId: notice.report.runId };
  try {
    await postMessage(target.webhookUrl, target.format === 'slack' ? slackMessage(message) : jsonMessage(message));
    log.info(fields, 'notification sent');
  } catch (error) {
    log.warn({ ...fields, reason: failureReason(error) }, 'notification not sent');
  }
}
