import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NotificationConfig } from '../../src/config/index.js';
import { createLogger, Redactor } from '../../src/log/index.js';
import { notifierFor } from '../../src/notify/index.js';
import { finishRun, type ObjectResult, type RunReport } from '../../src/sync/kernel/report.js';
import type { SyncReport } from '../../src/sync/sync/sync.js';
import { downUrl, startReceiver, type Receiver } from '../support/receiver.js';

const SECRET_PATH = '/services/T000/B000/secret-part-of-the-url';
const HOSTILE = '<script>alert(1)</script> & co';
let receiver: Receiver;
const lines: Record<string, unknown>[] = [];
const logText = () => JSON.stringify(lines);

beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(() => receiver.close());

function notifier(targets: NotificationConfig[]) {
  const log = createLogger({ level: 'info', destination: { write: (l: string) => lines.push(JSON.parse(l) as Record<string, unknown>) } });
  return notifierFor(targets, { log, redactor: new Redactor() });
}

function report(loop: RunReport['loop'], objects: ObjectResult[], extra: Record<string, unknown> = {}, error?: string): RunReport {
  return { ...finishRun({ runId: `run-${loop}`, environment: 'prod', loop, dryRun: false, started: Date.now() }, objects, error ? { error } : {}), ...extra };
}

const failedObject: ObjectResult = { id: 'g1', kind: 'liveboard', name: HOSTILE, outcome: 'failed', path: 'tml/liveboard/x.tml', error: 'import refused' };
const conflict = { id: 'c1', kind: 'worksheet', name: 'Sales', path: 'tml/worksheet/sales.tml', git: {}, thoughtspot: {}, resolution: 'kept both' };
const messagesTo = (path: string) => receiver.received.filter((r) => r.path === path).map((r) => r.body);

describe('notifications', () => {
  it('sends a failed deploy to a Slack webhook and a JSON webhook, each in its format', async () => {
    await notifier([
      { webhookUrl: `${receiver.url}/slack${SECRET_PATH}`, format: 'slack', events: ['runFailed'] },
      { webhookUrl: `${receiver.url}/json`, format: 'json', events: ['runFailed', 'checkFailed'] },
    ])(report('deploy', [failedObject]));
    const [slack] = messagesTo(`/slack${SECRET_PATH}`);
    expect(slack!.text).toBe('tmlsync: deploy prod failed (run run-deploy)');
    expect(JSON.stringify(slack!.blocks)).toContain('error: liveboard \\"&lt;script&gt;alert(1)&lt;/script&gt; &amp; co\\" (tml/liveboard/x.tml): import refused');
    expect(messagesTo('/json')).toEqual([
      expect.objectContaining({ events: ['runFailed'], environment: 'prod', loop: 'deploy', runId: 'run-deploy', outcome: 'failed', counts: expect.objectContaining({ failed: 1 }), errors: [`liveboard "${HOSTILE}" (tml/liveboard/x.tml): import refused`] }),
    ]);
  });

  it('tells a conflict once, and a failed data check, to the webhooks that asked for them', async () => {
    const send = notifier([{ webhookUrl: `${receiver.url}/conflicts`, format: 'json', events: ['newConflict', 'checkFailed'] }, { webhookUrl: `${receiver.url}/failures`, format: 'json', events: ['runFailed'] }]);
    const sync = (): SyncReport => report('sync', [], { conflicts: [conflict], conflictsBranch: 'tmlsync/conflicts/prod' }) as SyncReport;
    await send(sync());
    await send(sync());
    const check = { kind: 'liveboard', name: 'Sales', path: 'p', envGuid: 'e', status: 'failed', message: 'no data' };
    await send(report('deploy', [], { checks: [check], commit: 'c', drift: [], plan: [] }));
    expect(messagesTo('/conflicts').map((m) => [m.events, m.conflicts, m.conflictsBranch ?? null, m.failedChecks])).toEqual([
      [['newConflict'], [{ kind: 'worksheet', name: 'Sales', path: 'tml/worksheet/sales.tml', resolution: 'kept both' }], 'tmlsync/conflicts/prod', []],
      [['checkFailed'], [], null, [expect.objectContaining({ kind: 'liveboard', name: 'Sales', message: 'no data' })]],
    ]);
    expect(messagesTo('/failures')).toEqual([]);
  });

  it('tells each deploy that changed something only when asked to', async () => {
    const changed = report('deploy', [{ id: 'g', kind: 'table', name: 'T', outcome: 'updated' }]);
    const unchanged = report('deploy', [{ id: 'g', kind: 'table', name: 'T', outcome: 'unchanged' }]);
    for (const r of [changed, unchanged]) {
      await notifier([{ webhookUrl: `${receiver.url}/quiet`, format: 'json', events: ['runFailed', 'newConflict', 'checkFailed'] }])(r);
      await notifier([{ webhookUrl: `${receiver.url}/deploys`, format: 'slack', events: ['deploySucceeded'] }])(r);
    }
    expect(messagesTo('/quiet')).toEqual([]);
    expect(messagesTo('/deploys').map((m) => m.text)).toEqual(['tmlsync: deploy prod deployed (run run-deploy)']);
  });

  it('logs a webhook that is down or refuses as a warning without its URL, and returns normally', async () => {
    const down = `${await downUrl()}${SECRET_PATH}`;
    const refusing = await startReceiver(500);
    try {
      await expect(notifier([{ webhookUrl: down, format: 'slack', events: ['runFailed'] }, { webhookUrl: `${refusing.url}${SECRET_PATH}`, format: 'json', events: ['runFailed'] }])(report('export', [], {}, 'login failed'))).resolves.toBeUndefined();
    } finally {
      await refusing.close();
    }
    const warnings = lines.filter((l) => l.msg === 'notification not sent');
    expect(warnings.map((w) => [w.level, w.notification, w.reason])).toEqual([
      ['warn', 0, 'the webhook could not be reached (ECONNREFUSED)'],
      ['warn', 1, 'the webhook answered HTTP 500'],
    ]);
    expect(logText()).not.toContain('secret-part-of-the-url');
    expect(logText()).not.toContain(receiver.url);
  });

  it('tells the redactor every webhook URL, so no other line can print one', () => {
    const redactor = new Redactor();
    notifierFor([{ webhookUrl: `${receiver.url}${SECRET_PATH}`, format: 'slack', events: ['runFailed'] }], { log: createLogger({ level: 'silent' }), redactor });
    expect(redactor.scrubText(`posting to ${receiver.url}${SECRET_PATH}`)).toBe('posting to [REDACTED]');
  });
});
