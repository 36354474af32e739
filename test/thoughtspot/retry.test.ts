import { describe, expect, it } from 'vitest';
import {
  ThoughtSpotApiError,
  ThoughtSpotNetworkError,
  ThoughtSpotUncertainWriteError,
} from '../../src/thoughtspot/index.js';
import { useHttpMock } from '../http-mock.js';
import { at, BASE, mockLogin, testClient } from './fixture.js';

const http = useHttpMock();

const DOC = 'guid: t-1\ntable:\n  name: orders\n';
const IMPORTED = { object: [{ response: { status: { status_code: 'OK' }, header: { id_guid: 't-1', name: 'orders' } } }] };
const V1_500 = { code: 10000, incident_id_guid: 'inc-500', trace_id_guid: 'trace-500', debug: '["Internal error"]' };

function count(endpoint: string): number {
  return http.requests.filter((request) => request.pathname === at(endpoint)).length;
}

function connectionError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('ThoughtSpot rate limits and retries', () => {
  it('honours Retry-After on a 429: the whole host waits, then the call is sent again', async () => {
    const ts = http.scope(BASE);
    mockLogin(ts);
    ts.get(at('user/list')).reply(429, '', { 'retry-after': '1' });
    ts.get(at('metadata/listvizheaders')).query(true).reply(200, []);
    ts.get(at('user/list')).reply(200, []);
    const client = testClient({ rateLimit: { concurrency: 1 } });
    await client.login();
    await Promise.all([client.listUsers(), client.listVizHeaders('lb-1')]);
    const [, limited, ...after] = http.requests;
    expect(limited?.pathname).toBe(at('user/list'));
    expect(after.map((r) => r.pathname).sort()).toEqual([at('metadata/listvizheaders'), at('user/list')]);
    // The other call was queued behind the limited one and waited too.
    for (const request of after) expect(request.at - limited!.at).toBeGreaterThanOrEqual(950);
  });

  it('does not wait for a Retry-After beyond its cap: a typed 429 error', async () => {
    const ts = http.scope(BASE);
    mockLogin(ts);
    ts.get(at('user/list')).reply(429, { code: 10000, debug: 'Too many requests' }, { 'retry-after': '120' });
    const started = Date.now();
    const error = await testClient().listUsers().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ThoughtSpotApiError);
    expect(error).toMatchObject({ status: 429, endpoint: 'user/list', retryAfterMs: 120_000 });
    // Far below the 120 s asked for, with room for a loaded machine.
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(count('user/list')).toBe(1);
  });

  it('sends an import again after a 429: the server did not process it', async () => {
    const ts = http.scope(BASE);
    mockLogin(ts);
    ts.post(at('metadata/tml/import')).reply(429, '', { 'retry-after': '0' });
    ts.post(at('metadata/tml/import')).reply(200, IMPORTED);
    const [result] = await testClient().importTml([DOC], { policy: 'PARTIAL', forceCreate: false });
    expect(result).toMatchObject({ ok: true, id: 't-1' });
    expect(count('metadata/tml/import')).toBe(2);
  });

  it('retries a read after 5xx answers, then succeeds', async () => {
    const ts = http.scope(BASE);
    mockLogin(ts);
    ts.get(at('user/list')).reply(503, 'Service Unavailable');
    ts.get(at('user/list')).reply(502, '<html>Bad Gateway</html>');
    ts.get(at('user/list')).reply(200, []);
    expect(await testClient().listUsers()).toEqual([]);
    expect(count('user/list')).toBe(3);
  });

  it('gives up on a read after the configured attempts with a typed error', async () => {
    const ts = http.scope(BASE);
    mockLogin(ts);
    ts.get(at('user/list')).times(3).reply(500, V1_500, { 'x-callosum-incident-id': 'inc-500' });
    const error = await testClient().listUsers().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ThoughtSpotApiError);
    expect(error).toMatchObject({ status: 500, code: 10000, endpoint: 'user/list', incidentId: 'inc-500', traceId: 'trace-500', detail: 'Internal error' });
    expect(count('user/list')).toBe(3);
  });

  it('never re-sends an import after a 5xx: the outcome is reported as uncertain', async () => {
    const ts = http.scope(BASE);
    mockLogin(ts);
    ts.post(at('metadata/tml/import')).reply(500, V1_500);
    const error = await testClient().importTml([DOC], { policy: 'ALL_OR_NONE', forceCreate: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ThoughtSpotUncertainWriteError);
    const uncertain = error as ThoughtSpotUncertainWriteError;
    expect(uncertain.message).toMatch(/^ThoughtSpot metadata\/tml\/import: outcome unknown, the write may or may not have been applied; verify before retrying/);
    expect(uncertain).toMatchObject({ endpoint: 'metadata/tml/import', status: 500 });
    expect(uncertain.failure).toMatchObject({ status: 500, code: 10000, incidentId: 'inc-500' });
    expect(count('metadata/tml/import')).toBe(1);
  });

  it('never re-sends an import after the connection broke mid-request', async () => {
    const ts = http.scope(BASE);
    mockLogin(ts);
    ts.post(at('metadata/tml/import')).replyWithError(connectionError('ECONNRESET', 'socket hang up'));
    const error = await testClient().importTml([DOC], { policy: 'PARTIAL', forceCreate: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ThoughtSpotUncertainWriteError);
    expect((error as ThoughtSpotUncertainWriteError).failure).toBeInstanceOf(ThoughtSpotNetworkError);
    expect((error as ThoughtSpotUncertainWriteError).failure).toMatchObject({ code: 'ECONNRESET', sent: true });
    expect(count('metadata/tml/import')).toBe(1);
  });

  it('never re-sends a delete after a 5xx or a broken connection: the outcome is reported as uncertain', async () => {
    const ts = http.scope(BASE);
    mockLogin(ts);
    ts.post(at('metadata/delete')).reply(503, V1_500);
    ts.post(at('metadata/delete')).replyWithError(connectionError('ECONNRESET', 'socket hang up'));
    const client = testClient();
    const first = await client.deleteObjects({ type: 'LOGICAL_TABLE', ids: ['t-1'] }).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(ThoughtSpotUncertainWriteError);
    expect(first).toMatchObject({ endpoint: 'metadata/delete', status: 503 });
    const second = await client.deleteObjects({ type: 'LOGICAL_TABLE', ids: ['t-1'] }).catch((e: unknown) => e);
    expect(second).toBeInstanceOf(ThoughtSpotUncertainWriteError);
    expect(count('metadata/delete')).toBe(2);
  });

  it('sends an import again when the connection was refused: nothing reached the server', async () => {
    const ts = http.scope(BASE);
    mockLogin(ts);
    ts.post(at('metadata/tml/import')).replyWithError(connectionError('ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.1:443'));
    ts.post(at('metadata/tml/import')).reply(200, IMPORTED);
    expect(await testClient().importTml([DOC], { policy: 'PARTIAL', forceCreate: false })).toMatchObject([{ ok: true }]);
    expect(count('metadata/tml/import')).toBe(2);
  });

  it('retries a read after a network error', async () => {
    const ts = http.scope(BASE);
    mockLogin(ts);
    ts.get(at('user/list')).replyWithError(connectionError('ECONNRESET', 'socket hang up'));
    ts.get(at('user/list')).reply(200, []);
    expect(await testClient().listUsers()).toEqual([]);
    expect(count('user/list')).toBe(2);
  });

  it('retries a validate-only import and a dry-run user sync: they persist nothing', async () => {
    const ts = http.scope(BASE);
    mockLogin(ts);
    ts.post(at('metadata/tml/import')).reply(500, V1_500);
    ts.post(at('metadata/tml/import')).reply(200, IMPORTED);
    ts.post(at('user/sync')).reply(503);
    ts.post(at('user/sync')).reply(200, { usersAdded: [], usersDeleted: [], usersUpdated: [], groupsAdded: [], groupsDeleted: [], groupsUpdated: [] });
    const client = testClient();
    await client.importTml([DOC], { policy: 'VALIDATE_ONLY', forceCreate: false });
    await client.syncUsers({ principals: [], applyChanges: false, removeDeleted: false });
    expect([count('metadata/tml/import'), count('user/sync')]).toEqual([2, 2]);
  });

  it.each([
    ['user/sync', (c: ReturnType<typeof testClient>) => c.syncUsers({ principals: [], applyChanges: true, removeDeleted: true })],
    ['user/updatepassword', (c: ReturnType<typeof testClient>) => c.updatePassword({ name: 'a', currentPassword: 'old-1', newPassword: 'new-1' })],
    ['user/transfer/ownership', (c: ReturnType<typeof testClient>) => c.transferOwnership({ fromUserName: 'a', toUserName: 'b' })],
    ['group/addprivilege', (c: ReturnType<typeof testClient>) => c.addPrivilege({ privilege: 'DEVELOPER', groupNames: ['g'] })],
    ['group/removeprivilege', (c: ReturnType<typeof testClient>) => c.removePrivilege({ privilege: 'DEVELOPER', groupNames: ['g'] })],
  ])('never re-sends the write %s after a 5xx', async (endpoint, call) => {
    const ts = http.scope(BASE);
    mockLogin(ts);
    ts.post(at(endpoint)).query(true).reply(502);
    await expect(call(testClient())).rejects.toBeInstanceOf(ThoughtSpotUncertainWriteError);
    expect(count(endpoint)).toBe(1);
  });

  it('gives every call a deadline: a slow read times out, is retried, then fails typed', async () => {
    const ts = http.scope(BASE);
    mockLogin(ts);
    ts.get(at('user/list')).times(2).delay(300).reply(200, []);
    const error = await testClient({ timeoutMs: 60, retry: { attempts: 2 } }).listUsers().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ThoughtSpotNetworkError);
    expect(error).toMatchObject({ endpoint: 'user/list', timedOut: true, code: 'ETIMEDOUT', sent: true });
    expect((error as Error).message).toMatch(/^ThoughtSpot user\/list: timed out ETIMEDOUT/);
    expect(count('user/list')).toBe(2);
  });

  it('reports a slow import as uncertain, without sending it again', async () => {
    const ts = http.scope(BASE);
    mockLogin(ts);
    ts.post(at('metadata/tml/import')).delay(300).reply(200, IMPORTED);
    const error = await testClient({ timeoutMs: 60 }).importTml([DOC], { policy: 'PARTIAL', forceCreate: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ThoughtSpotUncertainWriteError);
    expect((error as ThoughtSpotUncertainWriteError).failure).toMatchObject({ timedOut: true });
    expect(count('metadata/tml/import')).toBe(1);
  });

  it('describes a non-JSON error page by its first characters', async () => {
    const ts = http.scope(BASE);
    mockLogin(ts);
    ts.get(at('metadata/listvizheaders')).query(true).reply(404, '<html>\n  <body>Not Found</body>\n</html>');
    await expect(testClient().listVizHeaders('nope')).rejects.toMatchObject({
      status: 404,
      code: undefined,
      message: 'ThoughtSpot metadata/listvizheaders failed with HTTP 404: <html> <body>Not Found</body> </html>',
    });
  });

  it('refuses a success status with a body of the wrong shape', async () => {
    const ts = http.scope(BASE);
    mockLogin(ts);
    ts.get(at('user/list')).reply(200, '{"not":"a list"}');
    await expect(testClient().listUsers()).rejects.toMatchObject({ name: 'ThoughtSpotResponseError', endpoint: 'user/list', status: 200 });
  });
});
