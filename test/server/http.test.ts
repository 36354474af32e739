import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../src/emulator/index.js';
import { InvalidInputError } from '../../src/errors/index.js';
import { createLogger } from '../../src/log/index.js';
import { startHttp, type RunningHttp } from '../../src/server/http.js';
import { Metrics } from '../../src/server/metrics.js';
import type { RunRecord } from '../../src/sync/kernel/runs.js';

const TOKEN = 'api-token-for-tests';
const logLines: string[] = [];
const run: RunRecord = { id: 'r 1', environment: 'dev', loop: 'export', status: 'queued', trigger: 'api', requestedAt: '2026-01-01T00:00:00.000Z' };
let http: RunningHttp;

beforeAll(async () => {
  const destination = new Writable({ write: (chunk: Buffer, _encoding, done) => done(void logLines.push(chunk.toString())) });
  http = await startHttp({
    host: '127.0.0.1',
    port: 0,
    apiToken: TOKEN,
    status: { status: () => [] },
    metrics: new Metrics(),
    log: createLogger({ level: 'info', destination }),
    daemon: {
      environments: () => [{ name: 'dév', branch: 'dev', direction: 'export' }],
      request: (name) => (name === 'dév' ? run : undefined),
      runs: { get: (id) => (id === run.id ? run : undefined), firstDelivery: () => true },
    },
  });
});
afterAll(() => http.close());

const call = (method: string, path: string) => fetch(`${http.url}${path}`, { method, headers: { authorization: `Bearer ${TOKEN}` } });

describe('trigger API paths (issue 15, item 13)', () => {
  it('answers 400 with a clear error to malformed percent-encoding, and logs no handler failure', async () => {
    for (const [method, path] of [['POST', '/api/v1/environments/%E0%A4%A/export'], ['POST', '/api/v1/environments/%/deploy'], ['GET', '/api/v1/runs/%ZZ']] as const) {
      const res = await call(method, path);
      expect(res.status, path).toBe(400);
      expect(await res.json()).toEqual({ error: expect.stringMatching(/^the path holds malformed percent-encoding/) });
    }
    expect(logLines.filter((line) => line.includes('handler failed'))).toEqual([]);
  });

  it('still decodes well-formed percent-encoding', async () => {
    const triggered = await call('POST', `/api/v1/environments/${encodeURIComponent('dév')}/export`);
    expect(triggered.status).toBe(202);
    const found = await call('GET', `/api/v1/runs/${encodeURIComponent('r 1')}`);
    expect(await found.json()).toMatchObject({ id: 'r 1' });
  });

  it('asks for the token before looking at the path', async () => {
    expect((await fetch(`${http.url}/api/v1/runs/%ZZ`)).status).toBe(401);
  });
});

// A fresh-user trial: a second daemon on a port in use printed Node's "listen EADDRINUSE: address already in use", naming no setting.
describe('a port in use', () => {
  it('names the address and the setting, as the user\'s to change (exit 2), for the daemon and the emulator', async () => {
    const taken = { host: '127.0.0.1', port: http.port };
    const second = startHttp({ ...taken, status: { status: () => [] }, metrics: new Metrics(), log: createLogger({ level: 'silent' }) });
    await expect(second).rejects.toThrow(new RegExp(`^cannot listen on 127\\.0\\.0\\.1:${http.port} \\(server\\.host, server\\.port\\): the port is in use`));
    await expect(second).rejects.toBeInstanceOf(InvalidInputError);
    await expect(startEmulator(taken)).rejects.toThrow(new RegExp(`^cannot listen on 127\\.0\\.0\\.1:${http.port} \\(the emulator's --host, --port\\): the port is in use`));
  });
});
