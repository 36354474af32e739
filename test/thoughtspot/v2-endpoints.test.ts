import { describe, expect, it } from 'vitest';
import { useHttpMock } from '../http-mock.js';
import { BASE, expectV2Headers, jsonBody, mockToken, testV2Client, v2at } from './fixture.js';
import type { Principal } from '../../src/thoughtspot/index.js';

const http = useHttpMock();

/** A scope whose token is already granted. */
function session() {
  const ts = http.scope(BASE);
  mockToken(ts);
  return ts;
}

/** The request after the token's, checked for v2's common headers. */
function sent(index = 1, accept?: string) {
  const request = http.requests[index];
  expectV2Headers(request, 'token-1', accept, request?.method === 'POST');
  return request;
}

const HEADER = { id: 'lb-1', name: 'Sales', author: 'u-1', authorName: 'ana', created: 1_700_000_000_000, modified: 1_700_000_500_000, modifiedBy: 'u-2', owner: 'lb-1', type: 'PINBOARD_ANSWER_BOOK' };
const ITEM = { metadata_id: 'lb-1', metadata_name: 'Sales', metadata_type: 'LIVEBOARD', metadata_header: HEADER };
const CONTENT = {
  column_names: ['Region', 'Sales'],
  data_rows: [['east', 10], ['west', 20]],
  available_data_row_count: 42,
  returned_data_row_count: 2,
  record_offset: 0,
  record_size: 10,
  sampling_ratio: 1,
};

/** Each v2 endpoint as ThoughtSpot's v2 SDK describes it: method, path, JSON body, answer. */
describe('ThoughtSpot v2 endpoints', () => {
  it('auth/session/user: a GET without body', async () => {
    session().get(v2at('auth/session/user')).reply(200, { id: 'u-1', name: 'tsadmin', display_name: 'Admin', visibility: 'SHARABLE', current_org: { id: 0, name: 'Primary' } });
    expect(await testV2Client().currentUser()).toMatchObject({ name: 'tsadmin', current_org: { id: 0 } });
    expect(sent()).toMatchObject({ method: 'GET', pathname: v2at('auth/session/user'), body: '' });
  });

  it('system: a GET without body, the cluster’s release', async () => {
    session().get(v2at('system')).reply(200, { release_version: '10.8.0.cl', type: 'SAAS' });
    expect(await testV2Client().systemInfo()).toEqual({ release_version: '10.8.0.cl', type: 'SAAS' });
    expect(sent()).toMatchObject({ method: 'GET', pathname: v2at('system') });
  });

  it('orgs/search: filters in a JSON body, a list of orgs', async () => {
    session().post(v2at('orgs/search')).reply(200, [{ id: 7, name: 'Sales', status: 'ACTIVE', visibility: 'SHOW' }]);
    expect(await testV2Client().listOrgs({ status: 'ACTIVE' })).toEqual([{ id: 7, name: 'Sales', status: 'ACTIVE', visibility: 'SHOW' }]);
    expect(jsonBody(sent())).toEqual({ status: 'ACTIVE' });
  });

  it('metadata/search: one type, paged by record_offset/record_size, sorted by creation, headers only; v1 header shapes', async () => {
    const ts = session();
    ts.post(v2at('metadata/search')).reply(200, [ITEM, { ...ITEM, metadata_id: 'lb-2', metadata_header: { ...HEADER, id: 'lb-2' } }]);
    ts.post(v2at('metadata/search')).reply(200, [{ ...ITEM, metadata_id: 'lb-3', metadata_header: { ...HEADER, id: 'lb-3' } }]);
    const pages: number[] = [];
    const headers = await testV2Client().listAllObjectHeaders({ type: 'PINBOARD_ANSWER_BOOK' }, 2, (page) => pages.push(page.length));
    expect(headers.map((h) => h.id)).toEqual(['lb-1', 'lb-2', 'lb-3']);
    expect(headers[0]).toEqual(HEADER);
    expect(pages).toEqual([2, 1]);
    const expected = (offset: number) => ({
      metadata: [{ type: 'LIVEBOARD' }],
      record_offset: offset,
      record_size: 2,
      sort_options: { field_name: 'CREATED', order: 'ASC' },
      include_headers: true,
      include_details: false,
    });
    expect(jsonBody(sent(1))).toEqual(expected(0));
    expect(jsonBody(sent(2))).toEqual(expected(2));
  });

  it('metadata/search: v1 types map to v2 names, with subtypes and a name pattern', async () => {
    const ts = session();
    ts.post(v2at('metadata/search')).times(3).reply(200, []);
    const client = testV2Client();
    await client.listObjectHeaders({ type: 'LOGICAL_TABLE', subtypes: ['WORKSHEET'], pattern: 'sales%' });
    await client.listObjectHeaders({ type: 'QUESTION_ANSWER_BOOK' });
    await client.listObjectHeaders({ type: 'DATA_SOURCE' });
    expect(http.requests.slice(1).map((r) => (jsonBody(r) as { metadata: unknown[] }).metadata)).toEqual([
      [{ type: 'LOGICAL_TABLE', name_pattern: 'sales%', subtypes: ['WORKSHEET'] }],
      [{ type: 'ANSWER' }],
      [{ type: 'CONNECTION' }],
    ]);
  });

  it('metadata/search: an entry whose header has no modified time is refused, naming the object', async () => {
    session().post(v2at('metadata/search')).reply(200, [{ ...ITEM, metadata_header: { id: 'lb-1', name: 'Sales' } }]);
    await expect(testV2Client().listObjectHeaders({ type: 'PINBOARD_ANSWER_BOOK' })).rejects.toMatchObject({
      name: 'ThoughtSpotResponseError',
      message: 'ThoughtSpot metadata/search answered HTTP 200 with an unexpected body: "Sales" (lb-1) has no modified time in its metadata_header',
    });
  });

  it('metadata/search with include_visualization_headers: a liveboard’s visualizations', async () => {
    session().post(v2at('metadata/search')).reply(200, [{ ...ITEM, visualization_headers: [{ id: 'viz-1', name: 'By region', vizType: 'CHART' }] }]);
    expect(await testV2Client().listVizHeaders('lb-1')).toEqual([{ id: 'viz-1', name: 'By region', vizType: 'CHART' }]);
    expect(jsonBody(sent())).toEqual({ metadata: [{ identifier: 'lb-1' }], include_headers: false, include_visualization_headers: true, record_offset: 0, record_size: -1 });
  });

  it('metadata/delete: identifiers with their v2 type; 204', async () => {
    session().post(v2at('metadata/delete')).reply(204);
    await testV2Client().deleteObjects({ type: 'PINBOARD_ANSWER_BOOK', ids: ['lb-1', 'lb-2'] });
    expect(jsonBody(sent())).toEqual({ metadata: [{ identifier: 'lb-1', type: 'LIVEBOARD' }, { identifier: 'lb-2', type: 'LIVEBOARD' }] });
  });

  it('metadata/tml/export: JSON or YAML edocs, fqns, associated objects, schema version; a bare array read as v1’s results', async () => {
    const ts = session();
    ts.post(v2at('metadata/tml/export')).reply(200, [
      { info: { name: 'Sales', filename: 'Sales.model.tml', status: { status_code: 'OK' }, type: 'model', id: 'm-1' }, edoc: '{"guid":"m-1","model":{"name":"Sales"}}' },
      { info: { name: 'Old', status: { status_code: 'ERROR', error_code: 14502, error_message: 'Referenced table <b>orders</b> not found.' }, id: 'lb-9' } },
    ]);
    ts.post(v2at('metadata/tml/export')).reply(200, [{ info: { name: 'Sales', status: { status_code: 'OK' }, type: 'model', id: 'm-1' }, edoc: 'guid: m-1\n' }]);
    const client = testV2Client();
    const [model, failed] = await client.exportTml(['m-1', 'lb-9'], { formatType: 'JSON', exportFqn: true, exportAssociated: true, schemaVersion: 'v2' });
    expect(model).toMatchObject({ ok: true, id: 'm-1', type: 'model', edoc: '{"guid":"m-1","model":{"name":"Sales"}}', status: 'OK' });
    expect(failed?.ok === false ? failed.error.message : '').toBe('"Old" (lb-9): ThoughtSpot ERROR 14502: Referenced table orders not found.');
    await client.exportTml(['m-1']);
    expect(jsonBody(sent(1))).toEqual({
      metadata: [{ identifier: 'm-1' }, { identifier: 'lb-9' }],
      edoc_format: 'JSON',
      export_associated: true,
      export_fqn: true,
      export_schema_version: 'V2',
    });
    // Our defaults, as v1's: YAML, no associated objects, no fqns, models as models.
    expect(jsonBody(sent(2))).toEqual({ metadata: [{ identifier: 'm-1' }], edoc_format: 'YAML', export_associated: false, export_fqn: false, export_schema_version: 'V2' });
  });

  it('metadata/tml/export: v1’s lower-case schema versions are sent in v2’s spelling', async () => {
    const ts = session();
    ts.post(v2at('metadata/tml/export')).times(2).reply(200, []);
    const client = testV2Client();
    await client.exportTml([], { schemaVersion: 'v1' });
    await client.exportTml([], { schemaVersion: 'DEFAULT' });
    expect(http.requests.slice(1).map((r) => (jsonBody(r) as { export_schema_version: string }).export_schema_version)).toEqual(['V1', 'DEFAULT']);
  });

  it('metadata/tml/import: metadata_tmls, import_policy and create_new; results in request order', async () => {
    session().post(v2at('metadata/tml/import')).reply(200, [
      { request_index: 1, response: { status: { status_code: 'ERROR', error_code: 14506, error_message: 'Invalid <b>join</b>' } } },
      { request_index: 0, response: { status: { status_code: 'OK' }, header: { id_guid: 't-1', name: 'orders', metadata_type: 'LOGICAL_TABLE' }, diff: { columns_added: 1 } } },
    ]);
    const results = await testV2Client().importTml(['guid: t-1\ntable:\n  name: orders\n', { edoc: 'guid: v-1\nview: {}\n', name: 'broken view' }], { policy: 'ALL_OR_NONE', forceCreate: false, skipDiffCheck: true });
    expect(results[0]).toMatchObject({ ok: true, id: 't-1', name: 'orders', metadataType: 'LOGICAL_TABLE', diff: { columns_added: 1 } });
    expect(results[1]?.ok === false ? results[1].error.message : '').toBe('"broken view": ThoughtSpot ERROR 14506: Invalid join');
    expect(jsonBody(sent())).toEqual({
      metadata_tmls: ['guid: t-1\ntable:\n  name: orders\n', 'guid: v-1\nview: {}\n'],
      import_policy: 'ALL_OR_NONE',
      create_new: false,
      skip_diff_check: true,
    });
  });

  it('metadata/tml/async/import then async/status: the task is polled until it completes, its results read as a sync import’s', async () => {
    const ts = session();
    ts.post(v2at('metadata/tml/async/import')).reply(200, { task_id: 'task-1', task_status: 'IN_QUEUE', import_policy: 'PARTIAL' });
    ts.post(v2at('metadata/tml/async/status')).reply(200, { status_list: [{ task_id: 'task-1', task_status: 'IN_PROGRESS', object_processed_count: 0 }], last_batch: true });
    ts.post(v2at('metadata/tml/async/status')).reply(200, {
      status_list: [{ task_id: 'task-1', task_status: 'COMPLETED', import_response: { object: [{ response: { status: { status_code: 'OK' }, header: { id_guid: 't-1', name: 'orders' } } }] } }],
      last_batch: true,
    });
    const results = await testV2Client().importTmlAsync(['guid: t-1\n'], { policy: 'PARTIAL', forceCreate: true, pollIntervalMs: 1 });
    expect(results).toMatchObject([{ ok: true, id: 't-1', name: 'orders' }]);
    expect(jsonBody(sent(1))).toEqual({ metadata_tmls: ['guid: t-1\n'], import_policy: 'PARTIAL', create_new: true });
    expect(jsonBody(sent(2))).toEqual({ task_ids: ['task-1'], include_import_response: true, record_offset: 0, record_size: 1 });
    expect(http.requests.map((r) => r.pathname.replace(v2at(''), ''))).toEqual(['auth/token/full', 'metadata/tml/async/import', 'metadata/tml/async/status', 'metadata/tml/async/status']);
  });

  it('users/search and groups/search: every principal (record_size -1), in v1’s user/list shape', async () => {
    const ts = session();
    ts.post(v2at('users/search')).reply(200, [
      { id: 'u-1', name: 'ana', display_name: 'Ana', visibility: 'SHARABLE', account_type: 'LOCAL_USER', email: 'ana@example.com', user_groups: [{ id: 'g-1', name: 'Sales' }], creation_time_in_millis: 1, modification_time_in_millis: 2 },
    ]);
    ts.post(v2at('groups/search')).reply(200, [
      { id: 'g-1', name: 'Sales', display_name: 'Sales team', visibility: 'NON_SHARABLE', type: 'LOCAL_GROUP', privileges: ['DATADOWNLOADING'], sub_groups: [{ id: 'g-2', name: 'EMEA' }] },
      { id: 'g-2', name: 'EMEA', display_name: 'EMEA', visibility: 'SHARABLE', type: 'LOCAL_GROUP', description: 'Europe' },
    ]);
    const principals = await testV2Client().listUsers();
    expect(principals).toEqual([
      { name: 'Sales', displayName: 'Sales team', principalTypeEnum: 'LOCAL_GROUP', groupNames: [], visibility: 'NON_SHARABLE' },
      { name: 'EMEA', displayName: 'EMEA', description: 'Europe', principalTypeEnum: 'LOCAL_GROUP', groupNames: ['Sales'], visibility: 'DEFAULT' },
      { name: 'ana', displayName: 'Ana', mail: 'ana@example.com', principalTypeEnum: 'LOCAL_USER', groupNames: ['Sales'], visibility: 'DEFAULT', created: 1, modified: 2 },
    ]);
    const bodies = Object.fromEntries(http.requests.slice(1).map((r) => [r.pathname, jsonBody(r)]));
    expect(bodies[v2at('users/search')]).toEqual({ record_offset: 0, record_size: -1 });
    expect(bodies[v2at('groups/search')]).toEqual({ record_offset: 0, record_size: -1, include_sub_groups: true });
  });

  it('groups/search: group privileges in v1’s GET group shape', async () => {
    session().post(v2at('groups/search')).reply(200, [{ id: 'g-1', name: 'Sales', display_name: 'Sales team', visibility: 'SHARABLE', privileges: ['DATADOWNLOADING'] }]);
    expect(await testV2Client().listGroups()).toEqual([{ privileges: ['DATADOWNLOADING'], displayName: 'Sales team', header: { id: 'g-1', name: 'Sales' } }]);
  });

  const EMEA_PRINCIPALS: Principal[] = [
    { name: 'Sales', displayName: 'Sales team', principalTypeEnum: 'LOCAL_GROUP', groupNames: [], visibility: 'DEFAULT' },
    { name: 'EMEA', principalTypeEnum: 'LOCAL_GROUP', groupNames: ['Sales'] },
    { name: 'bo', displayName: 'Bo', mail: 'bo@example.com', principalTypeEnum: 'LOCAL_USER', groupNames: ['EMEA'], visibility: 'NON_SHARABLE' },
    { name: 'cy', displayName: 'Cy', principalTypeEnum: 'LOCAL_USER', groupNames: ['Sales', 'EMEA'] },
  ];

  it('groups/import then users/import: v1 user/sync as a server-side dry run, deleting unspecified principals only when asked', async () => {
    const ts = session();
    ts.post(v2at('groups/import')).reply(200, { groups_added: [{ name: 'EMEA' }], groups_updated: [], groups_deleted: [] });
    ts.post(v2at('users/import')).reply(200, { users_added: [{ id: 'u-9', name: 'bo' }], users_updated: [{ name: 'ana' }], users_deleted: [] });
    const result = await testV2Client().syncUsers({ principals: EMEA_PRINCIPALS, applyChanges: false, removeDeleted: false, password: 'Initial-Pa55' });
    // cy joins EMEA, a group the dry run would add: a change, though the users' dry run cannot name the group.
    expect(result).toEqual({ usersAdded: ['bo'], usersDeleted: [], usersUpdated: ['ana', 'cy'], groupsAdded: ['EMEA'], groupsDeleted: [], groupsUpdated: [] });
    expect(jsonBody(sent(1))).toEqual({
      groups: [
        { group_identifier: 'Sales', display_name: 'Sales team', type: 'LOCAL_GROUP', visibility: 'SHARABLE', sub_group_identifiers: ['EMEA'] },
        { group_identifier: 'EMEA', display_name: 'EMEA', type: 'LOCAL_GROUP', sub_group_identifiers: [] },
      ],
      dry_run: true,
      delete_unspecified_groups: false,
    });
    expect(jsonBody(sent(2))).toEqual({
      users: [
        { user_identifier: 'bo', display_name: 'Bo', account_type: 'LOCAL_USER', email: 'bo@example.com', group_identifiers: [], visibility: 'NON_SHARABLE' },
        { user_identifier: 'cy', display_name: 'Cy', account_type: 'LOCAL_USER', group_identifiers: ['Sales'] },
      ],
      default_password: 'Initial-Pa55',
      dry_run: true,
      delete_unspecified_users: false,
    });
  });

  it('groups/import then users/import applied: users name the groups just added', async () => {
    const ts = session();
    ts.post(v2at('groups/import')).reply(200, { groups_added: [{ id: 'g-2', name: 'EMEA' }], groups_updated: [], groups_deleted: [] });
    ts.post(v2at('users/import')).reply(200, { users_added: [{ id: 'u-9', name: 'bo' }], users_updated: [{ id: 'u-3', name: 'cy' }], users_deleted: [] });
    const result = await testV2Client().syncUsers({ principals: EMEA_PRINCIPALS, applyChanges: true, removeDeleted: true });
    expect(result).toEqual({ usersAdded: ['bo'], usersDeleted: [], usersUpdated: ['cy'], groupsAdded: ['EMEA'], groupsDeleted: [], groupsUpdated: [] });
    expect(jsonBody(sent(1))).toMatchObject({ dry_run: false, delete_unspecified_groups: true });
    expect(jsonBody(sent(2))).toMatchObject({
      users: [expect.objectContaining({ user_identifier: 'bo', group_identifiers: ['EMEA'] }), expect.objectContaining({ user_identifier: 'cy', group_identifiers: ['Sales', 'EMEA'] })],
      dry_run: false,
      delete_unspecified_users: true,
    });
  });

  it('groups/{id}/update: a privilege is added by sending the group’s whole new list with REPLACE', async () => {
    const ts = session();
    ts.post(v2at('groups/search')).reply(200, [{ id: 'g-1', name: 'Sales', display_name: 'Sales', visibility: 'SHARABLE', privileges: ['DATADOWNLOADING'] }]);
    ts.post(v2at('groups/g-1/update')).reply(204);
    await testV2Client().addPrivilege({ privilege: 'DEVELOPER', groupNames: ['Sales'] });
    expect(jsonBody(sent(1))).toMatchObject({ group_identifier: 'Sales', record_size: -1 });
    expect(jsonBody(sent(2))).toEqual({ privileges: ['DATADOWNLOADING', 'DEVELOPER'], operation: 'REPLACE' });
  });

  it('groups/{id}/update: removing a privilege the group does not have sends no update; an unknown group is an error', async () => {
    const ts = session();
    ts.post(v2at('groups/search')).reply(200, [{ id: 'g-1', name: 'Sales', display_name: 'Sales', visibility: 'SHARABLE', privileges: ['DATADOWNLOADING'] }]);
    ts.post(v2at('groups/search')).reply(200, []);
    const client = testV2Client();
    await client.removePrivilege({ privilege: 'DEVELOPER', groupNames: ['Sales'] });
    await expect(client.removePrivilege({ privilege: 'DEVELOPER', groupNames: ['Nobody'] })).rejects.toThrow('no group named "Nobody"');
  });

  it('users/change-password: user, current and new password; 204', async () => {
    session().post(v2at('users/change-password')).reply(204);
    await testV2Client().updatePassword({ name: 'deployer', currentPassword: 'old-1', newPassword: 'new-1' });
    expect(jsonBody(sent())).toEqual({ user_identifier: 'deployer', current_password: 'old-1', new_password: 'new-1' });
  });

  it('security/metadata/assign: the objects, the new author and the current one; 204', async () => {
    session().post(v2at('security/metadata/assign')).reply(204);
    await testV2Client().transferOwnership({ fromUserName: 'ana', toUserName: 'bo', objectIds: ['lb-1', 't-1'] });
    expect(jsonBody(sent())).toEqual({ metadata: [{ identifier: 'lb-1' }, { identifier: 't-1' }], user_identifier: 'bo', current_owner_identifier: 'ana' });
  });

  it('searchdata: query, data source, paging and runtime filters in a JSON body; v1’s data block', async () => {
    session().post(v2at('searchdata')).reply(200, { contents: [CONTENT] });
    const block = await testV2Client().searchData({
      queryString: '[Region] [Sales]',
      dataSourceGuid: 'ws-1',
      batchSize: 10,
      pageNumber: 3,
      filters: [{ column: 'Region', operator: 'IN', values: ['east', 'west'] }, { column: 'Sales', operator: 'GT', values: [5] }],
    });
    expect(block).toEqual({ columnNames: ['Region', 'Sales'], data: [['east', 10], ['west', 20]], samplingRatio: 1, totalRowCount: 42, rowCount: 2, pageSize: 10, offset: 0 });
    expect(jsonBody(sent())).toEqual({
      query_string: '[Region] [Sales]',
      logical_table_identifier: 'ws-1',
      record_offset: 20,
      record_size: 10,
      runtime_filter: { col1: 'Region', op1: 'IN', val1: ['east', 'west'], col2: 'Sales', op2: 'GT', val2: 5 },
    });
  });

  it('metadata/liveboard/data: one data block per visualization, as v1’s pinboarddata', async () => {
    session().post(v2at('metadata/liveboard/data')).reply(200, {
      metadata_id: 'lb-1',
      metadata_name: 'Sales',
      contents: [{ ...CONTENT, visualization_id: 'viz-1', visualization_name: 'By region' }],
    });
    const data = await testV2Client().pinboardData({ id: 'lb-1', vizIds: ['viz-1'], batchSize: 10 });
    expect(data).toEqual({ 'viz-1': { columnNames: ['Region', 'Sales'], data: CONTENT.data_rows, samplingRatio: 1, totalRowCount: 42, rowCount: 2, pageSize: 10, offset: 0, name: 'By region' } });
    expect(jsonBody(sent())).toEqual({ metadata_identifier: 'lb-1', visualization_identifiers: ['viz-1'], record_size: 10 });
  });

  it('report/liveboard: a PDF asked for in a JSON body, the bytes returned untouched', async () => {
    const pdf = Buffer.from('%PDF-1.4\n\u00ff\u00fe binary\n%%EOF\n', 'latin1');
    session().post(v2at('report/liveboard')).reply(200, pdf, { 'content-type': 'application/octet-stream' });
    const bytes = await testV2Client().exportPinboardPdf({ id: 'lb-1', orientation: 'LANDSCAPE', includeCoverPage: false, layoutType: 'PINBOARD' });
    expect(bytes.equals(pdf)).toBe(true);
    expect(jsonBody(sent(1, 'application/octet-stream, application/json'))).toEqual({
      metadata_identifier: 'lb-1',
      file_format: 'PDF',
      pdf_options: { page_orientation: 'LANDSCAPE', include_cover_page: false },
    });
  });
});
