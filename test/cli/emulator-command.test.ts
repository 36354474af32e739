import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loginCookie } from '../emulator/raw-http.js';

const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'tmlsync-cli-emu-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('tmlsync emulator', () => {
  it('prints its URL once listening, serves logins, and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', main, 'emulator', '--port', '0', '--data-dir', dataDir, '--admin-password', 'cli-pass'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (match) resolve(match[1]!);
      });
      child.once('exit', () => reject(new Error(`emulator exited early: ${out}`)));
    });
    await loginCookie(url, 'tsadmin', 'cli-pass');
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
