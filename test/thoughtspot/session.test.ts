import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger, REDACTED, Redactor } from '../../src/log/index.js';
import { sessionRenewAfterMs, ThoughtSpotApiError } from '../../src/thoughtspot/index.js';
import { formFields, useHttpMock } from '../http-mock.js';
import { at, BASE, mockLogin, PASSWORD, testClient } from './fixture.js';

const http = useHttpMock();

const V1_401 = { code: 10002, incident_id_guid: 'inc-401', trace_id_guid: 'trace-401', debug: '["Session expired"]' };

function calls(): string[] {
  return http.requests.map((request) => `${request.pathname.replace(at(''), '')} ${request.headers.cookie ?? '-'}`);
}

describe('ThoughtSpot session', () => {
  it('logs in once, lazily, before the first call', async () => {
    const ts = http.scope(BASE);
    mockLogin(ts);
    ts.get(at('user/list')).times(2).reply(200, []);
    const client = testClient();
    expect(http.requests).toHaveLength(0);
    await Promise.all([client.listUsers(), client.listUsers()]);
    expect(calls()).toEqual([
      'session/login -',
      'user/list JSESSIONID=session-1; clientId=client-session-1',
      'user/list JSESSIONID=session-1; clientId=client-session-1',
    ]);
  });

  it('on a 401 logs in again once and replays the call', async () => {
    const ts = http.scope(BASE);
    mockLogin(ts);
    ts.get(at('user/list')).reply(401, V1_401);
    mockLogin(ts, 'session-2');
    ts.get(at('user/list')).reply(200, [{ name: 'All', principalTypeEnum: 'LOCAL_GROUP', groupNames: [] }]);
    expect(await testClient().listUsers()).toHaveLength(1);
    expect(calls()).toEqual([
      'session/login -',
      'user/list JSESSIONID=session-1; clientId=client-session-1',
      'session/login -',
      'user/list JSESSIONID=session-2; clientId=client-session-2',
    ]);
  });

  it('a second 401 after logging in again is a typed error, not a loop', async () => {
    const ts = http.scope(BASE);
    mockLogin(ts);
    ts.get(at('user/list')).reply(401, V1_401);
    mockLogin(ts, 'session-2');
    ts.get(at('user/list')).reply(401, V1_401);
    const error = await testClient().listUsers().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ThoughtSpotApiError);
    expect(error).toMatchObject({ status: 401, code: 10002, endpoint: 'user/list', incidentId: 'inc-401', traceId: 'trace-401', detail: 'Session expired' });
    expect(http.requests).toHaveLength(4);
  });

  it('calls that meet a 401 together share one new login', async () => {
    const ts = http.scope(BASE);
    mockLogin(ts);
    ts.get(at('user/list')).times(3).reply(401, V1_401);
    mockLogin(ts, 'session-2');
    ts.get(at('user/list')).times(3).reply(200, []);
    const client = testClient();
    await client.login();
    await Promise.all([client.listUsers(), client.listUsers(), client.listUsers()]);
    expect(http.requests.filter((r) => r.pathname === at('session/login'))).toHaveLength(2);
    expect(calls().slice(-3)).toEqual(Array(3).fill('user/list JSESSIONID=session-2; clientId=client-session-2'));
  });

  it('a refused login is a typed error naming session/login, tried once, without the password', async () => {
    http.scope(BASE).post(at('session/login')).reply(401, { code: 10002, incident_id_guid: 'inc-1', debug: '["Invalid username or password"]' });
    const error = await testClient().listUsers().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ThoughtSpotApiError);
    expect(error).toMatchObject({ endpoint: 'session/login', status: 401, code: 10002, incidentId: 'inc-1', detail: 'Invalid username or password' });
    expect((error as Error).message).toBe('ThoughtSpot session/login failed with HTTP 401 (code 10002): Invalid username or password [incident inc-1]');
    expect(JSON.stringify(error)).not.toContain(PASSWORD);
    expect(http.requests).toHaveLength(1);
  });

  it('with trusted authentication, a 401 fetches a new token and trades it again', async () => {
    const ts = http.scope(BASE);
    ts.post(at('session/auth/token')).reply(200, 'TOKEN-1');
    ts.post(at('session/login/token')).reply(204, '', { 'set-cookie': 'JSESSIONID=t-1; Path=/' });
    ts.get(at('user/list')).reply(401, V1_401);
    ts.post(at('session/auth/token')).reply(200, 'TOKEN-2');
    ts.post(at('session/login/token')).reply(204, '', { 'set-cookie': 'JSESSIONID=t-2; Path=/' });
    ts.get(at('user/list')).reply(200, []);
    await testClient({ password: undefined, secretKey: 'secret-key-1' }).listUsers();
    expect(calls()).toEqual([
      'session/auth/token -', 'session/login/token -', 'user/list JSESSIONID=t-1',
      'session/auth/token -', 'session/login/token -', 'user/list JSESSIONID=t-2',
    ]);
    expect(formFields(http.requests[4]!).get('auth_token')).toBe('TOKEN-2');
  });

  it('logout after the server already ended the session does not log in again', async () => {
    const ts = http.scope(BASE);
    mockLogin(ts);
    ts.post(at('session/logout')).reply(401, V1_401);
    const client = testClient();
    await client.login();
    await client.logout();
    expect(calls()).toEqual(['session/login -', 'session/logout JSESSIONID=session-1; clientId=client-session-1']);
  });

  it('logout without a session sends nothing', async () => {
    await testClient().logout();
    expect(http.requests).toHaveLength(0);
  });

  it('refuses options without a password or a secret key', () => {
    expect(() => testClient({ password: undefined })).toThrow(/password or a trusted-authentication secret key/);
  });

  it('registers every secret with the redactor; none reaches a log line or an error message', async () => {
    const lines: string[] = [];
    const redactor = new Redactor();
    const logger = createLogger({ level: 'debug', redactor, destination: { write: (line: string) => void lines.push(line) } });
    const ts = http.scope(BASE);
    ts.post(at('session/auth/token')).reply(200, 'TOKEN-5ecret');
    ts.post(at('session/login/token')).reply(204, '', { 'set-cookie': ['JSESSIONID=jsess-5ecret; Path=/', 'clientId=client-5ecret; Path=/'] });
    ts.get(at('user/list')).reply(401, V1_401);
    ts.post(at('session/auth/token')).reply(200, 'TOKEN-5ecret');
    ts.post(at('session/login/token')).reply(204, '', { 'set-cookie': 'JSESSIONID=jsess-5ecret; Path=/' });
    // A server that echoes what it was sent: the secrets come back in the error body.
    ts.get(at('user/list')).reply(400, { code: 10002, debug: 'bad cookie jsess-5ecret for token TOKEN-5ecret, key key-5ecret' });
    const client = testClient({ password: undefined, secretKey: 'key-5ecret', logger, redactor });
    const error = await client.listUsers().catch((e: unknown) => e);
    logger.error({ err: error }, 'call failed');

    expect(error).toBeInstanceOf(ThoughtSpotApiError);
    expect((error as Error).message).toBe(`ThoughtSpot user/list failed with HTTP 400 (code 10002): bad cookie ${REDACTED} for token ${REDACTED}, key ${REDACTED}`);
    expect(lines.length).toBeGreaterThan(4);
    expect(lines.some((line) => line.includes('ThoughtSpot session rejected'))).toBe(true);
    for (const secret of ['key-5ecret', 'TOKEN-5ecret', 'jsess-5ecret', 'client-5ecret']) {
      expect(lines.join('\n')).not.toContain(secret);
      expect(redactor.scrubText(`x ${secret} y`)).toBe(`x ${REDACTED} y`);
    }
  });

  it('registers the password with the redactor', () => {
    const redactor = new Redactor();
    testClient({ redactor });
    expect(redactor.scrubText(`password=${PASSWORD}`)).toBe(`password=${REDACTED}`);
  });
});

describe('ThoughtSpot session lifetime', () => {
  const MINUTE = 60_000;
  // Only Date is faked: the session's age moves when the test says so, while sockets and timers stay real.
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-01-01T00:00:00Z'));
  });
  afterEach(() => {
    vi.useRealTimers();
  });
  const later = (ms: number) => vi.setSystemTime(Date.now() + ms);

  it('renews a tenth of the lifetime early, at most a minute early', () => {
    expect(sessionRenewAfterMs(30 * MINUTE)).toBe(29 * MINUTE);
    expect(sessionRenewAfterMs(5 * MINUTE)).toBe(4.5 * MINUTE);
    expect(sessionRenewAfterMs(1000)).toBe(900);
  });

  it('logs in again before a call once the session nears its lifetime, without meeting a 401', async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(line) } });
    const ts = http.scope(BASE);
    mockLogin(ts);
    ts.get(at('user/list')).times(2).reply(200, []);
    mockLogin(ts, 'session-2');
    ts.post(at('session/logout')).reply(204);
    ts.get(at('user/list')).reply(200, []);
    const client = testClient({ sessionTtlMs: 10 * MINUTE, logger });
    await client.listUsers();
    later(8 * MINUTE);
    await client.listUsers();
    later(MINUTE);
    await client.listUsers();
    expect(calls()).toEqual([
      'session/login -',
      'user/list JSESSIONID=session-1; clientId=client-session-1',
      'user/list JSESSIONID=session-1; clientId=client-session-1',
      // The old session still rides along on the new login: it stays in use until the new cookies replace it.
      'session/login JSESSIONID=session-1; clientId=client-session-1',
      // The session it replaces is logged out, with its own cookies.
      'session/logout JSESSIONID=session-1; clientId=client-session-1',
      'user/list JSESSIONID=session-2; clientId=client-session-2',
    ]);
    expect(lines.filter((line) => line.includes('ThoughtSpot session nears its lifetime'))).toHaveLength(1);
    expect(lines.some((line) => line.includes('ThoughtSpot session rejected'))).toBe(false);
  });

  it('with trusted authentication, fetches a new token before the session expires', async () => {
    const ts = http.scope(BASE);
    ts.post(at('session/auth/token')).reply(200, 'TOKEN-1');
    ts.post(at('session/login/token')).reply(204, '', { 'set-cookie': 'JSESSIONID=t-1; Path=/' });
    ts.get(at('user/list')).reply(200, []);
    ts.post(at('session/auth/token')).reply(200, 'TOKEN-2');
    ts.post(at('session/login/token')).reply(204, '', { 'set-cookie': 'JSESSIONID=t-2; Path=/' });
    ts.post(at('session/logout')).reply(204);
    ts.get(at('user/list')).reply(200, []);
    const client = testClient({ password: undefined, secretKey: 'secret-key-1', sessionTtlMs: 30 * MINUTE });
    await client.listUsers();
    later(29 * MINUTE);
    await client.listUsers();
    expect(calls()).toEqual([
      'session/auth/token -', 'session/login/token -', 'user/list JSESSIONID=t-1',
      'session/auth/token JSESSIONID=t-1', 'session/login/token JSESSIONID=t-1', 'session/logout JSESSIONID=t-1', 'user/list JSESSIONID=t-2',
    ]);
    expect(formFields(http.requests[4]!).get('auth_token')).toBe('TOKEN-2');
  });

  it('calls that find the session old together share one new login', async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(line) } });
    const ts = http.scope(BASE);
    mockLogin(ts);
    mockLogin(ts, 'session-2');
    ts.post(at('session/logout')).reply(204);
    ts.get(at('user/list')).times(3).reply(200, []);
    const client = testClient({ sessionTtlMs: 10 * MINUTE, logger });
    await client.login();
    later(10 * MINUTE);
    await Promise.all([client.listUsers(), client.listUsers(), client.listUsers()]);
    expect(http.requests.filter((r) => r.pathname === at('session/login'))).toHaveLength(2);
    expect(calls().slice(-3)).toEqual(Array(3).fill('user/list JSESSIONID=session-2; clientId=client-session-2'));
    expect(lines.filter((line) => line.includes('ThoughtSpot session nears its lifetime'))).toHaveLength(1);
  });

  it('still logs in again on a 401 when the server ends a session before its configured lifetime', async () => {
    const ts = http.scope(BASE);
    mockLogin(ts);
    ts.get(at('user/list')).reply(401, V1_401);
    mockLogin(ts, 'session-2');
    ts.get(at('user/list')).reply(200, []);
    const client = testClient({ sessionTtlMs: 30 * MINUTE });
    await client.login();
    later(MINUTE);
    await client.listUsers();
    expect(calls()).toEqual([
      'session/login -',
      'user/list JSESSIONID=session-1; clientId=client-session-1',
      'session/login -',
      'user/list JSESSIONID=session-2; clientId=client-session-2',
    ]);
  });

  it('a failed renewal is the call\'s error, and the next call tries again', async () => {
    const ts = http.scope(BASE);
    mockLogin(ts);
    ts.post(at('session/login')).reply(401, { code: 10002, debug: '["Invalid username or password"]' });
    mockLogin(ts, 'session-2');
    ts.post(at('session/logout')).reply(204);
    ts.get(at('user/list')).reply(200, []);
    const client = testClient({ sessionTtlMs: 10 * MINUTE });
    await client.login();
    later(10 * MINUTE);
    await expect(client.listUsers()).rejects.toMatchObject({ endpoint: 'session/login', status: 401 });
    await client.listUsers();
    expect(calls().at(-1)).toBe('user/list JSESSIONID=session-2; clientId=client-session-2');
  });

  it('a renewal whose logout of the replaced session fails still renews', async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(line) } });
    const ts = http.scope(BASE);
    mockLogin(ts);
    mockLogin(ts, 'session-2');
    ts.post(at('session/logout')).reply(500, { code: 10000, debug: '["Internal error"]' });
    ts.get(at('user/list')).reply(200, []);
    const client = testClient({ sessionTtlMs: 10 * MINUTE, logger });
    await client.login();
    later(10 * MINUTE);
    await expect(client.listUsers()).resolves.toEqual([]);
    expect(calls().slice(-2)).toEqual(['session/logout JSESSIONID=session-1; clientId=client-session-1', 'user/list JSESSIONID=session-2; clientId=client-session-2']);
    expect(lines.some((line) => line.includes('"level":50'))).toBe(false);
  });

  it('a server that keeps the session across the renewal (same cookies) is not logged out', async () => {
    const ts = http.scope(BASE);
    mockLogin(ts);
    mockLogin(ts);
    ts.get(at('user/list')).reply(200, []);
    const client = testClient({ sessionTtlMs: 10 * MINUTE });
    await client.login();
    later(10 * MINUTE);
    await client.listUsers();
    expect(calls()).toEqual(['session/login -', 'session/login JSESSIONID=session-1; clientId=client-session-1', 'user/list JSESSIONID=session-1; clientId=client-session-1']);
  });

  it('a renewal that changes the session but keeps another cookie (a load balancer\'s) logs out the replaced session', async () => {
    const ts = http.scope(BASE);
    const login = (session: string) => ts.post(at('session/login')).reply(204, '', { 'set-cookie': [`JSESSIONID=${session}; Path=/`, 'AWSALB=lb-1; Path=/'] });
    login('session-1');
    login('session-2');
    ts.post(at('session/logout')).reply(204);
    ts.get(at('user/list')).reply(200, []);
    const client = testClient({ sessionTtlMs: 10 * MINUTE });
    await client.login();
    later(10 * MINUTE);
    await client.listUsers();
    expect(calls().slice(-2)).toEqual(['session/logout JSESSIONID=session-1; AWSALB=lb-1', 'user/list JSESSIONID=session-2; AWSALB=lb-1']);
  });

  it('without a configured lifetime, keeps a session until the server rejects it', async () => {
    const ts = http.scope(BASE);
    mockLogin(ts);
    ts.get(at('user/list')).reply(200, []);
    const client = testClient();
    await client.login();
    later(24 * 60 * MINUTE);
    await client.listUsers();
    expect(calls()).toEqual(['session/login -', 'user/list JSESSIONID=session-1; clientId=client-session-1']);
  });
});
