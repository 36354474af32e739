import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { loginCookie, raw } from './raw-http.js';

/** The first 10 generated objects of each kind are imported, the rest stored directly: 20 spans both. */
const SCALE = 20;

let emulator: RunningEmulator;
let cookie: string;
beforeAll(async () => {
  emulator = await startEmulator({ seed: 'none', seedScale: SCALE });
  cookie = await loginCookie(emulator.url);
});
afterAll(() => emulator.close());

type ImportItem = { response: { status: { status_code: string; error_message?: string } } };
type ExportItem = { info: { status: { status_code: string } }; edoc: string };

describe('the scale seed (--seed-scale)', () => {
  it('holds N objects of every generated kind and one connection, dated in the order they were made', () => {
    const objects = [...emulator.state.objects.values()];
    const kinds = new Map<string, number>();
    for (const o of objects) kinds.set(o.kind, (kinds.get(o.kind) ?? 0) + 1);
    expect(Object.fromEntries(kinds)).toEqual({ connection: 1, table: SCALE, sql_view: SCALE, model: SCALE, worksheet: SCALE, view: SCALE, answer: SCALE, liveboard: SCALE });
    const modified = objects.filter((o) => o.kind !== 'connection').map((o) => o.modified);
    expect(modified).toEqual([...modified].sort((a, b) => a - b));
  });

  it('stores its later objects as the import path would: each exports, and imports back unchanged as valid TML', async () => {
    const last = [...emulator.state.objects.values()].filter((o) => o.name.endsWith(` ${SCALE - 1}`) || o.name === `scale_table_${SCALE - 1}`);
    expect(last).toHaveLength(7);
    const exported = await raw(emulator.url, 'POST', 'metadata/tml/export', { cookie, headers: { Accept: 'text/plain' }, form: { export_ids: JSON.stringify(last.map((o) => o.id)), formattype: 'YAML', export_fqn: 'true', export_schema_version: 'v2' } });
    const items = ((await exported.json()) as { object: ExportItem[] }).object;
    expect(items.map((i) => i.info.status.status_code)).toEqual(last.map(() => 'OK'));
    const validated = await raw(emulator.url, 'POST', 'metadata/tml/import', { cookie, headers: { Accept: 'text/plain' }, form: { import_objects: JSON.stringify(items.map((i) => i.edoc)), import_policy: 'VALIDATE_ONLY' } });
    const results = ((await validated.json()) as { object: ImportItem[] }).object;
    expect(results.map((r) => r.response.status.status_code)).toEqual(last.map(() => 'OK'));
  });
});
