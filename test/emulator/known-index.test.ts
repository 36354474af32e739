import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { knownIndex } from '../../src/emulator/known-index.js';
import { TSADMIN_ID } from '../../src/emulator/principals.js';
import { scaleBatches, storeDirectly } from '../../src/emulator/seed/scale.js';
import { parse, type TmlMap } from '../../src/tml/index.js';
import { loginCookie, raw } from './raw-http.js';

let emulator: RunningEmulator;
let cookie: string;
beforeAll(async () => {
  emulator = await startEmulator({ seed: 'none' });
  storeDirectly(emulator.state, TSADMIN_ID, [...scaleBatches(3)].flat());
  cookie = await loginCookie(emulator.url);
});
afterAll(() => emulator.close());

const named = (name: string) => [...emulator.state.objects.values()].find((o) => o.name === name)!;

/** An answer stored with a reference to a model by name alone, as a document written by hand has it. */
function answerOn(model: string): string {
  const guid = randomUUID();
  const answer = { name: `Answer on ${model}`, tables: [{ id: model, name: model }], search_query: '[Key]', answer_columns: [{ name: 'Key' }], display_mode: 'TABLE_MODE' };
  storeDirectly(emulator.state, TSADMIN_ID, [{ guid, answer }]);
  return guid;
}

/** The fqn an export with `export_fqn` writes into the answer's reference to its model (none when it resolves to nothing). */
async function exportedFqn(id: string): Promise<unknown> {
  const res = await raw(emulator.url, 'POST', 'metadata/tml/export', { cookie, form: { export_ids: JSON.stringify([id]), export_fqn: 'true' } });
  const [exported] = ((await res.json()) as { object: { edoc: string }[] }).object;
  return ((parse(exported!.edoc).body.tables as TmlMap[])[0]!).fqn;
}

describe('the references an export resolves, kept up to date', () => {
  it('resolve to an object renamed in place to the name referenced', async () => {
    const answer = answerOn('Target Model');
    expect(await exportedFqn(answer)).toBeUndefined();
    const model = named('Scale Model 1');
    model.name = 'Target Model';
    expect(await exportedFqn(answer)).toBe(model.id);
  });

  it('resolve to an object imported under the name referenced, and to nothing once it is gone', async () => {
    const answer = answerOn('New Model');
    expect(await exportedFqn(answer)).toBeUndefined();
    const model = 'model:\n  name: New Model\n  model_tables:\n  - name: scale_table_2\n  columns:\n  - name: Key\n    column_id: scale_table_2::key\n    properties:\n      column_type: ATTRIBUTE\n';
    const res = await raw(emulator.url, 'POST', 'metadata/tml/import', { cookie, form: { import_objects: JSON.stringify([model]) } });
    const id = ((await res.json()) as { object: { response: { header: { id_guid: string } } }[] }).object[0]!.response.header.id_guid;
    expect(await exportedFqn(answer)).toBe(id);

    emulator.state.objects.delete(id);
    expect(await exportedFqn(answer)).toBeUndefined();
    expect(knownIndex(emulator.state).byName.has('New Model')).toBe(false);
  });
});
