import type { RunNotice } from './events.js';

/**
 * The two message formats: Slack's incoming webhook (`{ text, blocks }`,
 * https://api.slack.com/messaging/webhooks; also taken by Mattermost,
 * Rocket.Chat and Teams' Slack-compatible connectors) and a generic JSON body.
 */

const HEADLINE: Record<RunNotice['events'][number], string> = {
  runFailed: 'failed',
  newConflict: 'found new conflicts',
  checkFailed: 'has failed data checks',
  deploySucceeded: 'deployed',
};

/** Slack's mrkdwn treats `&`, `<` and `>` as control characters: object names are user input (https://api.slack.com/reference/surfaces/formatting#escaping). */
export function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function countsText(counts: Record<string, number>): string {
  return Object.entries(counts).map(([what, n]) => `${n} ${what}`).join(', ');
}

/** `deploy prod failed, found new conflicts (run 1234…)`. */
export function headline(notice: RunNotice): string {
  const { report } = notice;
  return `tmlsync: ${report.loop} ${report.environment} ${notice.events.map((e) => HEADLINE[e]).join(', ')} (run ${report.runId})`;
}

/** The lines under the headline: counts, then the first errors, the new conflicts and the failed checks. */
function detailLines(notice: RunNotice): string[] {
  const { report } = notice;
  const lines = [`${report.outcome}: ${countsText(report.counts)} in ${(report.durationMs / 1000).toFixed(1)} s`];
  lines.push(...notice.errors.map((e) => `error: ${e}`));
  for (const c of notice.newConflicts) lines.push(`conflict: ${c.kind} "${c.name}" (${c.path}): ${c.resolution}`);
  if (notice.newConflicts.length > 0 && notice.conflictsBranch) lines.push(`ThoughtSpot's side is on branch ${notice.conflictsBranch}`);
  for (const c of notice.failedChecks) lines.push(`data check failed: ${c.kind} "${c.name}"${c.visualization ? `, visualization "${c.visualization}"` : ''}: ${c.message ?? ''}`);
  return lines;
}

export function slackMessage(notice: RunNotice): { text: string; blocks: unknown[] } {
  const text = slackEscape(headline(notice));
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*${text}*` } },
      { type: 'section', text: { type: 'mrkdwn', text: detailLines(notice).map(slackEscape).join('\n') } },
    ],
  };
}

/** The generic webhook's body: the environment, the run, its outcome and counts, and what the events are about. */
export function jsonMessage(notice: RunNotice): Record<string, unknown> {
  const { report } = notice;
  return {
    source: 'tmlsync',
    events: notice.events,
    environment: report.environment,
    loop: report.loop,
    runId: report.runId,
    outcome: report.outcome,
    startedAt: report.startedAt,
    durationMs: report.durationMs,
    counts: report.counts,
    errors: notice.errors,
    conflicts: notice.newConflicts,
    ...(notice.conflictsBranch ? { conflictsBranch: notice.conflictsBranch } : {}),
    failedChecks: notice.failedChecks.map(({ kind, name, path, visualization, query, message }) => ({ kind, name, path, visualization, query, message })),
    text: headline(notice),
  };
}
