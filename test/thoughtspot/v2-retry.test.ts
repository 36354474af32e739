import { describe, expect, it } from 'vitest';
import { ThoughtSpotApiError, ThoughtSpotNetworkError, ThoughtSpotUncertainWriteError, type ThoughtSpotV2Client } from '../../src/thoughtspot/index.js';
import { useHttpMock } from '../http-mock.js';
import { BASE, mockToken, testV2Client, v2at, v2Error } from './fixture.js';

const http = useHttpMock();

const DOC = 'guid: t-1\ntable:\n  name: orders\n';
const IMPORTED = [{ request_index: 0, response: { status: { status_code: 'OK' }, header: { id_guid: 't-1', name: 'orders' } } }];
const V2_500 = v2Error(10000, 'Internal error', 'inc-500');

function count(endpoint: string): number {
  return http.requests.filter((request) => request.pathname === v2at(endpoint)).length;
}

function connectionError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

function session() {
  const ts = http.scope(BASE);
  mockToken(ts);
  return ts;
}

describe('ThoughtSpot v2 errors, rate limits and retries', () => {
  it('turns a v2 error body into a typed error with its code, incident, trace and message', async () => {
    session().post(v2at('metadata/delete')).reply(400, v2Error(10002, 'Object lb-1 is used by 2 answers', 'inc-400'));
    const error = await testV2Client().deleteObjects({ type: 'PINBOARD_ANSWER_BOOK', ids: ['lb-1'] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ThoughtSpotApiError);
    expect(error).toMatchObject({ status: 400, code: 10002, endpoint: 'metadata/delete', incidentId: 'inc-400', traceId: 'trace-v2', detail: 'Object lb-1 is used by 2 answers' });
    expect((error as Error).message).toBe('ThoughtSpot metadata/delete failed with HTTP 400 (code 10002): Object lb-1 is used by 2 answers [incident inc-400]');
  });

  it('keeps a v2 error whose message is plain text, and describes a body of another shape by its first characters', async () => {
    const ts = session();
    ts.post(v2at('orgs/search')).reply(403, { error: { message: 'Org administration required' } });
    ts.get(v2at('system')).reply(404, '<html>\n  <body>Not Found</body>\n</html>');
    const client = testV2Client();
    await expect(client.listOrgs()).rejects.toMatchObject({ status: 403, code: undefined, detail: 'Org administration required' });
    await expect(client.systemInfo()).rejects.toMatchObject({ status: 404, message: 'ThoughtSpot system failed with HTTP 404: <html> <body>Not Found</body> </html>' });
  });

  it('honours Retry-After on a 429: the whole host waits, then the call is sent again', async () => {
    const ts = session();
    ts.post(v2at('groups/search')).reply(429, v2Error(10000, 'Too many requests'), { 'retry-after': '1' });
    ts.get(v2at('system')).reply(200, {});
    ts.post(v2at('groups/search')).reply(200, []);
    const client = testV2Client({ rateLimit: { concurrency: 1 } });
    await client.login();
    await Promise.all([client.listGroups(), client.systemInfo()]);
    const [, limited, ...after] = http.requests;
    expect(limited?.pathname).toBe(v2at('groups/search'));
    expect(after.map((r) => r.pathname).sort()).toEqual([v2at('groups/search'), v2at('system')]);
    // The other call was queued behind the limited one and waited too.
    for (const request of after) expect(request.at - limited!.at).toBeGreaterThanOrEqual(950);
  });

  it('does not wait for a Retry-After beyond its cap: a typed 429 error', async () => {
    session().get(v2at('system')).reply(429, v2Error(10000, 'Too many requests'), { 'retry-after': '120' });
    const error = await testV2Client().systemInfo().catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ThoughtSpotApiError', status: 429, endpoint: 'system', retryAfterMs: 120_000, detail: 'Too many requests' });
    expect(count('system')).toBe(1);
  });

  it('sends an import again after a 429: the server did not process it', async () => {
    const ts = session();
    ts.post(v2at('metadata/tml/import')).reply(429, '', { 'retry-after': '0' });
    ts.post(v2at('metadata/tml/import')).reply(200, IMPORTED);
    expect(await testV2Client().importTml([DOC], { policy: 'PARTIAL', forceCreate: false })).toMatchObject([{ ok: true, id: 't-1' }]);
    expect(count('metadata/tml/import')).toBe(2);
  });

  it('retries a read after 5xx answers, then succeeds', async () => {
    const ts = session();
    ts.post(v2at('metadata/search')).reply(503, 'Service Unavailable');
    ts.post(v2at('metadata/search')).reply(500, V2_500);
    ts.post(v2at('metadata/search')).reply(200, []);
    expect(await testV2Client().listObjectHeaders({ type: 'LOGICAL_TABLE' })).toEqual([]);
    expect(count('metadata/search')).toBe(3);
  });

  it('retries a read after a network error, and gives up after the configured attempts with a typed error', async () => {
    const ts = session();
    ts.post(v2at('metadata/tml/export')).replyWithError(connectionError('ECONNRESET', 'socket hang up'));
    ts.post(v2at('metadata/tml/export')).times(2).reply(500, V2_500);
    const error = await testV2Client().exportTml(['m-1']).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ThoughtSpotApiError', status: 500, code: 10000, endpoint: 'metadata/tml/export', incidentId: 'inc-500', detail: 'Internal error' });
    expect(count('metadata/tml/export')).toBe(3);
  });

  it('never re-sends an import whose answer is lost: the outcome is reported as uncertain', async () => {
    const ts = session();
    ts.post(v2at('metadata/tml/import')).replyWithError(connectionError('ECONNRESET', 'socket hang up'));
    ts.post(v2at('metadata/tml/import')).reply(502, V2_500);
    const client = testV2Client();
    const lost = await client.importTml([DOC], { policy: 'ALL_OR_NONE', forceCreate: false }).catch((e: unknown) => e);
    expect(lost).toBeInstanceOf(ThoughtSpotUncertainWriteError);
    expect((lost as ThoughtSpotUncertainWriteError).failure).toBeInstanceOf(ThoughtSpotNetworkError);
    expect((lost as Error).message).toMatch(/^ThoughtSpot metadata\/tml\/import: outcome unknown, the write may or may not have been applied; verify before retrying/);
    const failed = await client.importTml([DOC], { policy: 'PARTIAL', forceCreate: true }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(ThoughtSpotUncertainWriteError);
    expect((failed as ThoughtSpotUncertainWriteError).failure).toMatchObject({ status: 502, code: 10000, incidentId: 'inc-500' });
    expect(count('metadata/tml/import')).toBe(2);
  });

  it('never re-submits an asynchronous import whose answer is lost', async () => {
    session().post(v2at('metadata/tml/async/import')).reply(500, V2_500);
    await expect(testV2Client().importTmlAsync([DOC], { policy: 'PARTIAL', forceCreate: false, pollIntervalMs: 1 })).rejects.toBeInstanceOf(ThoughtSpotUncertainWriteError);
    expect(count('metadata/tml/async/import')).toBe(1);
  });

  it('reports an asynchronous import that does not end in time as uncertain, without submitting it again', async () => {
    const ts = session();
    ts.post(v2at('metadata/tml/async/import')).reply(200, { task_id: 'task-1', task_status: 'IN_QUEUE' });
    ts.post(v2at('metadata/tml/async/status')).reply(200, { status_list: [{ task_id: 'task-1', task_status: 'IN_PROGRESS' }] });
    const error = await testV2Client().importTmlAsync([DOC], { policy: 'PARTIAL', forceCreate: false, pollIntervalMs: 1, maxWaitMs: 0 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ThoughtSpotUncertainWriteError);
    expect((error as Error).message).toContain('task task-1 is still IN_PROGRESS');
    expect(count('metadata/tml/async/import')).toBe(1);
  });

  it('reports a background import that failed without per-object results as uncertain', async () => {
    const ts = session();
    ts.post(v2at('metadata/tml/async/import')).reply(200, { task_id: 'task-1', task_status: 'IN_QUEUE' });
    ts.post(v2at('metadata/tml/async/status')).reply(200, { status_list: [{ task_id: 'task-1', task_status: 'FAILED' }] });
    const error = await testV2Client().importTmlAsync([DOC], { policy: 'PARTIAL', forceCreate: false, pollIntervalMs: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ThoughtSpotUncertainWriteError);
    expect((error as Error).message).toContain('task task-1 has no import_response list');
    expect(count('metadata/tml/async/import')).toBe(1);
  });

  it('sends an import again when the connection was refused: nothing reached the server', async () => {
    const ts = session();
    ts.post(v2at('metadata/tml/import')).replyWithError(connectionError('ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.1:443'));
    ts.post(v2at('metadata/tml/import')).reply(200, IMPORTED);
    expect(await testV2Client().importTml([DOC], { policy: 'PARTIAL', forceCreate: false })).toMatchObject([{ ok: true }]);
    expect(count('metadata/tml/import')).toBe(2);
  });

  it('retries a validate-only import and a dry-run principal import: they persist nothing', async () => {
    const ts = session();
    ts.post(v2at('metadata/tml/import')).reply(500, V2_500);
    ts.post(v2at('metadata/tml/import')).reply(200, IMPORTED);
    ts.post(v2at('groups/import')).reply(503);
    ts.post(v2at('groups/import')).reply(200, { groups_added: [], groups_updated: [], groups_deleted: [] });
    ts.post(v2at('users/import')).replyWithError(connectionError('ECONNRESET', 'socket hang up'));
    ts.post(v2at('users/import')).reply(200, {});
    const client = testV2Client();
    await client.importTml([DOC], { policy: 'VALIDATE_ONLY', forceCreate: false });
    await client.syncUsers({ principals: [], applyChanges: false, removeDeleted: false });
    expect([count('metadata/tml/import'), count('groups/import'), count('users/import')]).toEqual([2, 2, 2]);
  });

  it.each([
    ['metadata/delete', (c: ThoughtSpotV2Client) => c.deleteObjects({ type: 'LOGICAL_TABLE', ids: ['t-1'] })],
    ['groups/import', (c: ThoughtSpotV2Client) => c.syncUsers({ principals: [], applyChanges: true, removeDeleted: true })],
    ['users/change-password', (c: ThoughtSpotV2Client) => c.updatePassword({ name: 'a', currentPassword: 'old-1', newPassword: 'new-1' })],
    ['security/metadata/assign', (c: ThoughtSpotV2Client) => c.transferOwnership({ toUserName: 'b', objectIds: ['lb-1'] })],
  ])('never re-sends the write %s after a 5xx', async (endpoint, call) => {
    session().post(v2at(endpoint)).reply(502);
    await expect(call(testV2Client())).rejects.toBeInstanceOf(ThoughtSpotUncertainWriteError);
    expect(count(endpoint)).toBe(1);
  });

  it('never re-sends an applied users/import or a privilege update after a broken connection', async () => {
    const ts = session();
    ts.post(v2at('groups/import')).reply(200, { groups_added: [], groups_updated: [], groups_deleted: [] });
    ts.post(v2at('users/import')).replyWithError(connectionError('ECONNRESET', 'socket hang up'));
    ts.post(v2at('groups/search')).reply(200, [{ id: 'g-1', name: 'Sales', display_name: 'Sales', visibility: 'SHARABLE', privileges: [] }]);
    ts.post(v2at('groups/g-1/update')).replyWithError(connectionError('ECONNRESET', 'socket hang up'));
    const client = testV2Client();
    await expect(client.syncUsers({ principals: [], applyChanges: true, removeDeleted: false })).rejects.toMatchObject({ name: 'ThoughtSpotUncertainWriteError', endpoint: 'users/import' });
    await expect(client.addPrivilege({ privilege: 'DEVELOPER', groupNames: ['Sales'] })).rejects.toMatchObject({ name: 'ThoughtSpotUncertainWriteError', endpoint: 'groups/{group_identifier}/update' });
    expect([count('users/import'), count('groups/g-1/update')]).toEqual([1, 1]);
  });

  it('refuses a success status with a body of the wrong shape', async () => {
    session().post(v2at('metadata/tml/import')).reply(200, { object: [] });
    await expect(testV2Client().importTml([DOC], { policy: 'PARTIAL', forceCreate: false })).rejects.toMatchObject({ name: 'ThoughtSpotResponseError', endpoint: 'metadata/tml/import', status: 200 });
  });
});
