import { afterEach, describe, expect, it, vi } from 'vitest';
import { startEmulator } from '../../src/emulator/index.js';
import { loginCookie, raw } from './raw-http.js';
import { ok, useV2Emulator, v2, v2Error, v2Token, type TokenAnswer } from './v2-http.js';

const SECRET = 'c0ffee00-trusted-secret';
const stage = useV2Emulator({ seed: 'none', trustedAuthSecret: SECRET });
afterEach(() => {
  vi.useRealTimers();
});

describe('v2 bearer tokens', () => {
  it('issues a token for a password, valid 300 seconds by default, for the Primary Org', async () => {
    const answer = await ok<TokenAnswer>(v2(stage.url, 'POST', 'auth/token/full', { username: 'tsadmin', password: 'admin' }));
    expect(answer.token).toMatch(/^[\w-]{40,}$/);
    expect(answer.expiration_time_in_millis - answer.creation_time_in_millis).toBe(300_000);
    expect(answer).toMatchObject({ valid_for_username: 'tsadmin', valid_for_user_id: stage.emulator.state.users.get('tsadmin')!.id, scope: { access_type: 'FULL', org_id: 0 } });
    const me = await ok<{ name: string; privileges: string[]; current_org: { id: number } }>(v2(stage.url, 'GET', 'auth/session/user', undefined, answer.token));
    expect(me).toMatchObject({ name: 'tsadmin', current_org: { id: 0 } });
    expect(me.privileges).toContain('ADMINISTRATION');
  });

  it('refuses a wrong password with 401 and the v2 error body', async () => {
    const res = await v2(stage.url, 'POST', 'auth/token/full', { username: 'tsadmin', password: 'nope' });
    expect(await v2Error(res)).toEqual({ status: 401, code: 10002, message: 'Invalid username or password' });
  });

  it('names a missing field, and an Org other than the Primary Org', async () => {
    expect(await v2Error(await v2(stage.url, 'POST', 'auth/token/full', { username: 'tsadmin' }))).toMatchObject({ status: 400, message: expect.stringContaining('password') });
    expect(await v2Error(await v2(stage.url, 'POST', 'auth/token/full', { username: 'tsadmin', password: 'admin', org_id: 7 }))).toMatchObject({ status: 400, message: expect.stringContaining('org_id') });
    expect((await v2(stage.url, 'POST', 'auth/token/full', { username: 'tsadmin', password: 'admin', org_id: 0 })).status).toBe(200);
  });

  it('answers 401 once a token has lived its validity_time_in_sec', async () => {
    const token = await v2Token(stage.url, 'tsadmin', 'admin', { validity_time_in_sec: 60 });
    expect((await v2(stage.url, 'GET', 'auth/session/user', undefined, token)).status).toBe(200);
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 61_000 });
    const res = await v2(stage.url, 'GET', 'auth/session/user', undefined, token);
    expect(res.status).toBe(401);
    expect((await v2Error(res)).message).toContain('expired');
  });

  it('revokes the token of the request, and every token of a user', async () => {
    const token = await v2Token(stage.url);
    expect((await v2(stage.url, 'POST', 'auth/token/revoke', {}, token)).status).toBe(204);
    expect((await v2(stage.url, 'GET', 'auth/session/user', undefined, token)).status).toBe(401);

    const first = await v2Token(stage.url);
    const second = await v2Token(stage.url);
    expect((await v2(stage.url, 'POST', 'auth/token/revoke', { user_identifier: 'tsadmin' }, first)).status).toBe(204);
    expect((await v2(stage.url, 'GET', 'auth/session/user', undefined, second)).status).toBe(401);
  });

  it('requires a token or a session on every other route', async () => {
    const res = await v2(stage.url, 'GET', 'system');
    expect(res.status).toBe(401);
    expect((await v2(stage.url, 'GET', 'system', undefined, 'forged')).status).toBe(401);
  });

  it('accepts a v1 session cookie on v2 routes and a v2 token on v1 routes: one user, one state', async () => {
    const cookie = await loginCookie(stage.url);
    expect((await v2(stage.url, 'GET', 'auth/session/user', undefined, undefined, { cookie })).status).toBe(200);
    const token = await v2Token(stage.url);
    expect((await raw(stage.url, 'GET', 'user/list', { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
  });

  it('issues a distinct token on each of many calls in a row, as clients that ask before every call do', async () => {
    const tokens = new Set<string>();
    for (let i = 0; i < 20; i += 1) tokens.add(await v2Token(stage.url));
    expect(tokens.size).toBe(20);
  });
});

describe('v2 trusted authentication', () => {
  it('issues a token for the secret_key without a password', async () => {
    const answer = await ok<TokenAnswer>(v2(stage.url, 'POST', 'auth/token/full', { username: 'tsadmin', secret_key: SECRET, validity_time_in_sec: 3600 }));
    expect(answer.expiration_time_in_millis - answer.creation_time_in_millis).toBe(3_600_000);
    expect((await v2(stage.url, 'GET', 'system', undefined, answer.token)).status).toBe(200);
  });

  it('refuses a wrong secret and an unknown user with 401, and creates the user just in time with auto_create', async () => {
    expect((await v2(stage.url, 'POST', 'auth/token/full', { username: 'tsadmin', secret_key: 'wrong' })).status).toBe(401);
    expect((await v2(stage.url, 'POST', 'auth/token/full', { username: 'jit.v2', secret_key: SECRET })).status).toBe(401);
    const res = await v2(stage.url, 'POST', 'auth/token/full', { username: 'jit.v2', secret_key: SECRET, auto_create: true, display_name: 'JIT Two', email: 'jit@example.com' });
    expect(res.status).toBe(200);
    expect(stage.emulator.state.users.get('jit.v2')).toMatchObject({ displayName: 'JIT Two', mail: 'jit@example.com', groupNames: ['All'] });
  });

  it('answers 500 when trusted authentication is not enabled', async () => {
    const plain = await startEmulator({ seed: 'none' });
    try {
      expect((await v2(plain.url, 'POST', 'auth/token/full', { username: 'tsadmin', secret_key: 'x' })).status).toBe(500);
    } finally {
      await plain.close();
    }
  });
});

describe('v2 instance', () => {
  it('describes the system with the well-known GUIDs, and lists only the Primary Org', async () => {
    const token = await v2Token(stage.url);
    const system = await ok<Record<string, unknown>>(v2(stage.url, 'GET', 'system', undefined, token));
    expect(system).toMatchObject({ api_version: 'v2', tsadmin_user_id: stage.emulator.state.users.get('tsadmin')!.id, all_user_group_id: stage.emulator.state.groups.get('All')!.id });
    expect(await ok(v2(stage.url, 'POST', 'orgs/search', {}, token))).toEqual([{ id: 0, name: 'Primary', status: 'ACTIVE', description: 'Primary Org', visibility: 'SHOW' }]);
    expect(await ok(v2(stage.url, 'POST', 'orgs/search', { org_identifier: 'Other' }, token))).toEqual([]);
  });
});
