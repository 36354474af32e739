import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/errors/index.js';
import { formFields, useHttpMock } from '../http-mock.js';
import { at, BASE, jsonBody, mockLogin, mockToken, testClient, testV2Client, v2at, v2Error } from './fixture.js';

const http = useHttpMock();

const V1_401 = { code: 10002, incident_id_guid: 'inc-401', trace_id_guid: 'trace-401', debug: '["Session expired"]' };
const SESSION_ORGS = { currentOrgId: 0, orgs: [{ orgId: 0, orgName: 'Primary', description: '' }, { orgId: 42, orgName: 'Prod', description: '' }] };
const USER_ORGS = { id: 'u-tsadmin', name: 'tsadmin', display_name: 'Administrator', current_org: { id: 0, name: 'Primary' }, orgs: [{ id: 0, name: 'Primary' }, { id: 42, name: 'Prod' }] };

/** Each request as `METHOD path`, without the API prefix. */
function calls(prefix: string): string[] {
  return http.requests.map((request) => `${request.method} ${request.pathname.replace(prefix, '')}`);
}

describe('an environment\'s Org over v1', () => {
  it('looks the Org up by name once, and moves every new session into it, after a re-login too', async () => {
    const ts = http.scope(BASE);
    mockLogin(ts);
    ts.get(at('session/orgs')).query({ batchsize: '-1', offset: '-1' }).reply(200, SESSION_ORGS);
    ts.put(at('session/orgs')).reply(204);
    ts.get(at('user/list')).reply(401, V1_401);
    mockLogin(ts, 'session-2');
    ts.put(at('session/orgs')).reply(204);
    ts.get(at('user/list')).reply(200, []);
    await testClient({ org: 'prod' }).listUsers();
    expect(calls(at(''))).toEqual(['POST session/login', 'GET session/orgs', 'PUT session/orgs', 'GET user/list', 'POST session/login', 'PUT session/orgs', 'GET user/list']);
    const switches = http.requests.filter((r) => r.method === 'PUT');
    expect(switches.map((r) => formFields(r).get('orgid'))).toEqual(['42', '42']);
    expect(switches[1]!.headers.cookie).toContain('JSESSIONID=session-2');
  });

  it('does not switch a session already in the Org, found by its id', async () => {
    const ts = http.scope(BASE);
    mockLogin(ts);
    ts.get(at('session/orgs')).query(true).reply(200, SESSION_ORGS);
    ts.get(at('user/list')).reply(200, []);
    await testClient({ org: '0' }).listUsers();
    expect(calls(at(''))).toEqual(['POST session/login', 'GET session/orgs', 'GET user/list']);
  });

  it('refuses an Org the user is not in, naming the Org, the user and their Orgs, before any other call', async () => {
    const ts = http.scope(BASE);
    mockLogin(ts);
    ts.get(at('session/orgs')).query(true).reply(200, SESSION_ORGS);
    const failure = testClient({ org: 'Staging' }).listUsers();
    await expect(failure).rejects.toBeInstanceOf(InvalidInputError);
    await expect(failure).rejects.toThrow('Org Staging: user tsadmin is not in it, or it does not exist (tsadmin is in: Primary (0), Prod (42))');
  });
});

describe('an environment\'s Org over v2', () => {
  it('looks the Org up once with a default-Org token it then revokes, and asks every later token for the Org', async () => {
    const ts = http.scope(BASE);
    mockToken(ts, 'probe');
    ts.get(v2at('auth/session/user')).reply(200, USER_ORGS);
    mockToken(ts, 'token-1');
    ts.post(v2at('auth/token/revoke')).reply(204);
    ts.get(v2at('system')).reply(401, v2Error(10002, 'Token expired'));
    mockToken(ts, 'token-2');
    ts.get(v2at('system')).reply(200, {});
    await testV2Client({ org: 'Prod' }).systemInfo();
    expect(calls(v2at(''))).toEqual(['POST auth/token/full', 'GET auth/session/user', 'POST auth/token/full', 'POST auth/token/revoke', 'GET system', 'POST auth/token/full', 'GET system']);
    const tokens = http.requests.filter((r) => r.pathname === v2at('auth/token/full')).map((r) => (jsonBody(r) as { org_id?: number }).org_id);
    expect(tokens).toEqual([undefined, 42, 42]);
    expect(jsonBody(http.requests[3])).toEqual({ token: 'probe' });
    expect(http.requests[1]!.headers.authorization).toBe('Bearer probe');
  });

  it('refuses an Org the user is not in with exit-2 error naming both, and revokes the look-up\'s token', async () => {
    const ts = http.scope(BASE);
    mockToken(ts, 'probe');
    ts.get(v2at('auth/session/user')).reply(200, USER_ORGS);
    ts.post(v2at('auth/token/revoke')).reply(204);
    const failure = testV2Client({ org: '7' }).systemInfo();
    await expect(failure).rejects.toBeInstanceOf(InvalidInputError);
    await expect(failure).rejects.toThrow('Org 7: user tsadmin is not in it');
    expect(calls(v2at(''))).toEqual(['POST auth/token/full', 'GET auth/session/user', 'POST auth/token/revoke']);
  });
});
