import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { cli } from '../support/cli.js';
import { git } from '../support/git-server.js';
import { downUrl, startReceiver, type Receiver } from '../support/receiver.js';
import { API_VERSIONS } from '../support/api.js';

/**
 * `tmlsync deploy/export/sync` in a CI job tell the configured webhooks what
 * the daemon would (issue 17, item 5): one emulator with no content, one
 * receiver, one bare repository on disk shared by every case.
 */
const SECRET_PATH = '/services/T000/B000/secret-part-of-the-url';
/** A table on a connection the target does not have: the deploy's gate stops the run (exit 2). */
const ORPHAN_TABLE = `guid: 0b6e33b6-1b8b-4a54-9a34-3d1f3c6d3a01
table:
  name: orphan_orders
  db: RETAIL
  schema: PUBLIC
  db_table: orders
  connection:
    name: No Such Warehouse
  columns:
  - name: order_id
    db_column_name: order_id
    properties:
      column_type: ATTRIBUTE
    db_column_properties:
      data_type: INT64
`;

let emulator: RunningEmulator;
let receiver: Receiver;
const work = mkdtempSync(join(tmpdir(), 'tmlsync-cli-notify-'));
const remote = join(work, 'content.git');
let n = 0;

beforeAll(async () => {
  [emulator, receiver] = await Promise.all([startEmulator({ seed: 'none' }), startReceiver()]);
  execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', remote]);
  const clone = join(work, 'clone');
  execFileSync('git', ['init', '--quiet', '--initial-branch=main', clone]);
  mkdirSync(join(clone, 'tml', 'table'), { recursive: true });
  writeFileSync(join(clone, 'tml', 'table', 'orphan_orders.0b6e33b6-1b8b-4a54-9a34-3d1f3c6d3a01.table.tml'), ORPHAN_TABLE);
  git(clone, 'add', '.');
  git(clone, 'commit', '--quiet', '-m', 'an orphan table');
  git(clone, 'push', '--quiet', remote, 'HEAD:main');
});
afterAll(async () => {
  await Promise.all([emulator.close(), receiver.close()]);
  rmSync(work, { recursive: true, force: true });
});

/** A configuration with a deploy, an export and a sync environment on the emulator, telling failures to the URL in $HOOK. */
function configFile(api: string): string {
  const file = join(work, `tmlsync-${(n += 1)}.yaml`);
  const environment = (direction: string, branch: string) =>
    `    url: ${emulator.url}\n    username: tsadmin\n    password: \${P:-admin}\n    branch: ${branch}\n    direction: ${direction}\n    api: ${api}\n`;
  writeFileSync(
    file,
    `repository:\n  url: ${remote}\nworkDir: ${join(work, `wd-${n}`)}\nnotifications:\n  - webhookUrl: \${HOOK}\n    format: json\n` +
      `environments:\n  prod:\n${environment('deploy', 'main')}  dev:\n${environment('export', 'dev')}  both:\n${environment('sync', 'shared')}`,
  );
  return file;
}

const messagesTo = (path: string) => receiver.received.filter((r) => r.path === path).map((r) => r.body);

describe.each(API_VERSIONS)('notifications from command-line runs, over %s', (api) => {
  it('tells a deploy that failed, with why, and logs no webhook URL', async () => {
    const hook = `${receiver.url}/${api}/deploy${SECRET_PATH}`;
    const result = await cli(['--log-level', 'info', '--log-format', 'json', 'deploy', '--config', configFile(api), '--env', 'prod'], { HOOK: hook });
    expect(result.code, result.stderr).toBe(2);
    expect(messagesTo(`/${api}/deploy${SECRET_PATH}`)).toEqual([
      expect.objectContaining({ events: ['runFailed'], environment: 'prod', loop: 'deploy', outcome: 'failed', errors: [expect.stringContaining('uses connection "No Such Warehouse", which does not exist in prod')] }),
    ]);
    expect(result.stderr).toContain('"msg":"notification sent"');
    expect(result.stderr).not.toContain('secret-part-of-the-url');
  });

  it('keeps the exit code of a failed deploy when the webhook is down, and says so without its URL', async () => {
    const hook = `${await downUrl()}${SECRET_PATH}`;
    const result = await cli(['--log-level', 'info', '--log-format', 'json', 'deploy', '--config', configFile(api), '--env', 'prod'], { HOOK: hook });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain('deploy stopped before writing anything');
    expect(result.stderr).toContain('the webhook could not be reached (ECONNREFUSED)');
    expect(result.stderr).not.toContain('secret-part-of-the-url');
  });
});

// What follows does not depend on the API version: once, over v1.
const ANY_API = 'v1';
describe('notifications from command-line runs, whatever the API version', () => {
  it.each(['deploy', 'export', 'sync'] as const)('tells a %s run that could not log in as a failed run, and exits as before', async (command) => {
    const environment = { deploy: 'prod', export: 'dev', sync: 'both' }[command];
    const hook = `${receiver.url}/${ANY_API}/${command}-login${SECRET_PATH}`;
    const result = await cli(['--log-level', 'info', '--log-format', 'json', command, '--config', configFile(ANY_API), '--env', environment], { HOOK: hook, P: 'wrong' });
    expect(result.code, result.stderr).toBe(2);
    expect(messagesTo(`/${ANY_API}/${command}-login${SECRET_PATH}`)).toEqual([
      expect.objectContaining({ events: ['runFailed'], environment, loop: command, outcome: 'failed', errors: [expect.any(String)] }),
    ]);
    expect(result.stderr).not.toContain('secret-part-of-the-url');
  });

  it('tells nothing of a dry run', async () => {
    const hook = `${receiver.url}/${ANY_API}/dry${SECRET_PATH}`;
    const result = await cli(['deploy', '--dry-run', '--config', configFile(ANY_API), '--env', 'prod'], { HOOK: hook });
    expect(result.code, result.stderr).not.toBe(0);
    expect(messagesTo(`/${ANY_API}/dry${SECRET_PATH}`)).toEqual([]);
  });
});
