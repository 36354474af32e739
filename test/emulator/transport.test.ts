import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/index.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { loginCookie, raw } from './raw-http.js';

let emulator: RunningEmulator;
let cookie: string;
const logLines: Record<string, unknown>[] = [];

beforeAll(async () => {
  const logger = createLogger({ destination: { write: (l: string) => logLines.push(JSON.parse(l) as Record<string, unknown>) } });
  emulator = await startEmulator({ logger, maxBodyBytes: 64 * 1024, trustedAuthSecret: 'b1f5c1e4-trusted-secret' });
  cookie = await loginCookie(emulator.url);
});
afterAll(() => emulator.close());

describe('emulator transport', () => {
  it('logs in with form fields: 204, JSESSIONID and clientId cookies, HttpOnly, not Secure over http', async () => {
    const res = await raw(emulator.url, 'POST', 'session/login', { form: { username: 'tsadmin', password: 'admin' } });
    expect(res.status).toBe(204);
    const cookies = res.headers.getSetCookie();
    expect(cookies.find((c) => c.startsWith('JSESSIONID='))).toMatch(/Path=\/; HttpOnly/);
    expect(cookies.find((c) => c.startsWith('clientId='))).toBeDefined();
    expect(cookies.join()).not.toContain('Secure');
    expect(res.headers.get('x-callosum-incident-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses wrong credentials with 401 and the v1 error body', async () => {
    const res = await raw(emulator.url, 'POST', 'session/login', { form: { username: 'tsadmin', password: 'nope' } });
    expect(res.status).toBe(401);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ code: 10002 });
    expect(body.incident_id_guid).toBe(res.headers.get('x-callosum-incident-id'));
    expect(JSON.parse(body.debug as string)).toEqual(['Invalid username or password']);
  });

  it('requires a session everywhere but the login calls', async () => {
    const res = await raw(emulator.url, 'GET', 'user/list');
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 10002 });
  });

  it('rejects a request without X-Requested-By', async () => {
    const res = await fetch(new URL('/callosum/v1/tspublic/v1/user/list', emulator.url), { headers: { cookie } });
    expect(res.status).toBe(400);
    expect(JSON.parse(((await res.json()) as { debug: string }).debug)[0]).toContain('X-Requested-By');
  });

  it('answers 404 for unknown endpoints and 405 for a wrong method', async () => {
    expect((await raw(emulator.url, 'GET', 'no/such/thing', { cookie })).status).toBe(404);
    expect((await raw(emulator.url, 'GET', 'session/login')).status).toBe(405);
  });

  it('answers 413 to an oversized body, and keeps serving', async () => {
    const res = await raw(emulator.url, 'POST', 'session/login', { form: { username: 'tsadmin', password: 'x'.repeat(100 * 1024) } });
    expect(res.status).toBe(413);
    expect((await raw(emulator.url, 'GET', 'user/list', { cookie })).status).toBe(200);
  });

  it('answers 415 when a multipart endpoint gets a urlencoded body', async () => {
    const res = await raw(emulator.url, 'POST', 'group/addprivilege', { cookie, form: { privilege: 'DATAMANAGEMENT', groupNames: '["All"]' } });
    expect(res.status).toBe(415);
  });

  it('accepts the v1 session through Authorization: Bearer', async () => {
    const sessionId = /JSESSIONID=([^;]+)/.exec(cookie)![1]!;
    const res = await raw(emulator.url, 'GET', 'user/list', { headers: { authorization: `Bearer ${sessionId}` } });
    expect(res.status).toBe(200);
  });

  it('needs no Accept-Language and no content type on query-only POSTs', async () => {
    const res = await fetch(new URL('/callosum/v1/tspublic/v1/session/logout', emulator.url), {
      method: 'POST',
      headers: { 'X-Requested-By': 'ThoughtSpot', cookie: await loginCookie(emulator.url) },
    });
    expect(res.status).toBe(204);
  });

  it('writes one JSON log line per request with method, path, status and duration', () => {
    const requests = logLines.filter((l) => l.msg === 'request');
    expect(requests.length).toBeGreaterThan(5);
    expect(requests).toContainEqual(expect.objectContaining({ method: 'GET', path: '/callosum/v1/tspublic/v1/user/list', status: 401 }));
    expect(typeof requests[0]!.durationMs).toBe('number');
    expect(JSON.stringify(logLines)).not.toContain('admin"');
  });

  it('logs out: the old session is refused afterwards', async () => {
    const own = await loginCookie(emulator.url);
    expect((await raw(emulator.url, 'POST', 'session/logout', { cookie: own })).status).toBe(204);
    expect((await raw(emulator.url, 'GET', 'user/list', { cookie: own })).status).toBe(401);
  });
});

describe('trusted authentication', () => {
  const token = (form: Record<string, string>) => raw(emulator.url, 'POST', 'session/auth/token', { form, headers: { Accept: 'text/plain' } });

  it('issues a plain-text token for the right secret and logs in with it (204 with no_url_redirection)', async () => {
    const res = await token({ secret_key: 'b1f5c1e4-trusted-secret', username: 'tsadmin', access_level: 'FULL' });
    expect(res.status).toBe(200);
    const value = await res.text();
    expect(value).toMatch(/^[\w-]{40,}$/);
    const login = await raw(emulator.url, 'POST', 'session/login/token', { form: { username: 'tsadmin', auth_token: value, no_url_redirection: 'true' } });
    expect(login.status).toBe(204);
    const session = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    expect((await raw(emulator.url, 'GET', 'user/list', { cookie: session })).status).toBe(200);
  });

  it('redirects to redirect_url without no_url_redirection', async () => {
    const value = await (await token({ secret_key: 'b1f5c1e4-trusted-secret', username: 'tsadmin', access_level: 'FULL' })).text();
    const login = await raw(emulator.url, 'POST', 'session/login/token', { form: { username: 'tsadmin', auth_token: value, redirect_url: 'http://127.0.0.1/app' } });
    expect(login.status).toBe(302);
    expect(login.headers.get('location')).toBe('http://127.0.0.1/app');
  });

  it('refuses a wrong secret (401), an unknown user (401) and a forged token (401)', async () => {
    expect((await token({ secret_key: 'wrong', username: 'tsadmin', access_level: 'FULL' })).status).toBe(401);
    expect((await token({ secret_key: 'b1f5c1e4-trusted-secret', username: 'nobody', access_level: 'FULL' })).status).toBe(401);
    const forged = await raw(emulator.url, 'POST', 'session/login/token', { form: { username: 'tsadmin', auth_token: 'forged', no_url_redirection: 'true' } });
    expect(forged.status).toBe(401);
  });

  it('creates the user just in time with autocreate', async () => {
    const res = await token({ secret_key: 'b1f5c1e4-trusted-secret', username: 'jit.user', access_level: 'FULL', autocreate: 'true', groups: '["All"]' });
    expect(res.status).toBe(200);
    expect(emulator.state.users.get('jit.user')?.groupNames).toEqual(['All']);
  });

  it('answers 500 when trusted authentication is not enabled', async () => {
    const plain = await startEmulator();
    try {
      const res = await raw(plain.url, 'POST', 'session/auth/token', { form: { secret_key: 'x', username: 'tsadmin', access_level: 'FULL' } });
      expect(res.status).toBe(500);
    } finally {
      await plain.close();
    }
  });
});

describe('persistence', () => {
  it('keeps state written before a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tmlsync-emu-'));
    try {
      const first = await startEmulator({ dataDir, adminPassword: 'first-pass' });
      const c = await loginCookie(first.url, 'tsadmin', 'first-pass');
      const form = new FormData();
      form.append('principals', new Blob([JSON.stringify([{ name: 'Analysts', principalTypeEnum: 'LOCAL_GROUP' }])], { type: 'application/json' }), 'principals.json');
      form.append('applyChanges', 'true');
      form.append('removeDeleted', 'false');
      expect((await raw(first.url, 'POST', 'user/sync', { cookie: c, multipart: form })).status).toBe(200);
      await first.close();
      const second = await startEmulator({ dataDir, adminPassword: 'ignored-now' });
      try {
        expect(second.state.groups.has('Analysts')).toBe(true);
        await loginCookie(second.url, 'tsadmin', 'first-pass');
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
