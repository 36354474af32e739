import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { Daemon } from '../../src/daemon/index.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { DEMO_GUIDS } from '../../src/emulator/seed/demo.js';
import { GitRepo } from '../../src/git/index.js';
import { createLogger, Redactor } from '../../src/log/index.js';
import { HostQueues, ThoughtSpotClient } from '../../src/thoughtspot/index.js';

/** The daemon on a sync environment whose remote is a path: pushes import at once, saves are validated. */
const work = mkdtempSync(join(tmpdir(), 'tmlsync-daemon-sync-'));
const remote = join(work, 'remote.git');
const clone = join(work, 'person');
const committer = { name: 'Person', email: 'person@example.com' };
const logs: { level: string; msg: string; file?: string; line?: number }[] = [];
let emulator: RunningEmulator;
let daemon: Daemon;
let person: GitRepo;

async function until(what: () => boolean, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!what() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  await daemon.idle();
}

const inThoughtSpot = (guid: string) => JSON.stringify(emulator.state.objects.get(guid)?.document);

beforeAll(async () => {
  emulator = await startEmulator();
  execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', remote]);
  person = await GitRepo.open(clone, { remoteUrl: remote, committer });
  const file = join(work, 'tmlsync.yaml');
  writeFileSync(
    file,
    `repository:\n  url: ${remote}\nworkDir: ${join(work, 'wd')}\nserver:\n  port: 0\nenvironments:\n  dev:\n    url: ${emulator.url}\n    username: tsadmin\n    password: \${P:-admin}\n    branch: dev\n    direction: sync\n    watch: ${clone}\n    schedule: "0 0 1 1 *"\n`,
  );
  const log = createLogger({ level: 'info', destination: { write: (line: string) => logs.push(JSON.parse(line) as (typeof logs)[number]) } });
  daemon = new Daemon(loadConfig(file, { env: {} }), { log, redactor: new Redactor(), queues: new HostQueues(), env: {} });
  await daemon.start();
  await daemon.idle();
});
afterAll(async () => {
  await daemon.stop();
  await emulator.close();
  rmSync(work, { recursive: true, force: true });
});

describe('the daemon on a sync environment', () => {
  it('exports at start, imports a push at once, and commits an edit made in ThoughtSpot', async () => {
    expect(daemon.status()[0]!.lastRun).toMatchObject({ loop: 'sync', outcome: 'ok' });
    await person.fetch();
    await person.checkout('dev');
    const path = execFileSync('git', ['-C', clone, 'ls-files', 'tml'], { encoding: 'utf8' }).split('\n').find((p) => p.includes(DEMO_GUIDS.worksheet))!;
    writeFileSync(join(clone, path), readFileSync(join(clone, path), 'utf8').replace('Sales with products, stores and customers (worksheet form).', 'Pushed by a person.'));
    await person.commitAll('edit the worksheet', committer);
    await person.push('dev');
    await until(() => inThoughtSpot(DEMO_GUIDS.worksheet).includes('Pushed by a person.'));
    expect(inThoughtSpot(DEMO_GUIDS.worksheet)).toContain('Pushed by a person.');

    const admin = new ThoughtSpotClient({ url: emulator.url, username: 'tsadmin', password: 'admin', env: {} });
    const [model] = await admin.exportTml([DEMO_GUIDS.model], { formatType: 'YAML', exportFqn: true, throwOnError: true });
    await admin.importTml([(model!.ok ? model!.edoc : '').replace('Retail sales as a model.', 'Edited in ThoughtSpot.')], { policy: 'ALL_OR_NONE', forceCreate: false, throwOnError: true });
    const run = daemon.request('dev', 'export', 'api')!;
    await until(() => daemon.runs.get(run.id)?.status !== 'queued' && daemon.runs.get(run.id)?.status !== 'running');
    expect(daemon.runs.get(run.id)).toMatchObject({ loop: 'sync', status: 'ok' });
    const modelPath = execFileSync('git', ['-C', remote, 'ls-tree', '-r', '--name-only', 'dev'], { encoding: 'utf8' }).split('\n').find((p) => p.includes(DEMO_GUIDS.model))!;
    expect(execFileSync('git', ['-C', remote, 'show', `dev:${modelPath}`], { encoding: 'utf8' })).toContain('Edited in ThoughtSpot.');
  });

  it('validates a TML file when it is saved, logging the problem with file and line', async () => {
    writeFileSync(join(clone, 'tml', 'broken.answer.tml'), 'guid: 0b0b0b0b-0000-4000-8000-000000000001\nanswer:\n  name: Broken\n  tables:\n  - name: no_such_table\n  search_query: "[x"\n  answer_columns: [\n');
    await until(() => logs.some((l) => l.file === 'tml/broken.answer.tml'), 10_000);
    const problem = logs.find((l) => l.file === 'tml/broken.answer.tml')!;
    expect(problem).toMatchObject({ level: 'error' });
    expect(problem.line).toBeGreaterThan(0);
    expect(problem.msg).toMatch(/invalid TML/);
  });

  it('shows a conflict in /status', async () => {
    await person.fetch();
    await person.checkout('dev');
    const path = execFileSync('git', ['-C', clone, 'ls-files', 'tml'], { encoding: 'utf8' }).split('\n').find((p) => p.includes(DEMO_GUIDS.model))!;
    writeFileSync(join(clone, path), readFileSync(join(clone, path), 'utf8').replace('Edited in ThoughtSpot.', 'Git side.'));
    const admin = new ThoughtSpotClient({ url: emulator.url, username: 'tsadmin', password: 'admin', env: {} });
    const [model] = await admin.exportTml([DEMO_GUIDS.model], { formatType: 'YAML', exportFqn: true, throwOnError: true });
    await admin.importTml([(model!.ok ? model!.edoc : '').replace('Edited in ThoughtSpot.', 'ThoughtSpot side.')], { policy: 'ALL_OR_NONE', forceCreate: false, throwOnError: true });
    await person.commitAll('edit the model', committer);
    await person.push('dev');
    await until(() => (daemon.status()[0]!.lastRun?.conflicts ?? []).length > 0);
    expect(daemon.status()[0]!.lastRun).toMatchObject({ loop: 'sync', conflicts: [{ kind: 'model', resolution: 'kept both' }], conflictsBranch: 'tmlsync/conflicts/dev' });
    expect(inThoughtSpot(DEMO_GUIDS.model)).toContain('ThoughtSpot side.');
  });
});
