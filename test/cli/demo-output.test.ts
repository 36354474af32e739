import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { freePort } from '../support/net.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI_MAIN } from '../support/cli.js';

const work = mkdtempSync(join(tmpdir(), 'tmlsync-demo-out-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));


describe('npm start at a terminal (tmlsync demo, readable logs)', () => {
  it('shows the banner and one readable line per run, without the emulator\'s request log', async () => {
    const [tsPort, daemonPort] = [await freePort(), await freePort()];
    const config = readFileSync(new URL('../../config/default.yaml', import.meta.url), 'utf8')
      .replace('url: .demo/remote.git', `url: ${join(work, 'remote.git')}`)
      .replace('workDir: .demo/work', `workDir: ${join(work, 'wd')}`)
      .replace('port: 8787', `port: ${daemonPort}`)
      .replace('http://127.0.0.1:4000', `http://127.0.0.1:${tsPort}`)
      .replace(/^ {4}api: auto\b/m, '    api: v1');
    writeFileSync(join(work, 'default.yaml'), config);
    // --log-format pretty stands for the terminal npm start runs in (the decision itself: test/log/format.test.ts).
    const child = spawn(process.execPath, [CLI_MAIN, '--log-format', 'pretty', 'demo', '--config', join(work, 'default.yaml'), '--data-dir', join(work, 'emulator')], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
    });
    // Listened for at once: a demo that stops early (a bad configuration) ends the wait, never hangs it.
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    let [stdout, stderr] = ['', ''];
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const runs = new Promise<void>((resolve) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if ((stderr.match(/sync finished/g) ?? []).length >= 2) resolve();
      });
      void exited.then(() => resolve());
    });
    await runs;
    child.kill('SIGTERM');
    // npm start's own process: Ctrl-C's SIGTERM ends it cleanly (the loop itself: test/cli/demo-command.test.ts).
    expect(await exited).toBe(0);

    expect(stdout).toContain('tmlsync demo is running.');
    expect(stdout).toMatch(/^ {2}status page: +http:\/\/127\.0\.0\.1:\d+\/ {2}\(JSON for scripts: http:\/\/127\.0\.0\.1:\d+\/status\)$/m);
    const lines = stderr.trim().split('\n');
    for (const line of lines) expect(line).toMatch(/^\[\d\d:\d\d:\d\d\] (INFO|WARN): /);
    expect(stderr).not.toMatch(/INFO: \[emulator\] request/);
    const perRun = new Map<string, string[]>();
    for (const line of lines) {
      const run = /\[dev (?:sync|export|deploy) ([0-9a-f]{8})\]/.exec(line)?.[1];
      if (run) perRun.set(run, [...(perRun.get(run) ?? []), line]);
    }
    expect(perRun.size).toBeGreaterThanOrEqual(2);
    for (const [, runLines] of perRun) expect(runLines).toEqual([expect.stringMatching(/INFO: \[dev sync [0-9a-f]{8}\] sync finished (added|unchanged)=18 conflicts=0 commits=\d+$/)]);
  }, 120_000);
});
