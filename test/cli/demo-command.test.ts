import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { freePort } from '../support/net.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run, type CliIo } from '../../src/cli/index.js';
import { DEMO_GUIDS } from '../../src/emulator/seed/demo.js';
import { GitRepo } from '../../src/git/index.js';
import { API_VERSIONS, clientOf } from '../support/api.js';

// `tmlsync demo` runs in-process, stopped by the SIGTERM it waits for (emitted on this process,
// whose workers listen for none). npm start as its own process, at a terminal, is
// test/cli/demo-output.test.ts: a start costs about 1 s of CPU, and one is enough.
const work = mkdtempSync(join(tmpdir(), 'tmlsync-demo-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));


async function until<T>(what: () => T | undefined | false, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = what();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** `tmlsync demo` in-process, its stdout and logs captured; `stop` ends it as Ctrl-C does and resolves with its exit code. */
function startDemo(args: string[]): { out: () => string; logged: () => string; stop: () => Promise<number> } {
  let [out, logged] = ['', ''];
  const io: CliIo = { stdout: { write: (t: string) => (out += t) }, stderr: { write: (t: string) => (logged += t) }, env: { PATH: process.env.PATH, HOME: process.env.HOME } };
  const exited = run(args, io);
  const stop = async () => {
    // It listens for SIGTERM once it says it is running: a demo still starting would miss the signal and stay up in this worker.
    await Promise.race([exited, until(() => out.includes('tmlsync demo is running'))]).catch(() => undefined);
    process.emit('SIGTERM', 'SIGTERM');
    return exited;
  };
  return { out: () => out, logged: () => logged, stop };
}

const branchFile = (remote: string, guid: string) => {
  try {
    const path = execFileSync('git', ['-C', remote, 'ls-tree', '-r', '--name-only', 'dev'], { encoding: 'utf8' }).split('\n').find((p) => p.includes(guid));
    return path ? execFileSync('git', ['-C', remote, 'show', `dev:${path}`], { encoding: 'utf8' }) : undefined;
  } catch {
    return undefined;
  }
};

describe.each(API_VERSIONS)('tmlsync demo on config/default.yaml (npm start\'s command, in-process), over %s', (api) => {
  // Its waits on the daemon are bounded by their own windows (20 s, 20 s, 30 s); the default 20 s for the whole test is not enough on a loaded machine (measured 32 s over v1, 38 s over v2 at a load average of 24 on 2 cores).
  it('runs the whole loop: first export, a push imported, an edit in ThoughtSpot committed', { timeout: 90_000 }, async () => {
    const [tsPort, daemonPort] = [await freePort(), await freePort()];
    const remote = join(work, `remote-${api}.git`);
    // The shipped configuration, moved to free ports and a temporary folder.
    const config = readFileSync(new URL('../../config/default.yaml', import.meta.url), 'utf8')
      .replace('url: .demo/remote.git', `url: ${remote}`)
      .replace('workDir: .demo/work', `workDir: ${join(work, `wd-${api}`)}`)
      .replace('port: 8787', `port: ${daemonPort}`)
      .replace('http://127.0.0.1:4000', `http://127.0.0.1:${tsPort}`)
      // The shipped `api: auto` speaks v2 to the embedded emulator; v1 is the same loop on an instance without v2.
      .replace(/^ {4}api: auto\b/m, `    api: ${api}`);
    expect(config).toMatch(new RegExp(`^ {4}api: ${api}\\b`, 'm'));
    writeFileSync(join(work, `default-${api}.yaml`), config);
    let exitCode: number;
    const demo = startDemo(['demo', '--config', join(work, `default-${api}.yaml`), '--data-dir', join(work, `emulator-${api}`), '--log-level', 'warn']);
    try {
      await until(() => demo.out().includes('tmlsync demo is running'));
      expect(demo.out()).toContain(`git clone -b dev ${remote} tml`);
      expect(demo.out()).toContain('npm run demo:edit');
      await until(() => branchFile(remote, DEMO_GUIDS.worksheet));

      // git → ThoughtSpot: a person's push is imported within seconds.
      const committer = { name: 'Person', email: 'person@example.com' };
      const person = await GitRepo.open(join(work, `person-${api}`), { remoteUrl: remote, committer });
      await person.fetch();
      await person.checkout('dev');
      const path = execFileSync('git', ['-C', person.dir, 'ls-files', 'tml'], { encoding: 'utf8' }).split('\n').find((p) => p.includes(DEMO_GUIDS.worksheet))!;
      writeFileSync(join(person.dir, path), readFileSync(join(person.dir, path), 'utf8').replace(/^ {2}description: .*$/m, '  description: Edited in git'));
      await person.commitAll('Describe the worksheet', committer);
      await person.push('dev');
      const client = clientOf(api, `http://127.0.0.1:${tsPort}`);
      const worksheetText = async () => {
        const [item] = await client.exportTml([DEMO_GUIDS.worksheet], { formatType: 'YAML' });
        return item?.ok ? item.edoc : '';
      };
      const deadline = Date.now() + 20_000;
      while (!(await worksheetText()).includes('Edited in git') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await worksheetText()).toContain('description: Edited in git');

      // ThoughtSpot → git: an edit through the API comes back as a commit on the next scheduled run.
      const [model] = await client.exportTml([DEMO_GUIDS.model], { formatType: 'YAML', exportFqn: true, throwOnError: true });
      await client.importTml([(model!.ok ? model!.edoc : '').replace(/^ {2}description: .*$/m, '  description: Edited in ThoughtSpot')], { policy: 'ALL_OR_NONE', forceCreate: false, throwOnError: true });
      const committed = await until(() => branchFile(remote, DEMO_GUIDS.model)?.includes('description: Edited in ThoughtSpot'), 30_000);
      expect(committed).toBe(true);
      // The pushed worksheet, exported back after its import, is what was pushed (no drift warning at --log-level warn).
      expect(demo.logged()).not.toContain('differs when exported back');
      await client.logout();
    } finally {
      exitCode = await demo.stop();
    }
    expect(exitCode).toBe(0);
  });
});
