import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { run, type CliIo } from '../../src/cli/index.js';
import { CLI_MAIN } from '../support/cli.js';

function memoryIo(env: NodeJS.ProcessEnv = {}) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) }, env };
  return { io, out: () => stdout, err: () => stderr };
}

describe('tmlsync CLI', () => {
  it('lists every command in --help and exits 0', async () => {
    const { io, out } = memoryIo();
    expect(await run(['--help'], io)).toBe(0);
    for (const command of ['emulator', 'export', 'plan', 'validate', 'deploy', 'sync', 'snapshot', 'rotate-password', 'demo', 'daemon', 'status', 'trigger']) {
      expect(out()).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    }
  });

  it('has --help on each command', async () => {
    const { io, out } = memoryIo();
    expect(await run(['plan', '--help'], io)).toBe(0);
    expect(out()).toContain('--format <format>');
    expect(out()).toContain('--ref <ref>');
  });

  it('exits 2 with a usage message on an unknown option', async () => {
    const { io, err } = memoryIo();
    expect(await run(['export', '--bogus'], io)).toBe(2);
    expect(err()).toContain("unknown option '--bogus'");
  });

  it('exits 2 on an invalid choice', async () => {
    const { io, err } = memoryIo();
    expect(await run(['plan', '--format', 'xml'], io)).toBe(2);
    expect(err()).toContain('xml');
  });

  it('exits 2 on a bad --log-level', async () => {
    const { io, err } = memoryIo();
    expect(await run(['--log-level', 'loud', 'export'], io)).toBe(2);
    expect(err()).toContain('--log-level');
  });

  it('prints a failure as a report on stdout under --format json, and the message on stderr', async () => {
    const { io, out, err } = memoryIo({ TS_PASSWORD: 'secret-password' });
    expect(await run(['export', '--config', 'no-such-dir/tmlsync.yaml', '--format', 'json'], io)).toBe(2);
    expect(err()).toMatch(/^error: .*no-such-dir\/tmlsync\.yaml/);
    expect(JSON.parse(out())).toEqual({ outcome: 'failed', exitCode: 2, error: expect.stringContaining('no-such-dir/tmlsync.yaml') as string });
    // Text output stays on stderr alone.
    const text = memoryIo();
    expect(await run(['export', '--config', 'no-such-dir/tmlsync.yaml'], text.io)).toBe(2);
    expect(text.out()).toBe('');
  });

  it('prints the version', async () => {
    const { io, out } = memoryIo();
    expect(await run(['--version'], io)).toBe(0);
    expect(out()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('runs the real binary: help on stdout, no stack trace on failure', async () => {
    const exec = promisify(execFile);
    const help = await exec(process.execPath, [CLI_MAIN, '--help']);
    expect(help.stdout).toContain('Usage: tmlsync');
    const failed = await exec(process.execPath, [CLI_MAIN, 'deploy', '--no-such-flag']).catch((e: unknown) => e as { code: number; stderr: string });
    expect(failed).toMatchObject({ code: 2 });
    expect((failed as { stderr: string }).stderr).not.toMatch(/\n\s+at /);
  });
});
