import { spawn as ptySpawn } from '@lydell/node-pty';
import { describe, expect, it } from 'vitest';
import { run, type CliIo } from '../../src/cli/index.js';
import { createLogger, logFormat, REDACTED, Redactor, detailLogger, type LogFormat } from '../../src/log/index.js';
import { CLI_MAIN } from '../support/cli.js';

/** Starting the CLI takes seconds on a loaded machine; this is no timing, only room. */
const SPAWN_TIMEOUT_MS = 90_000;
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[\d+m/g;

function logged(format: LogFormat, colour = false) {
  const lines: string[] = [];
  const redactor = new Redactor();
  redactor.add('hunter22-secret');
  const log = createLogger({ destination: { write: (l: string) => lines.push(l) }, format, colour, redactor, level: 'info' });
  return { lines, log };
}

describe('log format', () => {
  it('is readable on a terminal and JSON lines for anything else, unless asked', () => {
    expect(logFormat(undefined, true)).toBe('pretty');
    expect(logFormat(undefined, false)).toBe('json');
    expect(logFormat('json', true)).toBe('json');
    expect(logFormat('pretty', false)).toBe('pretty');
  });

  it('writes a readable line: time, level, environment, loop, run, message and the fields that matter', () => {
    const { lines, log } = logged('pretty');
    log.child({ environment: 'dev', loop: 'export', runId: '7e1b2fc8-1111-2222' }).info({ counts: { added: 18, updated: 0, failed: 0 }, commits: 2 }, 'export finished');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\[\d\d:\d\d:\d\d\] INFO: \[dev export 7e1b2fc8\] export finished added=18 commits=2\n$/);
  });

  it('colours the level only when asked', () => {
    const plain = logged('pretty');
    const coloured = logged('pretty', true);
    plain.log.warn('rate limited');
    coloured.log.warn('rate limited');
    expect(plain.lines[0]).not.toMatch(ANSI);
    expect(coloured.lines[0]).toMatch(ANSI);
    expect(coloured.lines[0]!.replace(ANSI, '')).toBe(plain.lines[0]);
  });

  it.each(['json', 'pretty'] as const)('scrubs secrets by key and by value in %s lines', (format) => {
    const { lines, log } = logged(format);
    log.warn({ password: 'plain-pw-1', url: 'https://x/?t=hunter22-secret', err: new Error('login with hunter22-secret failed') }, 'failed for hunter22-secret');
    const text = lines.join('');
    expect(text).not.toContain('hunter22-secret');
    expect(text).not.toContain('plain-pw-1');
    expect(text.split(REDACTED).length - 1).toBe(4);
    if (format === 'json') expect(JSON.parse(lines[0]!)).toMatchObject({ msg: `failed for ${REDACTED}`, password: REDACTED });
    else expect(lines[0]).toContain(`failed for ${REDACTED} password=${REDACTED}`);
  });

  it("keeps a step's info lines out of a run at info, and shows them at debug", () => {
    const { lines, log } = logged('json');
    detailLogger(log).info('export finished');
    detailLogger(log).warn('object not exported');
    log.level = 'debug';
    detailLogger(log).info('listed at debug');
    expect(lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['object not exported', 'listed at debug']);
  });
});

describe('tmlsync --log-format', () => {
  // The CLI as a person starts it: on a real pseudo-terminal (@lydell/node-pty, whose native
  // module comes prebuilt inside an npm package: nothing to compile). The other cases run it
  // in-process (a start costs about 1 s of CPU), its stderr a terminal or a pipe's stream.
  const failing = ['--log-level', 'debug', 'export', '--config', 'no-such-config.yaml'];
  /** The CLI in-process, its stderr a terminal or not (a pipe's stream has no isTTY); that main.ts hands it the real stderr is the pseudo-terminal case. */
  const runOn = async (args: string[], isTTY?: boolean) => {
    let stderr = '';
    const io: CliIo = { stdout: { write: () => true }, stderr: { write: (t: string) => (stderr += t), ...(isTTY === undefined ? {} : { isTTY }) }, env: { PATH: process.env.PATH } };
    const code = await run(args, io);
    return { code, stderr };
  };

  it('writes coloured readable lines on a pseudo-terminal', async () => {
    const terminal = ptySpawn(process.execPath, [CLI_MAIN, ...failing], { cols: 200, rows: 40, cwd: process.cwd(), env: { PATH: process.env.PATH, HOME: process.env.HOME, TERM: 'xterm-256color' } });
    let screen = '';
    terminal.onData((data) => (screen += data));
    const { exitCode } = await new Promise<{ exitCode: number }>((resolve) => terminal.onExit(resolve));
    expect(exitCode, screen).toBe(2);
    expect(screen).toMatch(ANSI);
    expect(screen.replace(ANSI, '')).toMatch(/^\[\d\d:\d\d:\d\d\] DEBUG: command failed error=".*no-such-config\.yaml.*"\r?$/m);
    expect(screen).not.toContain('{"level"');
  }, SPAWN_TIMEOUT_MS);

  it('writes JSON lines when stderr is a pipe', async () => {
    const result = await runOn(failing);
    expect(result.code).toBe(2);
    const line = result.stderr.split('\n').find((l) => l.startsWith('{'));
    expect(JSON.parse(line!)).toMatchObject({ level: 'debug', msg: 'command failed' });
  });

  it('writes coloured readable lines when stderr is a terminal, JSON with --log-format json, and pretty without colour on a pipe when asked', async () => {
    expect((await runOn(failing, true)).stderr).toMatch(ANSI);
    expect((await runOn(['--log-format', 'json', ...failing], true)).stderr.split('\n')[0]).toMatch(/^\{"level":"debug"/);
    const piped = (await runOn(['--log-format', 'pretty', ...failing], false)).stderr;
    expect(piped).toMatch(/^\[\d\d:\d\d:\d\d\] DEBUG: command failed error=".*no-such-config\.yaml.*"$/m);
    expect(piped).not.toMatch(ANSI);
    expect(piped).not.toContain('{"level"');
  });
});
