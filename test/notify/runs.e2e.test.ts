import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { Daemon } from '../../src/daemon/index.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { DEMO_GUIDS } from '../../src/emulator/seed/demo.js';
import { createLogger, Redactor } from '../../src/log/index.js';
import { HostQueues } from '../../src/thoughtspot/index.js';
import { cli } from '../support/cli.js';
import { filesAt, prepareCommits, setBranch, type CommittedFile, type PreparedCommit } from '../support/commits.js';
import { createLocalRemote, git } from '../support/git-server.js';
import { downUrl, startReceiver, type Receiver } from '../support/receiver.js';
import { API_VERSIONS, clientOf } from '../support/api.js';
import { DESCRIPTION, describedAs, editInThoughtSpot } from '../support/edits.js';

/**
 * Notifications (issue 17, item 5) as a webhook receives them, from
 * `tmlsync deploy/export/sync` run by hand or in a CI job and from the
 * daemon: a failed run, a new conflict, a failed data check and (listed) a
 * deploy that changed something; a webhook that is down fails nothing; no
 * webhook URL in a log line or on the status page. One demo emulator, one
 * receiver, and one seed repository (exported, deployed and synced once,
 * with the people's changes the cases need prepared in it) that every case
 * copies, so that each case runs only the change it is about.
 * Every case over v1 and v2 (issue 12), on the one emulator, each version
 * with texts of its own (the other's edits are in ThoughtSpot already); the
 * login cases share one copy of the seed and the dry run the failed deploys'
 * (none of them changes it), which pays for the second version's cases.
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
const ORPHAN_PATH = 'tml/table/orphan_orders.0b6e33b6-1b8b-4a54-9a34-3d1f3c6d3a01.table.tml';
/** prod's data check of a deployed model: a search over a column no model has, which ThoughtSpot answers with HTTP 400. */
const FAILING_SEARCH = '[No Such Column]';
const WORKSHEET_DESCRIPTION = 'Sales with products, stores and customers (worksheet form).';
const MODEL_DESCRIPTION = 'Retail sales as a model.';
/** Two or three runs in one case: room for a loaded machine (no timing is asserted). */
const MULTI_RUN_TIMEOUT_MS = 90_000;

let emulator: RunningEmulator;
let receiver: Receiver;
const work = mkdtempSync(join(tmpdir(), 'tmlsync-notify-runs-'));
const seed = join(work, 'seed.git');
let n = 0;
/** The prepared changes' commits, by name (`prepareChanges`). */
let prepared: Record<string, string>;

/**
 * prod deploys main, dev exports to dev, both syncs shared (or `only` one of them): all on the
 * emulator, in `api`, telling `$HOOK` every event. prod checks a deployed model with
 * `FAILING_SEARCH` unless `seeding`.
 */
function configFile(api: string, remote: string, { only, seeding = false }: { only?: string; seeding?: boolean } = {}): string {
  const file = join(work, `tmlsync-${(n += 1)}.yaml`);
  const common = `    url: ${emulator.url}\n    username: tsadmin\n    password: \${P:-admin}\n    api: ${api}\n    schedule: "0 0 1 1 *"\n`;
  const environments: Record<string, string> = {
    prod: `    branch: main\n    direction: deploy\n${seeding ? '' : `    dataChecks:\n      searches:\n        paths: { "tml/model/**": "${FAILING_SEARCH}" }\n`}`,
    dev: '    branch: dev\n    direction: export\n',
    both: '    branch: shared\n    direction: sync\n',
  };
  const listed = Object.entries(environments).filter(([name]) => !only || name === only);
  const notifications = `notifications:\n  - webhookUrl: \${HOOK}\n    format: json\n    events: [runFailed, newConflict, checkFailed, deploySucceeded]\n`;
  writeFileSync(
    file,
    `repository:\n  url: ${remote}\nworkDir: ${join(work, `wd-${n}`)}\nserver:\n  port: 0\n${notifications}environments:\n${listed.map(([name, text]) => `  ${name}:\n${common}${text}`).join('')}`,
  );
  return file;
}

/** A copy of the seed repository (its branches, tmlsync's ledgers and the prepared commits), for one case: a folder copied, no git process. */
function copyOfSeed(name: string): string {
  const remote = join(work, `${name}.git`);
  cpSync(seed, remote, { recursive: true });
  return remote;
}

/** The seed's `file` with `from` replaced by `to` (which it must have). */
function edited(file: CommittedFile, from: string | RegExp, to: string): Record<string, string> {
  expect(file.text).toMatch(from);
  return { [file.path]: file.text.replace(from, to) };
}

/**
 * The people's changes the cases need, each a commit on top of the seed's branch,
 * prepared once in the seed (refs/prepared/…): a case moves its copy's branch to
 * one, where it used to clone, commit and push (some 13 git processes a change).
 */
function prepareChanges(): Record<string, string> {
  const [worksheet, model] = filesAt(seed, 'main', [DEMO_GUIDS.worksheet, DEMO_GUIDS.model]) as [CommittedFile, CommittedFile];
  const [shared] = filesAt(seed, 'shared', [DEMO_GUIDS.model]) as [CommittedFile];
  const changes: [string, PreparedCommit][] = [['orphan', { ref: 'refs/prepared/orphan', from: 'main', message: 'a table on a connection prod lacks', files: { [ORPHAN_PATH]: ORPHAN_TABLE } }]];
  for (const api of API_VERSIONS) {
    // checks-…: the worksheet deployed, then the model checked; daemon-…: the same, each version's own texts (the other's are in ThoughtSpot already).
    for (const [name, by] of [['checks', ''], ['daemon', ' by the daemon']] as const) {
      changes.push(
        [`${name}-${api}-deployed`, { ref: `refs/prepared/${name}-${api}`, from: 'main', message: 'the worksheet', files: edited(worksheet, WORKSHEET_DESCRIPTION, `Deployed${by} over ${api}.`) }],
        [`${name}-${api}-checked`, { ref: `refs/prepared/${name}-${api}`, message: 'the model', files: edited(model, MODEL_DESCRIPTION, `Checked${by} over ${api}.`) }],
      );
    }
    changes.push([`conflict-${api}`, { ref: `refs/prepared/conflict-${api}`, from: 'shared', message: 'the model', files: edited(shared, DESCRIPTION, `  description: Changed in git over ${api}.`) }]);
  }
  const ids = prepareCommits(seed, changes.map(([, commit]) => commit));
  return Object.fromEntries(changes.map(([name], i) => [name, ids[i]!]));
}

const messagesTo = (path: string) => receiver.received.filter((r) => r.path === path).map((r) => r.body);

beforeAll(async () => {
  [emulator, receiver] = await Promise.all([startEmulator(), startReceiver()]);
  createLocalRemote(seed);
  const file = configFile('v1', seed, { seeding: true });
  const env = { HOOK: `${receiver.url}/seed` };
  expect((await cli(['export', '--config', file, '--env', 'dev'], env)).code).toBe(0);
  git(seed, 'branch', 'main', 'dev');
  for (const [command, environment] of [['deploy', 'prod'], ['sync', 'both']]) {
    const result = await cli([command!, '--config', file, '--env', environment!], env);
    expect(result.code, result.stdout + result.stderr).toBe(0);
  }
  prepared = prepareChanges();
}, 120_000);
afterAll(async () => {
  await Promise.all([emulator.close(), receiver.close()]);
  rmSync(work, { recursive: true, force: true });
});

describe.each(API_VERSIONS)('notifications from command-line and daemon runs, over %s', (api) => {
  /** The seed with a table on a connection prod does not have, on main: a deploy of it fails at the gate. */
  let orphan: string;
  /** A copy of the seed the login cases share: they fail before they change anything. */
  let login: string;
  beforeAll(() => {
    orphan = copyOfSeed(`orphan-${api}`);
    setBranch(orphan, 'main', prepared.orphan!);
    login = copyOfSeed(`login-${api}`);
  });

  it('tells a deploy that failed, with why, and logs no webhook URL', async () => {
    const hook = `${receiver.url}/${api}/deploy${SECRET_PATH}`;
    const result = await cli(['--log-level', 'info', '--log-format', 'json', 'deploy', '--config', configFile(api, orphan), '--env', 'prod'], { HOOK: hook });
    expect(result.code, result.stderr).toBe(2);
    expect(messagesTo(`/${api}/deploy${SECRET_PATH}`)).toEqual([
      expect.objectContaining({ events: ['runFailed'], environment: 'prod', loop: 'deploy', outcome: 'failed', errors: [expect.stringContaining('uses connection "No Such Warehouse", which does not exist in prod')] }),
    ]);
    expect(result.stderr).toContain('"msg":"notification sent"');
    expect(result.stderr).not.toContain('secret-part-of-the-url');
  });

  it('keeps the exit code of a failed deploy when the webhook is down, and says so without its URL', async () => {
    const hook = `${await downUrl()}${SECRET_PATH}`;
    const result = await cli(['--log-level', 'info', '--log-format', 'json', 'deploy', '--config', configFile(api, orphan), '--env', 'prod'], { HOOK: hook });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain('deploy stopped before writing anything');
    expect(result.stderr).toContain('the webhook could not be reached (ECONNREFUSED)');
    expect(result.stderr).not.toContain('secret-part-of-the-url');
  });

  it.each(['deploy', 'export', 'sync'] as const)('tells a %s run that could not log in as a failed run, and exits as before', async (command) => {
    const environment = { deploy: 'prod', export: 'dev', sync: 'both' }[command];
    const hook = `${receiver.url}/${api}/${command}-login${SECRET_PATH}`;
    const result = await cli(['--log-level', 'info', '--log-format', 'json', command, '--config', configFile(api, login), '--env', environment], { HOOK: hook, P: 'wrong' });
    expect(result.code, result.stderr).toBe(2);
    expect(messagesTo(`/${api}/${command}-login${SECRET_PATH}`)).toEqual([
      expect.objectContaining({ events: ['runFailed'], environment, loop: command, outcome: 'failed', errors: [expect.any(String)] }),
    ]);
    expect(result.stderr).not.toContain('secret-part-of-the-url');
  });

  it('tells nothing of a dry run', async () => {
    const hook = `${receiver.url}/${api}/dry${SECRET_PATH}`;
    const result = await cli(['deploy', '--dry-run', '--config', configFile(api, orphan), '--env', 'prod'], { HOOK: hook });
    expect(result.code, result.stderr).toBe(2);
    expect(messagesTo(`/${api}/dry${SECRET_PATH}`)).toEqual([]);
  });

  it('tells a deploy that changed something, then one whose data check failed', async () => {
    const remote = copyOfSeed(`checks-${api}`);
    const file = configFile(api, remote);
    const env = { HOOK: `${receiver.url}/${api}/checks${SECRET_PATH}` };
    setBranch(remote, 'main', prepared[`checks-${api}-deployed`]!);
    const deployed = await cli(['deploy', '--config', file, '--env', 'prod'], env);
    expect(deployed.code, deployed.stdout).toBe(0);
    setBranch(remote, 'main', prepared[`checks-${api}-checked`]!);
    const checked = await cli(['deploy', '--config', file, '--env', 'prod'], env);
    expect(checked.code, checked.stdout).toBe(1);
    expect(messagesTo(`/${api}/checks${SECRET_PATH}`)).toEqual([
      expect.objectContaining({ events: ['deploySucceeded'], environment: 'prod', loop: 'deploy', outcome: 'ok', counts: expect.objectContaining({ updated: 1, failed: 0 }), errors: [] }),
      expect.objectContaining({
        events: ['runFailed', 'checkFailed'],
        outcome: 'failed',
        counts: expect.objectContaining({ updated: 1 }),
        failedChecks: [expect.objectContaining({ kind: 'model', name: 'Retail Sales', query: FAILING_SEARCH, message: expect.stringContaining('HTTP 400') })],
      }),
    ]);
  }, MULTI_RUN_TIMEOUT_MS);

  it('tells the conflict a sync run leaves, with the branch that holds ThoughtSpot\'s side', async () => {
    const remote = copyOfSeed(`conflict-${api}`);
    await editInThoughtSpot(clientOf(api, emulator.url), DEMO_GUIDS.model, describedAs(`Changed in ThoughtSpot over ${api}.`));
    setBranch(remote, 'shared', prepared[`conflict-${api}`]!);
    const hook = `${receiver.url}/${api}/conflict${SECRET_PATH}`;
    const result = await cli(['sync', '--config', configFile(api, remote), '--env', 'both'], { HOOK: hook });
    expect(result.code, result.stdout).toBe(1);
    expect(messagesTo(`/${api}/conflict${SECRET_PATH}`)).toEqual([
      expect.objectContaining({
        events: ['newConflict'],
        environment: 'both',
        loop: 'sync',
        conflictsBranch: 'tmlsync/conflicts/both',
        conflicts: [expect.objectContaining({ kind: 'model', name: 'Retail Sales', resolution: 'kept both' })],
      }),
    ]);
  }, MULTI_RUN_TIMEOUT_MS);

  it('tells, from the daemon, a deploy that changed something and one whose data check failed, and shows no webhook URL on its pages', async () => {
    const remote = copyOfSeed(`daemon-${api}`);
    const hook = `${receiver.url}/${api}/daemon${SECRET_PATH}`;
    const lines: string[] = [];
    const log = createLogger({ level: 'info', destination: { write: (line: string) => lines.push(line) } });
    // file://: a remote path on this machine would be watched, and a push would start a run of its own.
    const config = loadConfig(configFile(api, `file://${remote}`, { only: 'prod' }), { env: { HOOK: hook } });
    const daemon = new Daemon(config, { log, redactor: new Redactor(), queues: new HostQueues(), env: { HOOK: hook } });
    // Pushed before the start: the daemon's run at start-up deploys it. Each version's own text: the other's is in ThoughtSpot already.
    setBranch(remote, 'main', prepared[`daemon-${api}-deployed`]!);
    const http = await daemon.start();
    try {
      await daemon.idle();
      setBranch(remote, 'main', prepared[`daemon-${api}-checked`]!);
      daemon.request('prod', 'deploy', 'test');
      await daemon.idle();
      expect(messagesTo(`/${api}/daemon${SECRET_PATH}`).map((m) => [m.events, m.outcome, (m.failedChecks as unknown[]).length])).toEqual([
        [['deploySucceeded'], 'ok', 0],
        [['runFailed', 'checkFailed'], 'failed', 1],
      ]);
      const pages = await Promise.all(['/', '/status'].map(async (path) => (await fetch(`${http.url}${path}`)).text()));
      expect(pages[0]).toContain('Retail Sales');
      for (const text of [...pages, lines.join('')]) {
        expect(text).not.toContain('secret-part-of-the-url');
        expect(text).not.toContain(receiver.url);
      }
    } finally {
      await daemon.stop();
    }
  }, MULTI_RUN_TIMEOUT_MS);
});
