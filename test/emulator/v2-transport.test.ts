import { describe, expect, it } from 'vitest';
import { parseApis, startEmulator } from '../../src/emulator/index.js';
import { raw } from './raw-http.js';
import { useV2Emulator, v2, v2Error, v2Token } from './v2-http.js';

const stage = useV2Emulator({ seed: 'none' });

describe('v2 transport', () => {
  it('answers an unknown path 404 and a wrong method 405, with the v2 error body', async () => {
    const missing = await v2(stage.url, 'POST', 'no/such/thing', {}, stage.token);
    expect(await v2Error(missing)).toMatchObject({ status: 404, code: 10004 });
    expect(missing.headers.get('x-callosum-incident-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect((await v2(stage.url, 'GET', 'metadata/search', undefined, stage.token)).status).toBe(405);
  });

  it('needs no X-Requested-By, refuses a body that is not JSON (415) or not valid JSON (400)', async () => {
    const form = await fetch(new URL('/api/rest/2.0/metadata/search', stage.url), {
      method: 'POST', headers: { authorization: `Bearer ${stage.token}`, 'content-type': 'application/x-www-form-urlencoded' }, body: 'record_size=1',
    });
    expect(form.status).toBe(415);
    const broken = await fetch(new URL('/api/rest/2.0/metadata/search', stage.url), {
      method: 'POST', headers: { authorization: `Bearer ${stage.token}`, 'content-type': 'application/json' }, body: '{"record_size": ',
    });
    expect(await v2Error(broken)).toMatchObject({ status: 400, message: 'The request body is not valid JSON' });
  });

  it('names a field of the wrong type, nested ones by their path', async () => {
    expect((await v2Error(await v2(stage.url, 'POST', 'metadata/search', { record_size: 'ten' }, stage.token))).message).toContain('record_size');
    const nested = await v2(stage.url, 'POST', 'metadata/tml/export', { metadata: [{ type: 'LIVEBOARD' }] }, stage.token);
    expect(await v2Error(nested)).toMatchObject({ status: 400, message: expect.stringContaining('metadata[0].identifier') });
  });

  it('answers 403 when the user lacks the privilege v2 documents for the call', async () => {
    const admin = await v2Token(stage.url);
    const users = [{ user_identifier: 'reader', display_name: 'Reader', password: 'reader-pass-1', group_identifiers: ['All'] }];
    expect((await v2(stage.url, 'POST', 'users/import', { users, dry_run: false }, admin)).status).toBe(200);
    const reader = await v2Token(stage.url, 'reader', 'reader-pass-1');
    const res = await v2(stage.url, 'POST', 'metadata/tml/export', { metadata: [{ identifier: 'x' }] }, reader);
    expect(await v2Error(res)).toMatchObject({ status: 403, code: 10023 });
    expect((await v2(stage.url, 'POST', 'users/import', { users: [] }, reader)).status).toBe(403);
  });
});

describe('--api', () => {
  it('takes v1, v2 or both, and names a bad value', () => {
    expect(parseApis('v1')).toEqual(['v1']);
    expect(parseApis('v1, V2,v1')).toEqual(['v1', 'v2']);
    expect(() => parseApis('v3')).toThrow("--api must be v1, v2 or v1,v2 (got 'v3')");
    expect(() => parseApis('')).toThrow('--api must be');
  });

  it('with v1 only, answers every v2 path 404 as an instance without v2 does, and still serves v1', async () => {
    const v1Only = await startEmulator({ seed: 'none', apis: ['v1'] });
    try {
      expect((await v2(v1Only.url, 'POST', 'auth/token/full', { username: 'tsadmin', password: 'admin' })).status).toBe(404);
      expect((await v2(v1Only.url, 'GET', 'system')).status).toBe(404);
      expect((await raw(v1Only.url, 'POST', 'session/login', { form: { username: 'tsadmin', password: 'admin' } })).status).toBe(204);
    } finally {
      await v1Only.close();
    }
  });

  it('with v2 only, answers v1 paths 404 and serves v2', async () => {
    const v2Only = await startEmulator({ seed: 'none', apis: ['v2'] });
    try {
      expect((await raw(v2Only.url, 'POST', 'session/login', { form: { username: 'tsadmin', password: 'admin' } })).status).toBe(404);
      expect((await v2(v2Only.url, 'POST', 'auth/token/full', { username: 'tsadmin', password: 'admin' })).status).toBe(200);
    } finally {
      await v2Only.close();
    }
  });
});

describe('fault knobs on v2 routes', () => {
  it('answers 429 with Retry-After and the v2 error body beyond --rate-limit', async () => {
    const limited = await startEmulator({ seed: 'none', rateLimit: 2 });
    try {
      const statuses: number[] = [];
      let last: Response | undefined;
      for (let i = 0; i < 4; i += 1) {
        last = await v2(limited.url, 'POST', 'auth/token/full', { username: 'tsadmin', password: 'admin' });
        statuses.push(last.status);
      }
      expect(statuses).toEqual([200, 200, 429, 429]);
      expect(Number(last!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect((await v2Error(last!)).message).toContain('Rate limit');
    } finally {
      await limited.close();
    }
  });

  it('answers 503 with --fail-rate 1 and resets connections with --drop-rate 1', async () => {
    const failing = await startEmulator({ seed: 'none', failRate: 1 });
    const dropping = await startEmulator({ seed: 'none', dropRate: 1 });
    try {
      expect(await v2Error(await v2(failing.url, 'GET', 'system'))).toMatchObject({ status: 503, code: 10000 });
      await expect(v2(dropping.url, 'GET', 'system').then((r) => r.text())).rejects.toThrow();
    } finally {
      await failing.close();
      await dropping.close();
    }
  });

  it('caps every stage.token at --session-ttl', async () => {
    const short = await startEmulator({ seed: 'none', sessionTtlMs: 5_000 });
    try {
      const res = await v2(short.url, 'POST', 'auth/token/full', { username: 'tsadmin', password: 'admin', validity_time_in_sec: 3600 });
      const answer = (await res.json()) as { creation_time_in_millis: number; expiration_time_in_millis: number };
      expect(answer.expiration_time_in_millis - answer.creation_time_in_millis).toBe(5_000);
    } finally {
      await short.close();
    }
  });
});
