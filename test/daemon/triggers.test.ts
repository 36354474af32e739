import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { run, type CliIo } from '../../src/cli/index.js';
import { loadConfig } from '../../src/config/index.js';
import { Daemon } from '../../src/daemon/index.js';
import type { EmulatorState } from '../../src/emulator/state.js';
import { createLogger, Redactor } from '../../src/log/index.js';
import { sign } from '../../src/server/webhook.js';
import { HostQueues } from '../../src/thoughtspot/index.js';
import { API_VERSIONS, clientOf } from '../support/api.js';
import { git } from '../support/git-server.js';
import { useStage } from '../support/stage.js';

// Both API versions share the stage: its emulator's Primary Org is dev (read only: exports), and
// each version deploys into a prod Org of its own, through a daemon and a repository of its own.
const stage = useStage('tmlsync-triggers-');
const SECRET = 'webhook-secret-for-tests';
const TOKEN = 'api-token-for-tests';

describe.each(API_VERSIONS)('triggers of the daemon, over %s', (api) => {
  let prod: EmulatorState;
  let daemon: Daemon;
  let url: string;
  const workDir = join(stage.work, `wd-${api}`);

  beforeAll(async () => {
    prod = stage.emulator.instance.createOrg(`Prod ${api}`);
    await clientOf(api, stage.emulator.url, { org: prod.org.name }).importTml(
      ['connection:\n  name: Retail Warehouse\n  type: RDBMS_SNOWFLAKE\n  authentication_type: SERVICE_ACCOUNT\n  properties: []\n'],
      { policy: 'PARTIAL', forceCreate: false, throwOnError: true },
    );
    const repo = `content-${api}`;
    const remote = stage.server.createRepo(repo);
    const file = join(stage.work, `tmlsync-${api}.yaml`);
    const common = `    url: ${stage.emulator.url}\n    api: ${api}\n    username: tsadmin\n    password: \${P:-admin}\n    schedule: "0 0 1 1 *"\n`;
    writeFileSync(
      file,
      `repository:\n  url: ${remote}\nworkDir: ${workDir}\nserver:\n  port: 0\n  webhookSecret: \${SECRET}\n  apiToken: \${TOKEN}\nenvironments:\n  dev:\n${common}    branch: dev\n  prod:\n${common}    org: ${prod.org.name}\n    branch: main\n    direction: deploy\n`,
    );
    daemon = new Daemon(loadConfig(file, { env: { SECRET, TOKEN } }), { log: createLogger({ level: 'silent' }), redactor: new Redactor(), queues: new HostQueues(), env: {} });
    url = (await daemon.start()).url;
    await daemon.idle();
    // dev's content reaches main, as a merged pull request would bring it.
    git(stage.server.pathOf(repo), 'branch', 'main', 'dev');
  });
  afterAll(async () => {
    await daemon?.stop();
  });

  function push(body: object, headers: Record<string, string>) {
    const text = JSON.stringify(body);
    return fetch(`${url}/webhooks/github`, { method: 'POST', body: text, headers: { 'content-type': 'application/json', 'x-github-event': 'push', ...headers, ...(headers['x-hub-signature-256'] === undefined ? { 'x-hub-signature-256': sign(SECRET, text) } : {}) } });
  }

  describe('webhook', () => {
    it('refuses a wrong or missing signature with 401 and does nothing', async () => {
      const wrong = await push({ ref: 'refs/heads/main' }, { 'x-github-delivery': 'd-wrong', 'x-hub-signature-256': sign('other-secret', '{}') });
      expect(wrong.status).toBe(401);
      const missing = await fetch(`${url}/webhooks/github`, { method: 'POST', body: '{"ref":"refs/heads/main"}', headers: { 'x-github-event': 'push' } });
      expect(missing.status).toBe(401);
      expect(daemon.status().find((s) => s.name === 'prod')).toMatchObject({ running: false, pending: false });
      expect(prod.objects.size).toBe(1);
    });

    it('ignores pushes to other branches', async () => {
      const res = await push({ ref: 'refs/heads/feature' }, { 'x-github-delivery': 'd-feature' });
      expect(res.status).toBe(202);
      expect(await res.json()).toMatchObject({ ignored: 'no environment deploys refs/heads/feature' });
    });

    it('deploys on a correctly signed push, once per delivery', async () => {
      const first = await push({ ref: 'refs/heads/main' }, { 'x-github-delivery': 'd-1' });
      expect(first.status).toBe(202);
      const { runIds } = (await first.json()) as { runIds: string[] };
      expect(runIds).toHaveLength(1);
      const again = await push({ ref: 'refs/heads/main' }, { 'x-github-delivery': 'd-1' });
      expect(await again.json()).toMatchObject({ ignored: 'delivery d-1 already handled' });
      await daemon.idle();
      expect(daemon.runs.get(runIds[0]!)).toMatchObject({ status: 'ok', loop: 'deploy', trigger: 'webhook d-1' });
      expect(prod.objects.size).toBe(18);
      expect(daemon.status().find((s) => s.name === 'prod')!.api).toBe(api);
    });
  });

  describe('trigger API', () => {
    it('needs the bearer token', async () => {
      expect((await fetch(`${url}/api/v1/environments/dev/export`, { method: 'POST' })).status).toBe(401);
      expect((await fetch(`${url}/api/v1/environments/dev/export`, { method: 'POST', headers: { authorization: 'Bearer nope' } })).status).toBe(401);
    });

    it('answers a run id whose status ends as the run did, and tmlsync trigger --wait follows it', async () => {
      const res = await fetch(`${url}/api/v1/environments/dev/export`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
      expect(res.status).toBe(202);
      const { runId } = (await res.json()) as { runId: string };
      await daemon.idle();
      const status = await fetch(`${url}/api/v1/runs/${runId}`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(await status.json()).toMatchObject({ id: runId, status: 'ok', loop: 'export', counts: { unchanged: 18 } });

      let out = '';
      const io: CliIo = { stdout: { write: (t: string) => (out += t) }, stderr: { write: () => true }, env: { TMLSYNC_API_TOKEN: TOKEN } };
      expect(await run(['--log-level', 'silent', 'trigger', 'deploy', '--env', 'prod', '--url', url, '--wait'], io)).toBe(0);
      expect(out).toMatch(/run [0-9a-f-]{36}: ok \(0 added, 0 updated, 0 deleted, 17 unchanged, 0 failed\)/);
      expect(await run(['--log-level', 'silent', 'trigger', 'deploy', '--env', 'dev', '--url', url], io)).toBe(2);
    });

    // The run asked for through the trigger API by the case before: another export would only cost one.
    it('writes each run to runs.json as it ends, where a restarted daemon reads it', async () => {
      const { runId } = daemon.status().find((s) => s.name === 'dev')!.lastRun!;
      expect(daemon.runs.get(runId)).toMatchObject({ trigger: 'api' });
      const { RunStore } = await import('../../src/daemon/runs.js');
      expect(new RunStore(join(workDir, 'runs.json')).get(runId)).toMatchObject({ status: 'ok' });
    });
  });
});
