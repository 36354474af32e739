import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { problemsOf } from '../support/config.js';

const dir = mkdtempSync(join(tmpdir(), 'tmlsync-notify-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function configWith(notifications: string): string {
  const path = join(dir, `config-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(path, `repository:\n  url: /srv/tml.git\nnotifications:\n${notifications}environments:\n  dev:\n    url: http://127.0.0.1:4000\n    username: tsadmin\n    password: \${P}\n`);
  return path;
}


describe('notifications in the configuration', () => {
  it('reads webhooks from references, with the default events', () => {
    const file = configWith('  - webhookUrl: ${SLACK_URL}\n    format: slack\n  - webhookUrl: ${HOOK_URL}\n    format: json\n    events: [runFailed, deploySucceeded]\n');
    const config = loadConfig(file, { env: { P: 'x', SLACK_URL: 'https://hooks.slack.com/services/T/B/s3cret', HOOK_URL: 'http://127.0.0.1:9/hook' }, isTracked: () => true });
    expect(config.notifications).toEqual([
      { webhookUrl: 'https://hooks.slack.com/services/T/B/s3cret', format: 'slack', events: ['runFailed', 'newConflict', 'checkFailed'] },
      { webhookUrl: 'http://127.0.0.1:9/hook', format: 'json', events: ['runFailed', 'deploySucceeded'] },
    ]);
  });

  it('refuses a webhook URL written out in a file tracked by git: it is a credential', () => {
    const file = configWith('  - webhookUrl: https://hooks.slack.com/services/T/B/s3cret\n    format: slack\n');
    expect(problemsOf(() => loadConfig(file, { env: { P: 'x' }, isTracked: () => true }))).toEqual([expect.stringMatching(/^notifications\.0\.webhookUrl: a literal secret in a file tracked by git/)]);
  });

  it('names the bad key of a webhook', () => {
    const file = configWith('  - webhookUrl: ${U}\n    format: teams\n    events: [everything]\n');
    expect(problemsOf(() => loadConfig(file, { env: { P: 'x', U: 'ftp://x' }, isTracked: () => false }))).toEqual([
      'notifications.0.webhookUrl: must be an http(s) URL',
      expect.stringMatching(/^notifications\.0\.format: /),
      expect.stringMatching(/^notifications\.0\.events\.0: /),
    ]);
  });
});
