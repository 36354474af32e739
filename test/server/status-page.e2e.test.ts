import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { Daemon } from '../../src/daemon/index.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { demoDocuments } from '../../src/emulator/seed/demo.js';
import { GitRepo } from '../../src/git/index.js';
import { createLogger, Redactor } from '../../src/log/index.js';
import type { RunningHttp } from '../../src/server/http.js';
import { HostQueues } from '../../src/thoughtspot/index.js';
import { format, type TmlMap } from '../../src/tml/index.js';
import { API_VERSIONS, clientOf, type ApiVersion } from '../support/api.js';
import { launchChromium, type HeadlessBrowser } from '../support/browser.js';
import { prepareCommits } from '../support/commits.js';
import { editInThoughtSpot, pushEdit } from '../support/edits.js';
import { createLocalRemote } from '../support/git-server.js';
import { downUrl, startReceiver, type Receiver } from '../support/receiver.js';

/**
 * The daemon as an operator meets it (issue 17, items 4 and 5): a deploy
 * environment whose branch holds TML that cannot be deployed, and a sync
 * environment where a liveboard, renamed to markup, was changed on both
 * sides. The webhooks hear about both; the status page, read in a real
 * headless Chromium, shows both, with the name as text. And a pipeline
 * (issue 13) in an Org of its own: `staging` deploys a table, `release`
 * promotes from it only when approved, and waits.
 * Over v1 and v2 (issue 12): a daemon per version, each on Orgs and a remote
 * of its own, one emulator, receiver and browser for both.
 */

/** A token per version: the browser, shared, keeps the first one's cookie for 127.0.0.1 (cookies ignore the port). */
const tokenOf = (api: ApiVersion) => `status-page-token-of-the-test-${api}`;
const SECRET = 'secret-part-of-the-webhook-url';
const HOSTILE = `<script>alert("x")</script> & Sales`;
const committer = { name: 'Person', email: 'person@example.com' };
const work = mkdtempSync(join(tmpdir(), 'tmlsync-status-page-'));
let emulator: RunningEmulator;
let receiver: Receiver;
let browser: HeadlessBrowser;
/** The Orgs of a version: `dev` syncs the demo (the Primary Org's over v1, a copy's over v2), the pipeline deploys into one of its own. */
const ORGS: Record<ApiVersion, { demo?: string; pipeline: string }> = { v1: { pipeline: 'Pipeline v1' }, v2: { demo: 'Demo v2', pipeline: 'Pipeline v2' } };

const named = (text: string, name: string) => text.replace(/^ {2}name: .*$/m, `  name: '${name}'`);

/**
 * The remote's first two branches, each one commit, by one `git fast-import`:
 * `prod`, whose one file refers to a table no environment has (its deploy fails
 * at the gate), and `staging`, one table over the Pipeline Org's connection.
 * Returns the staging commit.
 */
function prepareBranches(remote: string): string {
  const column = '  - name: id\n    db_column_name: id\n    properties:\n      column_type: ATTRIBUTE\n    db_column_properties:\n      data_type: VARCHAR\n';
  const [, staged] = prepareCommits(remote, [
    {
      ref: 'refs/heads/prod',
      message: 'an answer over a missing table',
      files: { 'tml/answer/broken.0b0b0b0b-0000-4000-8000-000000000001.answer.tml': 'guid: 0b0b0b0b-0000-4000-8000-000000000001\nanswer:\n  name: Broken\n  tables:\n  - name: no_such_table\n' },
    },
    {
      ref: 'refs/heads/staging',
      message: 'orders',
      files: { 'tml/table/orders.table.tml': `guid: 0c0c0c0c-0000-4000-8000-000000000001\ntable:\n  name: orders\n  db: RETAIL\n  schema: PUBLIC\n  db_table: orders\n  connection:\n    name: Warehouse\n  columns:\n${column}` },
    },
  ]);
  return staged!;
}

/** One version's daemon, its webhooks, its log and what it was given. */
interface Stage {
  api: ApiVersion;
  dir: string;
  remote: string;
  hooks: { json: string; slack: string; down: string };
  lines: string[];
  daemon: Daemon;
  http: RunningHttp;
  staged: string;
  liveboard: string;
}

function writeConfig(stage: Omit<Stage, 'daemon' | 'http' | 'staged' | 'liveboard'>): string {
  const file = join(stage.dir, 'tmlsync.yaml');
  const orgs = ORGS[stage.api];
  const environment = (name: string, direction: string, more = '') =>
    `  ${name}:\n    url: ${emulator.url}\n    username: tsadmin\n    password: \${P:-admin}\n    api: ${stage.api}\n    branch: ${name}\n    direction: ${direction}\n    schedule: "0 0 1 1 *"\n${more}`;
  const pipeline = environment('staging', 'deploy', `    org: ${orgs.pipeline}\n`) + environment('release', 'deploy', `    org: ${orgs.pipeline}\n    promoteFrom: staging\n    approval: manual\n`);
  const notifications = `notifications:\n  - webhookUrl: ${stage.hooks.json}\n    format: json\n  - webhookUrl: ${stage.hooks.slack}\n    format: slack\n  - webhookUrl: ${stage.hooks.down}\n    format: json\n`;
  const dev = environment('dev', 'sync', orgs.demo ? `    org: ${orgs.demo}\n` : '');
  writeFileSync(file, `repository:\n  url: ${stage.remote}\nworkDir: ${join(stage.dir, 'wd')}\nserver:\n  port: 0\n  apiToken: ${tokenOf(stage.api)}\n${notifications}environments:\n${dev}${environment('prod', 'deploy')}${pipeline}`);
  return file;
}

/** The liveboard renamed in ThoughtSpot and, differently, in git: the next sync finds a conflict. */
async function changeOnBothSides(stage: Stage): Promise<void> {
  const demo = ORGS[stage.api].demo;
  await editInThoughtSpot(clientOf(stage.api, emulator.url, demo ? { org: demo } : {}), stage.liveboard, (edoc) => named(edoc, `${HOSTILE}, as renamed in ThoughtSpot`));
  const person = await GitRepo.open(join(stage.dir, 'person'), { remoteUrl: stage.remote, committer });
  await pushEdit(person, stage.liveboard, (text) => named(text, HOSTILE), committer);
}

async function until(daemon: Daemon, what: () => boolean): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!what() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  await daemon.idle();
}

const statusOf = (daemon: Daemon, name: string) => daemon.status().find((e) => e.name === name)!;

/** The Org of a name (the Primary Org without one). */
const orgState = (name?: string) => (name ? emulator.instance.findOrg(name)! : emulator.state);

/** A version's stage: its Orgs' content, a remote with the prod and staging branches, and its daemon after a failed deploy and a conflict. */
async function startStage(api: ApiVersion): Promise<Stage> {
  const orgs = ORGS[api];
  if (orgs.demo) await clientOf(api, emulator.url, { org: orgs.demo }).importTml((demoDocuments() as TmlMap[]).map((d) => format(d)), { policy: 'ALL_OR_NONE', forceCreate: false, throwOnError: true });
  await clientOf(api, emulator.url, { org: orgs.pipeline }).importTml(['connection:\n  name: Warehouse\n  type: RDBMS_SNOWFLAKE\n  authentication_type: SERVICE_ACCOUNT\n  properties: []\n'], { policy: 'PARTIAL', forceCreate: false, throwOnError: true });
  const dir = join(work, api);
  const remote = join(dir, 'remote.git');
  mkdirSync(dir);
  createLocalRemote(remote);
  const staged = prepareBranches(remote);
  const hooks = { json: `${receiver.url}/json-${api}/${SECRET}`, slack: `${receiver.url}/slack-${api}/${SECRET}`, down: `${await downUrl()}/${SECRET}` };
  const lines: string[] = [];
  // The logger scrubs nothing of the daemon's secrets (a redactor of its own): a URL in a line would show.
  const log = createLogger({ level: 'info', destination: { write: (line: string) => lines.push(line) } });
  const daemon = new Daemon(loadConfig(writeConfig({ api, dir, remote, hooks, lines }), { env: {} }), { log, redactor: new Redactor(), queues: new HostQueues(), env: {} });
  const http = await daemon.start();
  // The demo's first liveboard, by name: the copy in a second Org has GUIDs of its own.
  const liveboard = [...orgState(orgs.demo).objects.values()].filter((o) => o.kind === 'liveboard').sort((a, b) => a.name.localeCompare(b.name))[0]!.id;
  const stage: Stage = { api, dir, remote, hooks, lines, daemon, http, staged, liveboard };
  await daemon.idle();
  await changeOnBothSides(stage);
  await until(daemon, () => (statusOf(daemon, 'dev').lastRun?.conflicts?.length ?? 0) > 0);
  return stage;
}

beforeAll(async () => {
  [emulator, receiver, browser] = await Promise.all([startEmulator({ orgs: [...new Set(Object.values(ORGS).flatMap((o) => [o.demo, o.pipeline]).filter((o) => o !== undefined))] }), startReceiver(), launchChromium()]);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await receiver?.close();
  await emulator?.close();
  rmSync(work, { recursive: true, force: true });
});

describe.each(API_VERSIONS)('the daemon after a failed deploy and a conflict, over %s', (api) => {
  let stage: Stage;
  beforeAll(async () => {
    stage = await startStage(api);
  }, 120_000);
  afterAll(async () => {
    await stage?.daemon.stop();
  });

  it('tells the webhooks about the failed deploy and the new conflict, in their formats', () => {
    const json = receiver.received.filter((r) => r.path === `/json-${api}/${SECRET}`).map((r) => r.body);
    expect(json).toEqual([
      expect.objectContaining({ events: ['runFailed'], environment: 'prod', loop: 'deploy', outcome: 'failed', errors: [expect.stringContaining('no_such_table')] }),
      expect.objectContaining({ events: ['newConflict'], environment: 'dev', loop: 'sync', conflictsBranch: 'tmlsync/conflicts/dev', conflicts: [expect.objectContaining({ kind: 'liveboard', resolution: 'kept both' })] }),
    ]);
    const slack = receiver.received.filter((r) => r.path === `/slack-${api}/${SECRET}`).map((r) => r.body.text);
    expect(slack).toEqual([expect.stringMatching(/^tmlsync: deploy prod failed \(run /), expect.stringMatching(/^tmlsync: sync dev found new conflicts \(run /)]);
  });

  it('runs on when a webhook is down, warns without its URL, and never logs a webhook URL', () => {
    expect(statusOf(stage.daemon, 'dev').lastRun).toMatchObject({ outcome: 'ok' });
    const warnings = stage.lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'notification not sent');
    expect(warnings.map((w) => [w.level, w.notification, w.environment])).toEqual([
      ['warn', 2, 'prod'],
      ['warn', 2, 'dev'],
    ]);
    expect(stage.lines.join('')).not.toContain(SECRET);
    expect(stage.lines.join('')).not.toContain(receiver.url);
  });

  it('shows a person, in a real browser, the environments, the failed run and the conflict, the object name as text', async () => {
    const page = await browser.newPage();
    let dialogs = 0;
    page.on('dialog', (dialog) => void dialog.dismiss().then(() => (dialogs += 1)));
    await page.goto(`${stage.http.url}/`);
    expect(await page.evaluate(`document.querySelector('h2').textContent`)).toBe('Sign in');
    await page.type('input[name=token]', tokenOf(api));
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    // One read of everything: the page reloads itself every 15 s, and a reload between reads would lose the page.
    const seen = (await page.evaluate(`({
      sections: [...document.querySelectorAll('section.environment')].map((s) => s.innerText),
      runs: [...document.querySelectorAll('section.runs tbody tr')].map((r) => r.innerText),
      scripts: document.querySelectorAll('script').length,
    })`)) as { sections: string[]; runs: string[]; scripts: number };
    expect(seen.sections).toHaveLength(4);
    const [dev, prod, staging, release] = seen.sections;
    expect(dev).toMatch(/^dev\n/);
    expect(dev).toContain(`ThoughtSpot's side is on branch tmlsync/conflicts/dev.`);
    expect(dev).toContain(HOSTILE);
    expect(prod).toMatch(/^prod\n/);
    expect(prod).toMatch(/outcome\s+failed deploy/);
    expect(prod).toContain('no_such_table');
    expect(seen.runs.filter((r) => /\bprod\s+deploy\s+failed\b/.test(r))).toHaveLength(1);
    // The pipeline: staging deployed its commit; release, a manual stage, runs nothing yet, one commit behind, its approval pending.
    expect(staging).not.toContain('Pipeline stage');
    expect(release).toMatch(/Pipeline stage\s+promotes from\s+staging \(approval manual\)/);
    expect(release).toMatch(/\bruns\s+nothing deployed yet/);
    expect(release).toMatch(new RegExp(`staging runs\\s+${stage.staged.slice(0, 12)}\\b`));
    expect(release).toMatch(/behind\s+1 commit behind\s+approval pending \(tmlsync promote --env release\)/);
    expect(seen.runs.filter((r) => /\bdev\s+sync\s+ok\b/.test(r)).length).toBeGreaterThanOrEqual(2);
    // The name is text: no script element made it into the page, and none ran.
    expect(seen.scripts).toBe(0);
    expect(dialogs).toBe(0);
    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: `test-results/status-page-${api}.png`, fullPage: true });
    // The run's JSON the page links to opens with the cookie the form set.
    await Promise.all([page.waitForNavigation(), page.click('section.environment a')]);
    expect(JSON.parse((await page.evaluate('document.body.innerText')) as string)).toMatchObject({ environment: 'dev', loop: 'sync', status: 'ok' });
  }, 120_000);
});
