/** Messages about finished runs to Slack-compatible and generic JSON webhooks (issue 17, item 5). */
export { notifierFor, type RunFinishedListener } from './notifier.js';
export { noticeOf, type RunNotice } from './events.js';
export { jsonMessage, slackMessage } from './messages.js';
export { failedRun, notifiedRun, settledRun, type RunAbout, type SettledRun } from './run.js';
