import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { Daemon } from '../../src/daemon/index.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { DEMO_GUIDS } from '../../src/emulator/seed/demo.js';
import { GitRepo } from '../../src/git/index.js';
import { createLogger, Redactor } from '../../src/log/index.js';
import { HostQueues } from '../../src/thoughtspot/index.js';
import { API_VERSIONS, clientOf } from '../support/api.js';
import { createLocalRemote } from '../support/git-server.js';
import { describedAs, editInThoughtSpot, pushEdit } from '../support/edits.js';

/**
 * The daemon on a sync environment whose remote is a path: pushes import at once, saves are
 * validated. Both API versions share one demo emulator, one after the other, each with its own
 * remote and daemon; every edit sets a description of its own version, whatever the last one was.
 */
const work = mkdtempSync(join(tmpdir(), 'tmlsync-daemon-sync-'));
const committer = { name: 'Person', email: 'person@example.com' };
let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator.close();
  rmSync(work, { recursive: true, force: true });
});

const inThoughtSpot = (guid: string) => JSON.stringify(emulator.state.objects.get(guid)?.document);

describe.each(API_VERSIONS)('the daemon on a sync environment, over %s', (api) => {
  const remote = join(work, `remote-${api}.git`);
  const clone = join(work, `person-${api}`);
  const logs: { level: string; msg: string; file?: string; line?: number }[] = [];
  let daemon: Daemon;
  let person: GitRepo;

  async function until(what: () => boolean, ms = 15_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!what() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    await daemon.idle();
  }

  beforeAll(async () => {
    createLocalRemote(remote);
    person = await GitRepo.open(clone, { remoteUrl: remote, committer });
    const file = join(work, `tmlsync-${api}.yaml`);
    writeFileSync(
      file,
      `repository:\n  url: ${remote}\nworkDir: ${join(work, `wd-${api}`)}\nserver:\n  port: 0\nenvironments:\n  dev:\n    url: ${emulator.url}\n    api: ${api}\n    username: tsadmin\n    password: \${P:-admin}\n    branch: dev\n    direction: sync\n    watch: ${clone}\n    schedule: "0 0 1 1 *"\n`,
    );
    const log = createLogger({ level: 'info', destination: { write: (line: string) => logs.push(JSON.parse(line) as (typeof logs)[number]) } });
    daemon = new Daemon(loadConfig(file, { env: {} }), { log, redactor: new Redactor(), queues: new HostQueues(), env: {} });
    await daemon.start();
    await daemon.idle();
  }, 60_000);
  afterAll(async () => {
    await daemon?.stop();
  });

  // A push imported and an edit exported, two runs of the daemon: room, not timing, for a loaded machine.
  it('exports at start, imports a push at once, and commits an edit made in ThoughtSpot', { timeout: 60_000 }, async () => {
    expect(daemon.status()[0]).toMatchObject({ api, lastRun: { loop: 'sync', outcome: 'ok' } });
    await pushEdit(person, DEMO_GUIDS.worksheet, describedAs(`Pushed by a person over ${api}.`), committer);
    await until(() => inThoughtSpot(DEMO_GUIDS.worksheet).includes(`Pushed by a person over ${api}.`));
    expect(inThoughtSpot(DEMO_GUIDS.worksheet)).toContain(`Pushed by a person over ${api}.`);

    await editInThoughtSpot(clientOf(api, emulator.url), DEMO_GUIDS.model, describedAs(`Edited in ThoughtSpot over ${api}.`));
    const run = daemon.request('dev', 'export', 'api')!;
    await until(() => daemon.runs.get(run.id)?.status !== 'queued' && daemon.runs.get(run.id)?.status !== 'running');
    expect(daemon.runs.get(run.id)).toMatchObject({ loop: 'sync', status: 'ok' });
    const modelPath = execFileSync('git', ['-C', remote, 'ls-tree', '-r', '--name-only', 'dev'], { encoding: 'utf8' }).split('\n').find((p) => p.includes(DEMO_GUIDS.model))!;
    expect(execFileSync('git', ['-C', remote, 'show', `dev:${modelPath}`], { encoding: 'utf8' })).toContain(`Edited in ThoughtSpot over ${api}.`);
  });

  it('validates a TML file when it is saved, logging the problem with file and line', { timeout: 60_000 }, async () => {
    writeFileSync(join(clone, 'tml', 'broken.answer.tml'), 'guid: 0b0b0b0b-0000-4000-8000-000000000001\nanswer:\n  name: Broken\n  tables:\n  - name: no_such_table\n  search_query: "[x"\n  answer_columns: [\n');
    // It failed now and then, in either half: the save landed while the run the last push started was
    // in progress, and the watcher skipped every save during a run, of the person's folder too
    // (test/daemon/watch.test.ts). The last lines say what the daemon did meanwhile.
    await until(() => logs.some((l) => l.file === 'tml/broken.answer.tml'));
    const problem = logs.find((l) => l.file === 'tml/broken.answer.tml')!;
    expect(problem, JSON.stringify(logs.slice(-12))).toMatchObject({ level: 'error' });
    expect(problem.line).toBeGreaterThan(0);
    expect(problem.msg).toMatch(/invalid TML/);
  });

  it('shows a conflict in /status', async () => {
    // ThoughtSpot's edit first: the push is imported at once.
    await editInThoughtSpot(clientOf(api, emulator.url), DEMO_GUIDS.model, describedAs(`ThoughtSpot side over ${api}.`));
    await pushEdit(person, DEMO_GUIDS.model, describedAs(`Git side over ${api}.`), committer);
    await until(() => (daemon.status()[0]!.lastRun?.conflicts ?? []).length > 0);
    expect(daemon.status()[0]!.lastRun).toMatchObject({ loop: 'sync', conflicts: [{ kind: 'model', resolution: 'kept both' }], conflictsBranch: 'tmlsync/conflicts/dev' });
    expect(inThoughtSpot(DEMO_GUIDS.model)).toContain(`ThoughtSpot side over ${api}.`);
  });
});
