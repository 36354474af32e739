import { beforeAll, describe, expect, it } from 'vitest';
import type { EmulatorState } from '../../src/emulator/state.js';
import { ok, useV2Emulator, v2, v2Error, v2Token } from './v2-http.js';

/** Object ids in the emulator (issue 13): per Org, exported when asked, matched by import, set and searched over v2. */
const stage = useV2Emulator({ seed: 'none', orgs: ['Ids'] }, (e) => ({ org_id: e.instance.findOrg('Ids')!.org.id }));
let org: EmulatorState;
beforeAll(() => {
  org = stage.emulator.instance.findOrg('Ids')!;
});

const CONNECTION = 'connection:\n  name: Conn\n  type: RDBMS_SNOWFLAKE\n  authentication_type: SERVICE_ACCOUNT\n  properties: []\n';
const table = (name: string, head = '', table = 'ORDERS') =>
  `${head}table:\n  name: ${name}\n  db: D\n  schema: S\n  db_table: ${table}\n  connection:\n    name: Conn\n  columns:\n  - name: Id\n    db_column_name: ID\n    properties:\n      column_type: ATTRIBUTE\n    db_column_properties:\n      data_type: INT64\n`;

type Imported = { response: { status: { status_code: string; error_message?: string }; header?: { id_guid: string } } }[];
const post = (path: string, body: unknown) => v2(stage.url, 'POST', path, body, stage.token);
const importTml = (docs: string[]) => ok<Imported>(post('metadata/tml/import', { metadata_tmls: docs, import_policy: 'PARTIAL' }));
const exportTml = (id: string, withObjId: boolean) =>
  ok<{ edoc: string }[]>(post('metadata/tml/export', { metadata: [{ identifier: id }], edoc_format: 'YAML', ...(withObjId ? { export_options: { include_obj_id: true } } : {}) }));
const named = (name: string) => [...org.objects.values()].find((o) => o.name === name)!;

describe('obj_id in the emulator (v2)', () => {
  it('keeps an imported obj_id on the object, exports it after the guid only when asked, and finds the object by it', async () => {
    await importTml([CONNECTION, table('Orders', 'obj_id: orders\n')]);
    const orders = named('Orders');
    expect(orders.objId).toBe('orders');
    expect((await exportTml(orders.id, true))[0]!.edoc).toMatch(new RegExp(`^guid: ${orders.id}\nobj_id: orders\ntable:\n`));
    expect((await exportTml(orders.id, false))[0]!.edoc).not.toContain('obj_id');
    const found = await ok<{ metadata_id: string; metadata_obj_id: string | null }[]>(post('metadata/search', { metadata: [{ obj_identifier: 'orders' }] }));
    expect(found.map((f) => [f.metadata_id, f.metadata_obj_id])).toEqual([[orders.id, 'orders']]);
    // Objects without one answer null; other Orgs never see this Org's obj_ids.
    const primary = await v2Token(stage.url);
    expect(await ok<unknown[]>(v2(stage.url, 'POST', 'metadata/search', { metadata: [{ obj_identifier: 'orders' }] }, primary))).toEqual([]);
  });

  it('updates the object with a document’s obj_id whatever guid the document has; two documents of one obj_id in one import fail', async () => {
    const orders = named('Orders');
    const [updated] = await importTml([table('Orders renamed', 'guid: 5b0c2f9e-8d41-4a73-9e62-1f7a3c8b4d10\nobj_id: orders\n')]);
    expect(updated!.response.header?.id_guid).toBe(orders.id);
    expect([...org.objects.values()].filter((o) => o.kind === 'table').map((o) => [o.id, o.name])).toEqual([[orders.id, 'Orders renamed']]);
    const twice = await importTml([table('A', 'obj_id: twin\n', 'A'), table('B', 'obj_id: twin\n', 'B')]);
    expect(twice.map((r) => r.response.status.status_code)).toEqual(['OK', 'ERROR']);
    expect(twice[1]!.response.status.error_message).toContain('obj_id twin is given to more than one object of this import');
  });

  it('metadata/update-obj-id: by GUID, by name with type, or by the current obj_id; one already in the Org is a 400, and nothing changes', async () => {
    await importTml([table('Customers', '', 'CUSTOMERS')]);
    const customers = named('Customers');
    const res = await post('metadata/update-obj-id', { metadata: [{ metadata_identifier: customers.id, new_obj_id: 'customers' }] });
    expect(res.status).toBe(204);
    expect(named('Customers').objId).toBe('customers');
    expect((await post('metadata/update-obj-id', { metadata: [{ metadata_identifier: 'Customers', type: 'LOGICAL_TABLE', new_obj_id: 'table-customers' }] })).status).toBe(204);
    expect((await post('metadata/update-obj-id', { metadata: [{ current_obj_id: 'table-customers', new_obj_id: 'customers-2' }] })).status).toBe(204);
    expect(named('Customers').objId).toBe('customers-2');
    const taken = await post('metadata/update-obj-id', { metadata: [{ metadata_identifier: customers.id, new_obj_id: 'orders' }] });
    expect(await v2Error(taken)).toMatchObject({ status: 400, message: expect.stringContaining('obj_id orders is already that of Orders renamed in this Org') });
    expect(named('Customers').objId).toBe('customers-2');
  });
});
