import { describe, expect, it } from 'vitest';
import { connect, servicesOf, withSession, type Session } from '../../src/app/index.js';
import type { EnvironmentConfig } from '../../src/config/index.js';
import { Redactor, silentLogger } from '../../src/log/index.js';
import { useHttpMock } from '../http-mock.js';
import { at, BASE, mockLogin, PASSWORD } from '../thoughtspot/fixture.js';

const http = useHttpMock();

const environment: EnvironmentConfig = {
  name: 'prod', branch: 'main', url: BASE, username: 'tsadmin', password: PASSWORD, direction: 'export', schedule: '*/10 * * * *', timeoutMs: 5_000,
  importPolicy: 'ALL_OR_NONE', dataChecks: { enabled: true }, prune: false, maxDeletions: 10, conflictPolicy: 'manual', watch: false, api: 'v1',
};
const services = () => servicesOf({ log: silentLogger(), redactor: new Redactor(), env: {} });
const paths = () => http.requests.map((r) => `${r.method} ${r.pathname.replace(at(''), '')}`);

/** The session wrapper of the application layer: every session ends, whatever the work did. */
describe('withSession over an environment connection', () => {
  it('logs out after the work succeeds, and hands back what the work returned', async () => {
    const ts = http.scope(BASE);
    mockLogin(ts);
    ts.get(at('user/list')).reply(200, []);
    ts.post(at('session/logout')).reply(204);
    const principals = await withSession(connect(environment, services()), (connection) => connection.port.listPrincipals());
    expect(principals).toEqual([]);
    expect(paths()).toEqual(['POST session/login', 'GET user/list', 'POST session/logout']);
  });

  it('logs out when the work throws, and the work\'s error is what the caller gets', async () => {
    const ts = http.scope(BASE);
    mockLogin(ts);
    ts.get(at('user/list')).reply(200, []);
    ts.post(at('session/logout')).reply(204);
    const run = withSession(connect(environment, services()), async (connection) => {
      await connection.port.listPrincipals();
      throw new Error('the workflow failed');
    });
    await expect(run).rejects.toThrow('the workflow failed');
    expect(paths()).toEqual(['POST session/login', 'GET user/list', 'POST session/logout']);
  });

  it('sends nothing when the work never called ThoughtSpot: there is no session to end', async () => {
    await expect(withSession(connect(environment, services()), () => Promise.reject(new Error('the repository is missing')))).rejects.toThrow('the repository is missing');
    expect(http.requests).toEqual([]);
  });
});

describe('withSession', () => {
  it('keeps the work\'s outcome when the logout itself fails', async () => {
    const ended: string[] = [];
    const session: Session = {
      logout: () => {
        ended.push('logout');
        return Promise.reject(new Error('connection reset'));
      },
    };
    await expect(withSession(session, () => Promise.resolve(42))).resolves.toBe(42);
    await expect(withSession(session, () => Promise.reject(new Error('the run failed')))).rejects.toThrow('the run failed');
    expect(ended).toEqual(['logout', 'logout']);
  });
});
