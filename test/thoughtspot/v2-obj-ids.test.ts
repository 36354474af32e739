import { describe, expect, it } from 'vitest';
import { thoughtspotPort } from '../../src/app/index.js';
import { useHttpMock } from '../http-mock.js';
import { BASE, jsonBody, mockLogin, mockToken, testClient, testV2Client, v2at } from './fixture.js';

const http = useHttpMock();

const HEADER = { id: 'lb-1', name: 'Sales', author: 'u-1', created: 1, modified: 2, modifiedBy: 'u-1', owner: 'lb-1' };

/** Object ids (`obj_id`) as ThoughtSpot's v2 SDK describes them, and the port over either version. */
describe('object ids over the v2 client', () => {
  it('metadata/update-obj-id: each object by GUID with its v2 type (connections as DATA_SOURCE) and its new obj_id; 204', async () => {
    const ts = http.scope(BASE);
    mockToken(ts);
    ts.post(v2at('metadata/update-obj-id')).reply(204);
    await testV2Client().setObjIds([
      { id: 'lb-1', type: 'PINBOARD_ANSWER_BOOK', objId: 'liveboard-sales' },
      { id: 'c-1', type: 'DATA_SOURCE', objId: 'warehouse' },
      { id: 't-1', type: 'LOGICAL_TABLE', objId: 'table-orders' },
    ]);
    expect(jsonBody(http.requests[1])).toEqual({
      metadata: [
        { metadata_identifier: 'lb-1', type: 'LIVEBOARD', new_obj_id: 'liveboard-sales' },
        { metadata_identifier: 'c-1', type: 'DATA_SOURCE', new_obj_id: 'warehouse' },
        { metadata_identifier: 't-1', type: 'LOGICAL_TABLE', new_obj_id: 'table-orders' },
      ],
    });
  });

  it('lists each object’s obj_id (metadata_obj_id) in its header, and none where it has none', async () => {
    const ts = http.scope(BASE);
    mockToken(ts);
    ts.post(v2at('metadata/search')).reply(200, [
      { metadata_id: 'lb-1', metadata_name: 'Sales', metadata_type: 'LIVEBOARD', metadata_obj_id: 'liveboard-sales', metadata_header: HEADER },
      { metadata_id: 'lb-2', metadata_name: 'Other', metadata_type: 'LIVEBOARD', metadata_obj_id: null, metadata_header: { ...HEADER, id: 'lb-2', name: 'Other' } },
    ]);
    const headers = await thoughtspotPort(testV2Client()).listHeaders('PINBOARD_ANSWER_BOOK');
    expect(headers).toEqual([
      { id: 'lb-1', name: 'Sales', modified: 2, modifiedBy: 'u-1', author: 'u-1', objId: 'liveboard-sales', listedAs: { type: 'PINBOARD_ANSWER_BOOK' } },
      { id: 'lb-2', name: 'Other', modified: 2, modifiedBy: 'u-1', author: 'u-1', listedAs: { type: 'PINBOARD_ANSWER_BOOK' } },
    ]);
  });

  it('the port exports with include_obj_id (and include_guid) over v2, and speaks obj_ids', async () => {
    const ts = http.scope(BASE);
    mockToken(ts);
    ts.post(v2at('metadata/tml/export')).reply(200, [{ info: { name: 'Sales', status: { status_code: 'OK' }, type: 'liveboard', id: 'lb-1' }, edoc: '{"guid":"lb-1","obj_id":"liveboard-sales","liveboard":{"name":"Sales"}}' }]);
    const port = thoughtspotPort(testV2Client());
    const [exported] = await port.exportTml(['lb-1']);
    expect(exported).toMatchObject({ id: 'lb-1', edoc: expect.stringContaining('"obj_id":"liveboard-sales"') });
    expect(jsonBody(http.requests[1])).toMatchObject({ export_fqn: true, edoc_format: 'JSON', export_options: { include_obj_id: true, include_guid: true } });
    expect(await port.speaksObjIds()).toBe(true);
  });

  // Strict nock: any call but the login and the export (an obj_id update) fails the test.
  it('the port over v1 speaks no obj_ids, exports without export options, and never sends an obj_id update', async () => {
    const ts = http.scope(BASE);
    mockLogin(ts);
    ts.post('/callosum/v1/tspublic/v1/metadata/tml/export').reply(200, { object: [] });
    const port = thoughtspotPort(testClient());
    expect(await port.speaksObjIds()).toBe(false);
    await expect(port.setObjIds([{ id: 'lb-1', type: 'PINBOARD_ANSWER_BOOK', objId: 'x' }])).rejects.toThrow('v1 cannot set obj_ids');
    await port.exportTml(['lb-1']);
    expect(new URLSearchParams(http.requests.at(-1)!.body).has('export_options')).toBe(false);
  });
});
