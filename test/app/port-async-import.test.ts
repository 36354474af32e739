import { describe, expect, it } from 'vitest';
import { ASYNC_IMPORT_FROM, thoughtspotPort } from '../../src/app/thoughtspot-port.js';
import { useHttpMock } from '../http-mock.js';
import { BASE, jsonBody, mockToken, testV2Client, v2at, v2Error } from '../thoughtspot/fixture.js';

const http = useHttpMock();

const docs = (n: number) => Array.from({ length: n }, (_, i) => `guid: t-${i}\ntable:\n  name: t${i}\n`);
const imported = (n: number) => ({ object: Array.from({ length: n }, (_, i) => ({ response: { status: { status_code: 'OK' }, header: { id_guid: `env-${i}`, name: `t${i}` } } })) });
const paths = () => http.requests.map((r) => r.pathname.replace(v2at(''), ''));

function session() {
  const ts = http.scope(BASE);
  mockToken(ts);
  return ts;
}

describe('the port over v2: large imports in the background', () => {
  it(`imports a batch of ${ASYNC_IMPORT_FROM} documents or more as an async task, polled until it completes`, async () => {
    const ts = session();
    ts.post(v2at('metadata/tml/async/import')).reply(200, { task_id: 'task-1', task_status: 'IN_QUEUE' });
    ts.post(v2at('metadata/tml/async/status')).reply(200, { status_list: [{ task_id: 'task-1', task_status: 'COMPLETED', import_response: imported(ASYNC_IMPORT_FROM) }], last_batch: true });
    const answer = await thoughtspotPort(testV2Client()).importTml(docs(ASYNC_IMPORT_FROM), 'ALL_OR_NONE');
    expect(answer).toEqual({ answered: true, results: Array.from({ length: ASYNC_IMPORT_FROM }, (_, i) => ({ ok: true, id: `env-${i}` })) });
    expect(paths()).toEqual(['auth/token/full', 'metadata/tml/async/import', 'metadata/tml/async/status']);
    expect(jsonBody(http.requests[1])).toMatchObject({ import_policy: 'ALL_OR_NONE', create_new: false });
  });

  it('imports a small batch, and any VALIDATE_ONLY, in one synchronous call', async () => {
    const ts = session();
    ts.post(v2at('metadata/tml/import')).reply(200, imported(2).object);
    ts.post(v2at('metadata/tml/import')).reply(200, imported(ASYNC_IMPORT_FROM).object);
    const port = thoughtspotPort(testV2Client());
    expect((await port.importTml(docs(2), 'PARTIAL')).answered).toBe(true);
    expect((await port.importTml(docs(ASYNC_IMPORT_FROM), 'VALIDATE_ONLY')).answered).toBe(true);
    expect(paths()).toEqual(['auth/token/full', 'metadata/tml/import', 'metadata/tml/import']);
  });

  it('reports a task whose submission got no answer as lost, and never submits it again', async () => {
    session().post(v2at('metadata/tml/async/import')).replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    const answer = await thoughtspotPort(testV2Client()).importTml(docs(ASYNC_IMPORT_FROM), 'PARTIAL');
    expect(answer).toMatchObject({ answered: false, error: expect.stringMatching(/outcome unknown/) });
    expect(paths()).toEqual(['auth/token/full', 'metadata/tml/async/import']);
  });

  it('reports a submitted task whose status cannot be read as lost, without submitting it again', async () => {
    const ts = session();
    ts.post(v2at('metadata/tml/async/import')).reply(200, { task_id: 'task-1', task_status: 'IN_QUEUE' });
    ts.post(v2at('metadata/tml/async/status')).times(3).reply(500, v2Error(10000, 'Internal error'));
    const answer = await thoughtspotPort(testV2Client()).importTml(docs(ASYNC_IMPORT_FROM), 'PARTIAL');
    expect(answer).toMatchObject({ answered: false, error: expect.stringMatching(/outcome unknown/) });
    expect(paths().filter((p) => p === 'metadata/tml/async/import')).toHaveLength(1);
  });
});
