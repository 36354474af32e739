import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger, REDACTED, Redactor } from '../../src/log/index.js';
import { HostQueues, ThoughtSpotApiError } from '../../src/thoughtspot/index.js';
import { useHttpMock } from '../http-mock.js';
import { BASE, expectV2Headers, jsonBody, mockToken, PASSWORD, testClient, testV2Client, v2at, v2Error } from './fixture.js';

const http = useHttpMock();

const EXPIRED = v2Error(10002, 'Token expired', 'inc-401');

/** Each request as `endpoint token`, the token from its Authorization header. */
function calls(): string[] {
  return http.requests.map((request) => `${request.pathname.replace(v2at(''), '')} ${request.headers.authorization?.replace('Bearer ', '') ?? '-'}`);
}

describe('ThoughtSpot v2 bearer token', () => {
  it('gets a token once, lazily, with username, password and validity, and sends it on every call', async () => {
    const ts = http.scope(BASE);
    mockToken(ts);
    ts.post(v2at('users/search')).times(2).reply(200, []);
    // The two calls' groups/search is one read, shared while in flight (v2 client, #allGroups).
    ts.post(v2at('groups/search')).reply(200, []);
    const client = testV2Client();
    expect(http.requests).toHaveLength(0);
    await Promise.all([client.listUsers(), client.listUsers()]);
    const [token, ...rest] = http.requests;
    expect(token).toMatchObject({ method: 'POST', pathname: v2at('auth/token/full') });
    expectV2Headers(token, undefined);
    expect(jsonBody(token)).toEqual({ username: 'tsadmin', password: PASSWORD, validity_time_in_sec: 1800 });
    expect(rest).toHaveLength(3);
    for (const request of rest) expectV2Headers(request, 'token-1');
  });

  it('trusted authentication: the secret key for the trusted user, in the configured org, never the password', async () => {
    const ts = http.scope(BASE);
    mockToken(ts);
    ts.get(v2at('auth/session/user')).reply(200, { id: 'u-1', name: 'deployer', display_name: 'Deployer', visibility: 'SHARABLE' });
    const client = testV2Client({ password: PASSWORD, secretKey: 'b1f5c1e4-secret', trustedAuthUser: 'deployer', orgId: 7, tokenValiditySec: 600 });
    expect(await client.currentUser()).toMatchObject({ name: 'deployer' });
    expect(jsonBody(http.requests[0])).toEqual({ username: 'deployer', secret_key: 'b1f5c1e4-secret', validity_time_in_sec: 600, org_id: 7 });
  });

  it('keeps no cookies: a session cookie the server sets is never sent back, the token alone authenticates', async () => {
    const ts = http.scope(BASE);
    ts.post(v2at('auth/token/full')).reply(
      200,
      { token: 'token-1', creation_time_in_millis: 1, expiration_time_in_millis: 1_800_001, valid_for_user_id: 'u-1', valid_for_username: 'tsadmin' },
      { 'set-cookie': 'JSESSIONID=cookie-session; Path=/; HttpOnly' },
    );
    ts.get(v2at('system')).reply(200, {});
    await testV2Client().systemInfo();
    expectV2Headers(http.requests[1], 'token-1', undefined, false);
  });

  it('on a 401 gets a new token once and replays the call', async () => {
    const ts = http.scope(BASE);
    mockToken(ts, 'token-1');
    ts.get(v2at('system')).reply(401, EXPIRED);
    mockToken(ts, 'token-2');
    ts.get(v2at('system')).reply(200, { release_version: '10.8.0.cl' });
    expect(await testV2Client().systemInfo()).toEqual({ release_version: '10.8.0.cl' });
    expect(calls()).toEqual(['auth/token/full -', 'system token-1', 'auth/token/full -', 'system token-2']);
  });

  it('a second 401 after a new token is a typed error with the v2 body’s fields, not a loop', async () => {
    const ts = http.scope(BASE);
    mockToken(ts, 'token-1');
    ts.get(v2at('system')).reply(401, EXPIRED);
    mockToken(ts, 'token-2');
    ts.get(v2at('system')).reply(401, EXPIRED);
    const error = await testV2Client().systemInfo().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ThoughtSpotApiError);
    expect(error).toMatchObject({ status: 401, code: 10002, endpoint: 'system', incidentId: 'inc-401', traceId: 'trace-v2', detail: 'Token expired' });
    expect(http.requests).toHaveLength(4);
  });

  it('calls that meet a 401 together share one new token', async () => {
    const ts = http.scope(BASE);
    mockToken(ts, 'token-1');
    ts.get(v2at('system')).times(3).reply(401, EXPIRED);
    mockToken(ts, 'token-2');
    ts.get(v2at('system')).times(3).reply(200, {});
    const client = testV2Client();
    await client.login();
    await Promise.all([client.systemInfo(), client.systemInfo(), client.systemInfo()]);
    expect(calls().filter((call) => call.startsWith('auth/token/full'))).toHaveLength(2);
    expect(calls().slice(-3)).toEqual(Array(3).fill('system token-2'));
  });

  it('a refused token request is a typed error naming auth/token/full, tried once, without the password', async () => {
    http.scope(BASE).post(v2at('auth/token/full')).reply(401, v2Error(10002, 'Invalid username or password', 'inc-1'));
    const error = await testV2Client().systemInfo().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ThoughtSpotApiError);
    expect((error as Error).message).toBe('ThoughtSpot auth/token/full failed with HTTP 401 (code 10002): Invalid username or password [incident inc-1]');
    expect(JSON.stringify(error)).not.toContain(PASSWORD);
    expect(http.requests).toHaveLength(1);
  });

  it('refuses a token answer without a token', async () => {
    http.scope(BASE).post(v2at('auth/token/full')).reply(200, { creation_time_in_millis: 1 });
    await expect(testV2Client().login()).rejects.toMatchObject({ name: 'ThoughtSpotResponseError', endpoint: 'auth/token/full' });
  });

  it('logout revokes the token, sent with it; the next call gets a new one', async () => {
    const ts = http.scope(BASE);
    mockToken(ts, 'token-1');
    ts.post(v2at('auth/token/revoke')).reply(204);
    mockToken(ts, 'token-2');
    ts.get(v2at('system')).reply(200, {});
    const client = testV2Client();
    await client.login();
    await client.logout();
    await client.systemInfo();
    const revoke = http.requests[1];
    expectV2Headers(revoke, 'token-1');
    expect(jsonBody(revoke)).toEqual({ token: 'token-1' });
    expect(calls()).toEqual(['auth/token/full -', 'auth/token/revoke token-1', 'auth/token/full -', 'system token-2']);
  });

  it('logout of a token the server already ended does not get a new one', async () => {
    const ts = http.scope(BASE);
    mockToken(ts);
    ts.post(v2at('auth/token/revoke')).reply(401, EXPIRED);
    const client = testV2Client();
    await client.login();
    await client.logout();
    expect(calls()).toEqual(['auth/token/full -', 'auth/token/revoke token-1']);
  });

  it('logout without a token sends nothing', async () => {
    await testV2Client().logout();
    expect(http.requests).toHaveLength(0);
  });

  it('refuses options without a password or a secret key', () => {
    expect(() => testV2Client({ password: undefined })).toThrow(/password or a trusted-authentication secret key/);
  });

  it('shares the host’s queue with a v1 client of the same host', () => {
    const queues = new HostQueues();
    expect(testV2Client({ queues }).queue).toBe(testClient({ queues }).queue);
  });

  it('registers the secret and every token with the redactor; none reaches a log line or an error message', async () => {
    const lines: string[] = [];
    const redactor = new Redactor();
    const logger = createLogger({ level: 'debug', redactor, destination: { write: (line: string) => void lines.push(line) } });
    const ts = http.scope(BASE);
    mockToken(ts, 'TOKEN-5ecret');
    ts.get(v2at('system')).reply(401, EXPIRED);
    mockToken(ts, 'TOKEN-2-5ecret');
    // A server that echoes what it was sent: the secrets come back in the error body.
    ts.get(v2at('system')).reply(400, v2Error(10002, 'bad token TOKEN-2-5ecret, old TOKEN-5ecret, key key-5ecret'));
    const client = testV2Client({ password: undefined, secretKey: 'key-5ecret', logger, redactor });
    const error = await client.systemInfo().catch((e: unknown) => e);
    logger.error({ err: error }, 'call failed');

    expect((error as Error).message).toBe(`ThoughtSpot system failed with HTTP 400 (code 10002): bad token ${REDACTED}, old ${REDACTED}, key ${REDACTED} [incident inc-v2]`);
    expect(lines.some((line) => line.includes('ThoughtSpot session rejected'))).toBe(true);
    for (const secret of ['key-5ecret', 'TOKEN-5ecret', 'TOKEN-2-5ecret']) expect(lines.join('\n')).not.toContain(secret);
  });
});

describe('ThoughtSpot v2 token lifetime', () => {
  const MINUTE = 60_000;
  // Only Date is faked: the token's age moves when the test says so, while sockets and timers stay real.
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-01-01T00:00:00Z'));
  });
  afterEach(() => {
    vi.useRealTimers();
  });
  const later = (ms: number) => vi.setSystemTime(Date.now() + ms);

  it('gets a new token before the one in use reaches the expiry it reported, without meeting a 401', async () => {
    const ts = http.scope(BASE);
    // The server grants 10 minutes although 30 were asked for: its answer is what counts.
    mockToken(ts, 'token-1', 10 * MINUTE);
    ts.get(v2at('system')).times(2).reply(200, {});
    mockToken(ts, 'token-2', 10 * MINUTE);
    ts.post(v2at('auth/token/revoke')).reply(204);
    ts.get(v2at('system')).reply(200, {});
    const client = testV2Client();
    await client.systemInfo();
    later(8 * MINUTE);
    await client.systemInfo();
    later(MINUTE);
    await client.systemInfo();
    expect(calls()).toEqual([
      'auth/token/full -', 'system token-1', 'system token-1',
      // The request for a new token never carries the old one.
      'auth/token/full -',
      // The token it replaces is revoked, with the new one.
      'auth/token/revoke token-2', 'system token-2',
    ]);
    expect(jsonBody(http.requests[4])).toEqual({ token: 'token-1' });
  });

  it('with trusted authentication, asks for a new token with the secret key before expiry', async () => {
    const ts = http.scope(BASE);
    mockToken(ts, 'token-1', 5 * MINUTE);
    ts.get(v2at('system')).reply(200, {});
    mockToken(ts, 'token-2', 5 * MINUTE);
    ts.post(v2at('auth/token/revoke')).reply(204);
    ts.get(v2at('system')).reply(200, {});
    const client = testV2Client({ password: undefined, secretKey: 'secret-key-1' });
    await client.systemInfo();
    later(4.5 * MINUTE);
    await client.systemInfo();
    expect(calls()).toEqual(['auth/token/full -', 'system token-1', 'auth/token/full -', 'auth/token/revoke token-2', 'system token-2']);
    expect(jsonBody(http.requests[2])).toMatchObject({ username: 'tsadmin', secret_key: 'secret-key-1' });
  });

  it('a renewal whose revocation of the replaced token fails still renews, and says so in a warning', async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(line) } });
    const ts = http.scope(BASE);
    mockToken(ts, 'token-1', 5 * MINUTE);
    mockToken(ts, 'token-2', 5 * MINUTE);
    ts.post(v2at('auth/token/revoke')).reply(400, v2Error(10004, 'Bad request', 'inc-400'));
    ts.get(v2at('system')).reply(200, {});
    const client = testV2Client({ logger });
    await client.login();
    later(5 * MINUTE);
    await expect(client.systemInfo()).resolves.toBeDefined();
    expect(calls()).toEqual(['auth/token/full -', 'auth/token/full -', 'auth/token/revoke token-2', 'system token-2']);
    expect(lines.filter((line) => line.includes('could not end the ThoughtSpot session a renewal replaced'))).toHaveLength(1);
  });
});
