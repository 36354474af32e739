import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, type CliIo } from '../../src/cli/index.js';
import { loadConfig } from '../../src/config/index.js';
import { Daemon } from '../../src/daemon/index.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { createLogger, Redactor } from '../../src/log/index.js';
import { HostQueues } from '../../src/thoughtspot/index.js';
import { API_VERSIONS, clientOf } from '../support/api.js';
import { createLocalRemote } from '../support/git-server.js';

// Both API versions share one dev emulator (read only: exports) and one prod emulator, where each deploys into an Org of its own.
const work = mkdtempSync(join(tmpdir(), 'tmlsync-watch-'));
let dev: RunningEmulator;
let prod: RunningEmulator;
beforeAll(async () => {
  [dev, prod] = await Promise.all([startEmulator(), startEmulator({ seed: 'none' })]);
});
afterAll(async () => {
  await Promise.all([dev.close(), prod.close()]);
  rmSync(work, { recursive: true, force: true });
});

describe.each(API_VERSIONS)('a remote on this machine, over %s', (api) => {
  it('starts a deploy as soon as its branch is pushed, without polling', async () => {
    const org = prod.instance.createOrg(`Prod ${api}`);
    let daemon: Daemon | undefined;
    try {
      await clientOf('v1', prod.url, { org: org.org.name }).importTml(
        ['connection:\n  name: Retail Warehouse\n  type: RDBMS_SNOWFLAKE\n  authentication_type: SERVICE_ACCOUNT\n  properties: []\n'],
        { policy: 'PARTIAL', forceCreate: false, throwOnError: true },
      );
      const remote = join(work, `remote-${api}.git`);
      createLocalRemote(remote);
      // The daemon runs prod only, the export of dev is the command's: with dev in the daemon's
      // configuration too, its start-up export made the command's a second, empty run.
      const common = `repository:\n  url: ${remote}\nworkDir: ${join(work, `wd-${api}`)}\nserver:\n  port: 0\nenvironments:\n`;
      const account = `    username: tsadmin\n    password: \${P:-admin}\n    api: ${api}\n    schedule: "0 0 1 1 *"\n`;
      const file = join(work, `tmlsync-${api}.yaml`);
      writeFileSync(file, `${common}  dev:\n    url: ${dev.url}\n${account}    branch: dev\n`);
      const daemonFile = join(work, `tmlsync-daemon-${api}.yaml`);
      writeFileSync(daemonFile, `${common}  prod:\n    url: ${prod.url}\n${account}    org: ${org.org.name}\n    branch: main\n    direction: deploy\n`);
      const io: CliIo = { stdout: { write: () => true }, stderr: { write: () => true }, env: { PATH: process.env.PATH, HOME: process.env.HOME } };
      daemon = new Daemon(loadConfig(daemonFile, { env: {} }), { log: createLogger({ level: 'silent' }), redactor: new Redactor(), queues: new HostQueues(), env: {} });
      await daemon.start();
      await daemon.idle();
      expect(org.objects.size).toBe(1);
      expect(await run(['--log-level', 'silent', 'export', '--config', file, '--env', 'dev'], io)).toBe(0);
      // "Merging" dev into main: a ref update in the remote, as a push makes.
      execFileSync('git', ['-C', remote, 'update-ref', 'refs/heads/main', 'refs/heads/dev']);
      const deadline = Date.now() + 15_000;
      while (org.objects.size < 18 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      await daemon.idle();
      expect(org.objects.size).toBe(18);
      expect(daemon.status().find((s) => s.name === 'prod')!.lastRun).toMatchObject({ loop: 'deploy', outcome: 'ok' });
      expect(daemon.status().find((s) => s.name === 'prod')!.api).toBe(api);
    } finally {
      await daemon?.stop();
    }
  });
});

// The watcher reads files and calls no API: one version is enough.
describe('a folder of TML files watched beside the runs', () => {
  it('checks a file saved while a run is in progress', { timeout: 45_000 }, async () => {
    // Every call answered 300 ms late: the start-up run is still in progress when the file is saved.
    const slow = await startEmulator({ latencyMs: 300 });
    const logs: { level: string; msg: string; file?: string }[] = [];
    const folder = join(work, 'saves');
    mkdirSync(join(folder, 'tml'), { recursive: true });
    const remote = createLocalRemote(join(work, 'remote-saves.git'));
    const file = join(work, 'tmlsync-saves.yaml');
    writeFileSync(file, `repository:\n  url: ${remote}\nworkDir: ${join(work, 'wd-saves')}\nserver:\n  port: 0\nenvironments:\n  dev:\n    url: ${slow.url}\n    username: tsadmin\n    password: \${P:-admin}\n    branch: dev\n    direction: sync\n    watch: ${folder}\n    schedule: "0 0 1 1 *"\n`);
    const log = createLogger({ level: 'info', destination: { write: (line: string) => logs.push(JSON.parse(line) as (typeof logs)[number]) } });
    /** Waits, at most 15 s, for a log line; the assertions after it say what was missing. */
    const logged = async (line: (l: (typeof logs)[number]) => boolean) => {
      for (const deadline = Date.now() + 15_000; !logs.some(line) && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 20));
    };
    const daemon = new Daemon(loadConfig(file, { env: {} }), { log, redactor: new Redactor(), queues: new HostQueues(), env: {} });
    try {
      await daemon.start();
      await logged((l) => l.msg === 'validating TML files as they are saved');
      expect(daemon.status()[0]!.running).toBe(true);
      writeFileSync(join(folder, 'tml', 'broken.answer.tml'), 'guid: 0b0b0b0b-0000-4000-8000-000000000002\nanswer:\n  name: Broken\n  answer_columns: [\n');
      await logged((l) => l.file === 'tml/broken.answer.tml');
      expect(logs.find((l) => l.file === 'tml/broken.answer.tml'), JSON.stringify(logs.slice(-8))).toMatchObject({ level: 'error', msg: expect.stringMatching(/invalid TML/) });
      // Checked during the run, not after it.
      expect(daemon.status()[0]!.running).toBe(true);
    } finally {
      await daemon.stop();
      await slow.close();
    }
  });
});
