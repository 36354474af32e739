import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/index.js';
import { loadConfig } from '../../src/config/index.js';
import { Daemon } from '../../src/daemon/index.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { createLogger, Redactor } from '../../src/log/index.js';
import type { RunningHttp } from '../../src/server/http.js';
import { HostQueues } from '../../src/thoughtspot/index.js';
import { API_VERSIONS } from '../support/api.js';
import { git } from '../support/git-server.js';
import { startReceiver } from '../support/receiver.js';
import { useStage } from '../support/stage.js';

// Both API versions share the stage's emulator and git server, and one slow emulator; each case has its own repository.
const stage = useStage('tmlsync-daemon-');
let slow: RunningEmulator;
beforeAll(async () => {
  slow = await startEmulator({ latencyMs: 30 });
});
afterAll(() => slow.close());

describe.each(API_VERSIONS)('the daemon, over %s', (api) => {
  const lines: Record<string, unknown>[] = [];
  /** A configuration of one export environment `dev` on `url`, in the version's API, its repository `repo` on the stage's server. */
  function configFile(repo: string, url: string, schedule = '    schedule: "0 0 1 1 *"\n'): string {
    const file = join(stage.work, `${repo}.yaml`);
    writeFileSync(
      file,
      `repository:\n  url: ${stage.server.createRepo(repo)}\nworkDir: ${join(stage.work, `wd-${repo}`)}\nserver:\n  port: 0\nenvironments:\n  dev:\n    url: ${url}\n    api: ${api}\n    username: tsadmin\n    password: \${P:-admin}\n${schedule}`,
    );
    return file;
  }

  // One daemon for the start-up, queueing and stop cases, in that order: a daemon's start-up
  // export of the demo seed is most of a case's cost, and the cases only differ by what they ask.
  describe('started on an empty repository', () => {
    const redactor = new Redactor();
    let daemon: Daemon;
    let http: RunningHttp;
    let stopped = false;
    beforeAll(async () => {
      const file = configFile(`daemon-${api}`, stage.emulator.url);
      const log = createLogger({ redactor, level: 'info', destination: { write: (l: string) => lines.push(JSON.parse(l) as Record<string, unknown>) } });
      daemon = new Daemon(loadConfig(file, { env: {} }), { log, redactor, queues: new HostQueues(), env: {} });
      http = await daemon.start();
    });
    afterAll(async () => {
      if (!stopped) await daemon?.stop();
    });

    it('exports at start-up, answers healthz, status and metrics', async () => {
      const health = await fetch(`${http.url}/healthz`);
      expect(health.status).toBe(200);
      await daemon.idle();
      const status = (await (await fetch(`${http.url}/status`)).json()) as { environments: { name: string; lastRun: { outcome: string; counts: { added: number } }; nextRun: string }[] };
      expect(status.environments[0]).toMatchObject({ name: 'dev', lastRun: { outcome: 'ok', counts: { added: 18 } } });
      expect(new Date(status.environments[0]!.nextRun).getUTCMonth()).toBe(0);
      const metrics = await (await fetch(`${http.url}/metrics`)).text();
      expect(metrics).toContain('tmlsync_runs_total{environment="dev",loop="export",outcome="ok"} 1');
      expect(metrics).toMatch(/tmlsync_api_calls_total\{endpoint="metadata\/tml\/export",result="ok"\} [1-9]/);
      expect(metrics).toMatch(/tmlsync_objects_total\{environment="dev",loop="export",kind="liveboard",outcome="added"\} 3/);
      expect(git(stage.server.pathOf(`daemon-${api}`), 'rev-list', '--count', 'dev')).toBe('2');
      expect(lines.find((l) => String(l.msg).startsWith('ThoughtSpot REST API'))).toMatchObject({ api });
      // Every line of the run carries its run id.
      const runId = (status.environments[0] as unknown as { lastRun: { runId: string } }).lastRun.runId;
      expect(lines.filter((l) => l.msg === 'export finished')[0]).toMatchObject({ runId });
      expect(JSON.stringify(lines)).not.toContain('"admin"');
    });

    it('runs a run asked for during a run right after it, once', async () => {
      daemon.request('dev', 'export', 'test');
      daemon.request('dev', 'export', 'test');
      expect(daemon.status()[0]).toMatchObject({ running: true, pending: true });
      await daemon.idle();
      expect(daemon.status()[0]).toMatchObject({ running: false, pending: false, lastRun: { outcome: 'ok', counts: { unchanged: 18 } } });
    });

    it('stops cleanly', async () => {
      stopped = true;
      await daemon.stop();
      await expect(fetch(`${http.url}/healthz`)).rejects.toThrow();
    });
  });

  it('lets a running export finish on stop, and tmlsync status reports it', async () => {
    const file = configFile(`graceful-${api}`, slow.url, '');
    const daemon = new Daemon(loadConfig(file, { env: {} }), { log: createLogger({ level: 'silent' }), redactor: new Redactor(), queues: new HostQueues(), env: {} });
    const http = await daemon.start();
    try {
      let out = '';
      const io = { stdout: { write: (t: string) => (out += t) }, stderr: { write: () => true }, env: {} };
      expect(await run(['status', '--url', http.url], io)).toBe(0);
      expect(out).toMatch(/^dev \[export → dev\]: running/);
      expect(daemon.status()[0]!.running).toBe(true);
    } finally {
      await daemon.stop();
    }
    expect(daemon.status()[0]).toMatchObject({ running: false, lastRun: { outcome: 'ok' } });
    expect(git(stage.server.pathOf(`graceful-${api}`), 'ls-tree', '-r', '--name-only', 'dev').split('\n').filter((f) => f.startsWith('tml/'))).toHaveLength(18);
  });
});

describe('the daemon, whatever the API version', () => {
  it('records a run that cannot log in as failed, with the error, and tells the webhooks under the same run id', async () => {
    const receiver = await startReceiver();
    const file = join(stage.work, 'refused.yaml');
    writeFileSync(
      file,
      `repository:\n  url: ${stage.server.createRepo('refused')}\nworkDir: ${join(stage.work, 'wd-refused')}\nserver:\n  port: 0\nnotifications:\n  - webhookUrl: \${HOOK}\n    format: json\n` +
        `environments:\n  dev:\n    url: ${stage.emulator.url}\n    username: tsadmin\n    password: \${P}\n    schedule: "0 0 1 1 *"\n`,
    );
    const env = { HOOK: `${receiver.url}/refused`, P: 'not-the-password' };
    const daemon = new Daemon(loadConfig(file, { env }), { log: createLogger({ level: 'silent' }), redactor: new Redactor(), queues: new HostQueues(), env });
    try {
      await daemon.start();
      await daemon.idle();
      const last = daemon.status()[0]!.lastRun!;
      expect(last).toMatchObject({ loop: 'export', outcome: 'failed', error: expect.stringMatching(/./), counts: { added: 0, failed: 0 } });
      expect(daemon.runs.get(last.runId)).toMatchObject({ status: 'failed', error: last.error, trigger: 'start' });
      expect(receiver.received.map((r) => r.body)).toEqual([expect.objectContaining({ events: ['runFailed'], runId: last.runId, environment: 'dev', outcome: 'failed', errors: [last.error] })]);
    } finally {
      await daemon.stop();
      await receiver.close();
    }
  });
});
