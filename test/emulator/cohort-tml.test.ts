import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { loginCookie, raw } from './raw-http.js';

/** Issue 18: the emulator imports and exports cohorts (Sets) as the TML core reads them. */
const realTml = new URL('../fixtures/real-tml/', import.meta.url);
const read = (file: string) => readFileSync(new URL(file, realTml), 'utf8');
const COHORTS = ['cohort/thoughtspot_tml--DUMMY_SIMPLE.cohort.tml', 'cohort/thoughtspot_tml--DUMMY_ADVANCED.cohort..tml'];
/** The worksheet both cohorts stand on, reduced to what they need. */
const WORKSHEET = 'guid: 5e1a3a71-0d25-4a7e-9f3c-3c1f4f1d2a10\nmodel:\n  name: (Sample) Retail - Apparel\n  model_tables: []\n  columns: []\n';

let emulator: RunningEmulator;
let cookie: string;
beforeAll(async () => {
  emulator = await startEmulator({ seed: 'none' });
  cookie = await loginCookie(emulator.url);
});
afterAll(() => emulator.close());

async function post(path: string, form: Record<string, string>): Promise<{ object: { response?: { status: { status_code: string; error_message?: string }; header?: { id_guid?: string } }; edoc?: string }[] }> {
  const res = await raw(emulator.url, 'POST', path, { cookie, headers: { Accept: 'text/plain' }, form });
  expect(res.status).toBe(200);
  return (await res.json()) as never;
}

describe('cohorts in the emulator', () => {
  it('imports both cohorts after the worksheet they stand on, and exports each back byte for byte', async () => {
    const imported = await post('metadata/tml/import', { import_objects: JSON.stringify([WORKSHEET, ...COHORTS.map(read)]) });
    expect(imported.object.map((o) => `${o.response?.status.status_code} ${o.response?.status.error_message ?? ''}`.trim())).toEqual(['OK', 'OK', 'OK']);
    const ids = imported.object.slice(1).map((o) => o.response?.header?.id_guid ?? '');
    const exported = await post('metadata/tml/export', { export_ids: JSON.stringify(ids) });
    expect(exported.object.map((o) => o.edoc)).toEqual(COHORTS.map(read));
  });

  it('lists the cohorts as LOGICAL_COLUMNs of subtype COHORT (UNCONFIRMED, tml/kinds/cohort.ts), and not among the LOGICAL_TABLEs', async () => {
    const list = async (query: Record<string, string>) => {
      const res = await raw(emulator.url, 'GET', 'metadata/listobjectheaders', { cookie, query });
      expect(res.status).toBe(200);
      return ((await res.json()) as { name: string; type?: string }[]).map((h) => `${h.name} ${h.type ?? ''}`.trim());
    };
    expect(await list({ type: 'LOGICAL_COLUMN', subtypes: '["COHORT"]' })).toEqual(['First Purchase Date COHORT', 'Region Groupings COHORT']);
    expect(await list({ type: 'LOGICAL_COLUMN', subtypes: '["FORMULA"]' })).toEqual([]);
    expect(await list({ type: 'LOGICAL_TABLE' })).toEqual(['(Sample) Retail - Apparel WORKSHEET']);
  });
});
