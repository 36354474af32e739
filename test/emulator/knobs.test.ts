import { describe, expect, it } from 'vitest';
import { startEmulator } from '../../src/emulator/index.js';
import { loginCookie, raw } from './raw-http.js';

describe('emulator knobs', () => {
  it('answers 429 with Retry-After beyond --rate-limit requests per second', async () => {
    const emulator = await startEmulator({ seed: 'none', rateLimit: 3 });
    try {
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 5; i += 1) {
        const res = await raw(emulator.url, 'POST', 'session/login', { form: { username: 'tsadmin', password: 'admin' } });
        statuses.push(res.status);
        if (res.status === 429) retryAfter = res.headers.get('retry-after');
      }
      expect(statuses.slice(0, 3)).toEqual([204, 204, 204]);
      expect(statuses.slice(3)).toEqual([429, 429]);
      expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    } finally {
      await emulator.close();
    }
  });

  it('answers 503 with --fail-rate 1 and resets connections with --drop-rate 1', async () => {
    const failing = await startEmulator({ seed: 'none', failRate: 1 });
    const dropping = await startEmulator({ seed: 'none', dropRate: 1 });
    try {
      const res = await raw(failing.url, 'GET', 'user/list');
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ code: 10000 });
      await expect(raw(dropping.url, 'GET', 'user/list').then((r) => r.text())).rejects.toThrow();
    } finally {
      await failing.close();
      await dropping.close();
    }
  });

  it('delays answers by --latency-ms', async () => {
    const emulator = await startEmulator({ seed: 'none', latencyMs: 150 });
    try {
      const started = performance.now();
      await raw(emulator.url, 'GET', 'user/list');
      expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    } finally {
      await emulator.close();
    }
  });

  it('expires idle sessions after --session-ttl', async () => {
    const emulator = await startEmulator({ seed: 'none', sessionTtlMs: 100 });
    try {
      const cookie = await loginCookie(emulator.url);
      expect((await raw(emulator.url, 'GET', 'user/list', { cookie })).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect((await raw(emulator.url, 'GET', 'user/list', { cookie })).status).toBe(401);
    } finally {
      await emulator.close();
    }
  });

  it('assigns fresh GUIDs with --guid-policy regenerate, and updates that object on the next import of the same GUID', async () => {
    const emulator = await startEmulator({ guidPolicy: 'regenerate' });
    try {
      const cookie = await loginCookie(emulator.url);
      const guid = '5e5e5e5e-1111-4222-8333-944444444444';
      const doc = `guid: ${guid}\nanswer:\n  name: Regenerated\n  tables:\n  - id: Retail Sales\n    name: Retail Sales\n  search_query: "[Region]"\n`;
      const res = await raw(emulator.url, 'POST', 'metadata/tml/import', { cookie, form: { import_objects: JSON.stringify([doc]) } });
      const id = ((await res.json()) as { object: { response: { header: { id_guid: string } } }[] }).object[0]!.response.header.id_guid;
      expect(id).not.toBe(guid);
      const again = await raw(emulator.url, 'POST', 'metadata/tml/import', { cookie, form: { import_objects: JSON.stringify([doc.replace(guid, id).replace('Regenerated', 'Renamed')]) } });
      expect(((await again.json()) as { object: { response: { header: { id_guid: string } } }[] }).object[0]!.response.header.id_guid).toBe(id);
      expect(emulator.state.objects.get(id)!.name).toBe('Renamed');
    } finally {
      await emulator.close();
    }
  });
});
