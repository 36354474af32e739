import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loginCookie, raw } from '../emulator/raw-http.js';

const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tmlsync-cli-emu-'));
  dirs.push(dir);
  return dir;
}

/** Starts the real binary and resolves with its URL once it prints `listening on`. */
async function start(args: string[]): Promise<{ child: ChildProcess; url: string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', main, 'emulator', '--port', '0', '--log-level', 'warn', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
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
  return { child, url, exited };
}

const tableDoc = (name: string) =>
  `table:\n  name: ${name}\n  db: D\n  schema: S\n  db_table: ${name}\n  connection:\n    name: Retail Warehouse\n  columns:\n  - name: id\n    db_column_name: id\n    properties:\n      column_type: ATTRIBUTE\n    db_column_properties:\n      data_type: INT64\n`;

describe('tmlsync emulator', () => {
  it('prints its URL once listening, serves logins, and exits 0 on SIGTERM', async () => {
    const { child, url, exited } = await start(['--data-dir', dataDir(), '--admin-password', 'cli-pass', '--seed', 'none']);
    await loginCookie(url, 'tsadmin', 'cli-pass');
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('keeps what was imported before a SIGTERM across a restart', async () => {
    const dir = dataDir();
    const first = await start(['--data-dir', dir]);
    const cookie = await loginCookie(first.url);
    const res = await raw(first.url, 'POST', 'metadata/tml/import', { cookie, form: { import_objects: JSON.stringify([tableDoc('kept_table')]) } });
    const id = ((await res.json()) as { object: { response: { header: { id_guid: string } } }[] }).object[0]!.response.header.id_guid;
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    const second = await start(['--data-dir', dir]);
    try {
      const headers = await raw(second.url, 'GET', 'metadata/listobjectheaders', { cookie: await loginCookie(second.url), query: { type: 'LOGICAL_TABLE', fetchids: JSON.stringify([id]) } });
      expect(((await headers.json()) as { name: string }[]).map((h) => h.name)).toEqual(['kept_table']);
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  });

  it('leaves the previous state readable when killed with SIGKILL during writes', async () => {
    const dir = dataDir();
    const first = await start(['--data-dir', dir]);
    const cookie = await loginCookie(first.url);
    const writes = Array.from({ length: 20 }, (_, i) =>
      raw(first.url, 'POST', 'metadata/tml/import', { cookie, form: { import_objects: JSON.stringify([tableDoc(`t_${i}`)]) } }).catch(() => undefined),
    );
    await writes[2];
    first.child.kill('SIGKILL');
    await first.exited;
    await Promise.all(writes);
    const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as { objects: unknown[] };
    expect(state.objects.length).toBeGreaterThanOrEqual(19);
    const second = await start(['--data-dir', dir]);
    await loginCookie(second.url);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });

  it('enables trusted authentication with --trusted-auth-secret: a token for the right key, 401 for a wrong one', async () => {
    const secret = 'f1a9-emulator-trusted-secret';
    const { child, url, exited } = await start(['--seed', 'none', '--trusted-auth-secret', secret]);
    try {
      const token = await raw(url, 'POST', 'session/auth/token', { headers: { Accept: 'text/plain' }, form: { secret_key: secret, username: 'tsadmin', access_level: 'FULL' } });
      expect(token.status).toBe(200);
      const login = await raw(url, 'POST', 'session/login/token', { form: { username: 'tsadmin', auth_token: await token.text(), no_url_redirection: 'true' } });
      expect(login.status).toBe(204);
      const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
      expect((await raw(url, 'GET', 'user/list', { cookie })).status).toBe(200);
      const wrong = await raw(url, 'POST', 'session/auth/token', { form: { secret_key: 'not-the-secret', username: 'tsadmin', access_level: 'FULL' } });
      expect(wrong.status).toBe(401);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });

  it('exits 2 naming a bad flag', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', main, 'emulator', '--drop-rate', '7'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(err).toContain('--drop-rate');
  });
});
