import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../src/emulator/index.js';
import { CLI_MAIN, cli } from '../support/cli.js';
import { loginCookie, raw } from '../emulator/raw-http.js';

// The real binary is started where the point is the process: its output, SIGTERM, SIGKILL. Each
// start costs about 1 s of CPU (2-3 s under tsx), so the file starts it twice (it used to start it seven
// times); a restart on a data dir loads it in-process, the code `tmlsync emulator` runs.
/** Room for a start-up on a loaded machine (over 15 s was seen in npm test, under tsx); no timing. */
const START_TIMEOUT_MS = 60_000;
const dirs: string[] = [];
const children: ChildProcess[] = [];
afterAll(() => {
  // A start that timed out leaves its process waiting for a signal.
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});
function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tmlsync-cli-emu-'));
  dirs.push(dir);
  return dir;
}

interface Started {
  child: ChildProcess;
  url: string;
  exited: Promise<number | null>;
}

/** Starts the real binary and resolves with its URL once it prints `listening on`. */
async function start(args: string[]): Promise<Started> {
  const child = spawn(process.execPath, [CLI_MAIN, 'emulator', '--port', '0', '--log-level', 'warn', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
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

/** The names of the tables with these ids, as a restarted emulator on `dataDir` lists them. */
async function tablesAfterRestart(dataDir: string, ids: string[], password: string): Promise<string[]> {
  const restarted = await startEmulator({ dataDir });
  try {
    const headers = await raw(restarted.url, 'GET', 'metadata/listobjectheaders', { cookie: await loginCookie(restarted.url, 'tsadmin', password), query: { type: 'LOGICAL_TABLE', fetchids: JSON.stringify(ids) } });
    return ((await headers.json()) as { name: string }[]).map((h) => h.name);
  } finally {
    await restarted.close();
  }
}

const tableDoc = (name: string) =>
  `table:\n  name: ${name}\n  db: D\n  schema: S\n  db_table: ${name}\n  connection:\n    name: Retail Warehouse\n  columns:\n  - name: id\n    db_column_name: id\n    properties:\n      column_type: ATTRIBUTE\n    db_column_properties:\n      data_type: INT64\n`;

// One process, from start to SIGTERM: the cases run in order on it.
describe('tmlsync emulator, started with a data dir, an admin password and a trusted-authentication secret', () => {
  const dir = dataDir();
  const secret = 'f1a9-emulator-trusted-secret';
  let emulator: Started;
  beforeAll(async () => {
    emulator = await start(['--data-dir', dir, '--admin-password', 'cli-pass', '--trusted-auth-secret', secret]);
  }, START_TIMEOUT_MS);
  afterAll(async () => {
    emulator?.child.kill('SIGTERM');
    await emulator?.exited;
  });

  it('prints its URL once listening and serves logins with the admin password', async () => {
    await loginCookie(emulator.url, 'tsadmin', 'cli-pass');
  });

  it('enables trusted authentication with --trusted-auth-secret: a token for the right key, 401 for a wrong one', async () => {
    const { url } = emulator;
    const token = await raw(url, 'POST', 'session/auth/token', { headers: { Accept: 'text/plain' }, form: { secret_key: secret, username: 'tsadmin', access_level: 'FULL' } });
    expect(token.status).toBe(200);
    const login = await raw(url, 'POST', 'session/login/token', { form: { username: 'tsadmin', auth_token: await token.text(), no_url_redirection: 'true' } });
    expect(login.status).toBe(204);
    const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    expect((await raw(url, 'GET', 'user/list', { cookie })).status).toBe(200);
    const wrong = await raw(url, 'POST', 'session/auth/token', { form: { secret_key: 'not-the-secret', username: 'tsadmin', access_level: 'FULL' } });
    expect(wrong.status).toBe(401);
  });

  it('exits 0 on SIGTERM and keeps what was imported before it across a restart', async () => {
    const cookie = await loginCookie(emulator.url, 'tsadmin', 'cli-pass');
    const res = await raw(emulator.url, 'POST', 'metadata/tml/import', { cookie, form: { import_objects: JSON.stringify([tableDoc('kept_table')]) } });
    const id = ((await res.json()) as { object: { response: { header: { id_guid: string } } }[] }).object[0]!.response.header.id_guid;
    emulator.child.kill('SIGTERM');
    expect(await emulator.exited).toBe(0);
    expect(await tablesAfterRestart(dir, [id], 'cli-pass')).toEqual(['kept_table']);
  });
});

describe('tmlsync emulator, killed with SIGKILL during writes', () => {
  const dir = dataDir();
  let emulator: Started;
  beforeAll(async () => {
    emulator = await start(['--data-dir', dir]);
  }, START_TIMEOUT_MS);

  it('leaves the previous state readable', async () => {
    const cookie = await loginCookie(emulator.url);
    const writes = Array.from({ length: 20 }, (_, i) =>
      raw(emulator.url, 'POST', 'metadata/tml/import', { cookie, form: { import_objects: JSON.stringify([tableDoc(`t_${i}`)]) } }).catch(() => undefined),
    );
    await writes[2];
    emulator.child.kill('SIGKILL');
    await emulator.exited;
    await Promise.all(writes);
    // The demo seed's 18 objects and at least one write.
    const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as { objects: unknown[] };
    expect(state.objects.length).toBeGreaterThanOrEqual(19);
    // Readable: an emulator starts on it, and logs in.
    const restarted = await startEmulator({ dataDir: dir });
    await loginCookie(restarted.url).finally(() => restarted.close());
  });
});

describe('tmlsync emulator, with a bad flag', () => {
  it('exits 2 naming it', async () => {
    const result = await cli(['emulator', '--drop-rate', '7']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--drop-rate');
  });
});
