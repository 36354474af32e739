import type nock from 'nock';
import { describe, expect, it } from 'vitest';
import { CODE, V1Error, v2ErrorBody } from '../../src/emulator/errors.js';
import { ThoughtSpotApiError, type ObjectHeader, type Principal, type ThoughtSpotUncertainWriteError, type ThoughtSpotV2Client } from '../../src/thoughtspot/index.js';
import { useHttpMock } from '../http-mock.js';
import { until } from '../support/net.js';
import { BASE, expectV2Headers, jsonBody, mockToken, testV2Client, v2at, v2Error } from './fixture.js';

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
    const headers: ObjectHeader[] = [];
    await testV2Client().eachObjectHeaderPage({ type: 'PINBOARD_ANSWER_BOOK' }, 2, (page) => {
      pages.push(page.length);
      headers.push(...page);
    });
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

  it('metadata/search with include_visualization_headers: an id that is no liveboard or answer is refused, as v1 refuses it', async () => {
    const ts = session();
    ts.post(v2at('metadata/search')).reply(200, []);
    ts.post(v2at('metadata/search')).reply(200, [{ ...ITEM, metadata_id: 'ws-1', metadata_type: 'LOGICAL_TABLE', visualization_headers: null }]);
    const client = testV2Client();
    await expect(client.listVizHeaders('nope')).rejects.toMatchObject({ name: 'ThoughtSpotResponseError', message: 'ThoughtSpot metadata/search answered HTTP 200 with an unexpected body: no liveboard or answer with id nope' });
    await expect(client.listVizHeaders('ws-1')).rejects.toThrow('no liveboard or answer with id ws-1');
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

  it('metadata/tml/export: under way, ends when its signal stops it (its answer would take a minute)', async () => {
    session().post(v2at('metadata/tml/export')).delay(60_000).reply(200, []);
    const stop = new AbortController();
    const exporting = testV2Client().exportTml(['m-1'], { signal: stop.signal });
    await until(() => http.requests.length >= 2);
    stop.abort();
    await expect(exporting).rejects.toMatchObject({ name: 'AbortError' });
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

  it('groups/search: once for principals and privileges asked at once (as an export does), afresh after', async () => {
    const ts = session();
    ts.post(v2at('users/search')).reply(200, []);
    ts.post(v2at('groups/search')).reply(200, [{ id: 'g-1', name: 'Sales', display_name: 'Sales team', visibility: 'SHARABLE', type: 'LOCAL_GROUP', privileges: ['DATADOWNLOADING'] }]);
    ts.post(v2at('groups/search')).reply(200, []);
    const client = testV2Client();
    const [principals, groups] = await Promise.all([client.listUsers(), client.listGroups()]);
    expect(principals.map((p) => p.name)).toEqual(['Sales']);
    expect(groups.map((g) => g.header?.name)).toEqual(['Sales']);
    expect(http.requests.filter((r) => r.pathname === v2at('groups/search'))).toHaveLength(1);
    expect(await client.listGroups()).toEqual([]);
  });

  it('users/search and groups/search: under way, each ends when its signal stops it (their answers would take a minute)', async () => {
    const ts = session();
    ts.post(v2at('users/search')).delay(60_000).reply(200, []);
    ts.post(v2at('groups/search')).reply(200, []);
    ts.post(v2at('groups/search')).delay(60_000).reply(200, []);
    const answered: string[] = [];
    const client = testV2Client({ onCall: (endpoint, result) => void answered.push(`${endpoint} ${result}`) });
    await client.login();
    // listUsers once its groups/search has been answered: users/search alone keeps it waiting.
    const users = new AbortController();
    const listingUsers = client.listUsers(users.signal);
    await until(() => answered.includes('groups/search ok'));
    users.abort();
    await expect(listingUsers).rejects.toMatchObject({ name: 'AbortError' });
    const groups = new AbortController();
    const listingGroups = client.listGroups(groups.signal);
    await until(() => http.requests.length === 4);
    groups.abort();
    await expect(listingGroups).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('groups/search: a read shared only by calls given one signal, so that the one stopped fails no other', async () => {
    const ts = session();
    const sales = [{ id: 'g-1', name: 'Sales', display_name: 'Sales team', visibility: 'SHARABLE', type: 'LOCAL_GROUP', privileges: [] }];
    // The stopped call's requests may or may not have gone out when it stops (the queue drops those still waiting).
    ts.post(v2at('users/search')).delay(200).optionally().reply(200, []);
    ts.post(v2at('groups/search')).delay(200).reply(200, sales);
    ts.post(v2at('groups/search')).delay(200).optionally().reply(200, sales);
    const client = testV2Client();
    await client.login();
    const stop = new AbortController();
    const stopped = client.listUsers(stop.signal);
    // Asked while the stopped call's groups/search is under way: a read of its own.
    const other = client.listGroups();
    stop.abort(new Error('the run stopped'));
    await expect(stopped).rejects.toThrow('the run stopped');
    expect((await other).map((g) => g.header?.name)).toEqual(['Sales']);
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

/**
 * One endpoint of the list, for the failures every v2 endpoint can meet: what the call
 * sends before it (`before`, with the token already granted), the request itself, and what a
 * success answers (and what follows a success, `after`).
 */
interface EndpointCase {
  /** The endpoint as errors name it. */
  endpoint: string;
  /** The request's path under the v2 base, when it is not the endpoint's name. */
  path?: string;
  method?: 'get' | 'post';
  call: (client: ThoughtSpotV2Client) => Promise<unknown>;
  ok: [status: number, body?: nock.Body];
  before?: (ts: nock.Scope) => void;
  after?: (ts: nock.Scope) => void;
  /** A write: its answer lost, it is never sent again. */
  write: boolean;
  /** A 4xx the SDK documents for it (every v2 endpoint: 400, 401, 403, 500), with a message ThoughtSpot might give. */
  refusal: [status: 400 | 403, code: number, message: string];
  /** The client reports this endpoint's failures as the outcome of another call (a background import's status). */
  reportedAs?: string;
}

const DOC = 'guid: t-1\ntable:\n  name: orders\n';
const IMPORTED = [{ request_index: 0, response: { status: { status_code: 'OK' }, header: { id_guid: 't-1', name: 'orders' } } }];
const NO_GROUP_CHANGES = { groups_added: [], groups_updated: [], groups_deleted: [] };
const NO_USER_CHANGES = { users_added: [], users_updated: [], users_deleted: [] };
const SALES = [{ id: 'g-1', name: 'Sales', display_name: 'Sales', visibility: 'SHARABLE', privileges: [] }];
const TASK = { task_id: 'task-1', task_status: 'IN_QUEUE' };
const TASK_DONE = { status_list: [{ task_id: 'task-1', task_status: 'COMPLETED', import_response: IMPORTED }], last_batch: true };
const PDF = Buffer.from('%PDF-1.4\n%%EOF\n', 'latin1');
const APPLY = { principals: [], applyChanges: true, removeDeleted: false };

const ENDPOINTS: EndpointCase[] = [
  { endpoint: 'auth/session/user', method: 'get', call: (c) => c.currentUser(), ok: [200, { id: 'u-1', name: 'tsadmin' }], write: false, refusal: [400, 10002, 'Invalid parameter values'] },
  { endpoint: 'system', method: 'get', call: (c) => c.systemInfo(), ok: [200, { release_version: '10.8.0.cl' }], write: false, refusal: [403, 10023, 'User does not have ADMINISTRATION privilege'] },
  { endpoint: 'orgs/search', call: (c) => c.listOrgs(), ok: [200, []], write: false, refusal: [403, 10023, 'Org administration required'] },
  { endpoint: 'metadata/search', call: (c) => c.listObjectHeaders({ type: 'LOGICAL_TABLE' }), ok: [200, []], write: false, refusal: [400, 10002, 'Invalid parameter values metadata[0].type'] },
  { endpoint: 'metadata/tml/export', call: (c) => c.exportTml(['m-1']), ok: [200, []], write: false, refusal: [403, 10023, 'User does not have access to m-1'] },
  { endpoint: 'metadata/tml/import', call: (c) => c.importTml([DOC], { policy: 'ALL_OR_NONE', forceCreate: false }), ok: [200, IMPORTED], write: true, refusal: [400, 10002, 'Invalid parameter values metadata_tmls'] },
  {
    endpoint: 'metadata/tml/async/import',
    call: (c) => c.importTmlAsync([DOC], { policy: 'PARTIAL', forceCreate: false, pollIntervalMs: 1 }),
    ok: [200, TASK],
    after: (ts) => ts.post(v2at('metadata/tml/async/status')).reply(200, TASK_DONE),
    write: true,
    refusal: [400, 10002, 'Invalid parameter values import_policy'],
  },
  {
    endpoint: 'metadata/tml/async/status',
    call: (c) => c.importTmlAsync([DOC], { policy: 'PARTIAL', forceCreate: false, pollIntervalMs: 1 }),
    before: (ts) => ts.post(v2at('metadata/tml/async/import')).reply(200, TASK),
    ok: [200, TASK_DONE],
    write: false,
    refusal: [400, 10002, 'Invalid parameter values task_ids'],
    reportedAs: 'metadata/tml/async/import',
  },
  { endpoint: 'metadata/delete', call: (c) => c.deleteObjects({ type: 'LOGICAL_TABLE', ids: ['t-1'] }), ok: [204], write: true, refusal: [400, 10002, 'Object t-1 is used by 2 answers'] },
  { endpoint: 'metadata/update-obj-id', call: (c) => c.setObjIds([{ id: 't-1', type: 'LOGICAL_TABLE', objId: 'orders' }]), ok: [204], write: true, refusal: [400, 10002, 'obj_id orders is already in use'] },
  {
    endpoint: 'users/search',
    call: (c) => c.listUsers(),
    before: (ts) => ts.post(v2at('groups/search')).reply(200, []),
    ok: [200, []],
    write: false,
    refusal: [403, 10023, 'User does not have access to users'],
  },
  { endpoint: 'groups/search', call: (c) => c.listGroups(), ok: [200, []], write: false, refusal: [400, 10002, 'Invalid parameter values record_size'] },
  {
    endpoint: 'groups/import',
    call: (c) => c.syncUsers(APPLY),
    ok: [200, NO_GROUP_CHANGES],
    after: (ts) => ts.post(v2at('users/import')).reply(200, NO_USER_CHANGES),
    write: true,
    refusal: [400, 10002, 'Invalid parameter values groups[0].type'],
  },
  {
    endpoint: 'users/import',
    call: (c) => c.syncUsers(APPLY),
    before: (ts) => ts.post(v2at('groups/import')).reply(200, NO_GROUP_CHANGES),
    ok: [200, NO_USER_CHANGES],
    write: true,
    refusal: [400, 10002, 'Invalid parameter values users[0].password: new local user cy needs a password'],
  },
  {
    endpoint: 'groups/{group_identifier}/update',
    path: 'groups/g-1/update',
    call: (c) => c.addPrivilege({ privilege: 'DEVELOPER', groupNames: ['Sales'] }),
    before: (ts) => ts.post(v2at('groups/search')).reply(200, SALES),
    ok: [204],
    write: true,
    refusal: [400, 10002, 'Invalid parameter values privileges: FLYING is not a privilege'],
  },
  { endpoint: 'users/change-password', call: (c) => c.updatePassword({ name: 'deployer', currentPassword: 'old-1', newPassword: 'new-1' }), ok: [204], write: true, refusal: [400, 10002, 'Invalid parameter values current_password'] },
  { endpoint: 'security/metadata/assign', call: (c) => c.transferOwnership({ toUserName: 'bo', objectIds: ['lb-1'] }), ok: [204], write: true, refusal: [403, 10023, 'User does not have access to lb-1'] },
  { endpoint: 'searchdata', call: (c) => c.searchData({ queryString: '[Sales]', dataSourceGuid: 'ws-1' }), ok: [200, { contents: [CONTENT] }], write: false, refusal: [400, 10002, 'Invalid parameter values query_string: no column Profit'] },
  { endpoint: 'metadata/liveboard/data', call: (c) => c.pinboardData({ id: 'lb-1' }), ok: [200, { metadata_id: 'lb-1', contents: [] }], write: false, refusal: [400, 10002, 'Invalid parameter values metadata_identifier'] },
  { endpoint: 'report/liveboard', call: (c) => c.exportPinboardPdf({ id: 'lb-1' }), ok: [200, PDF], write: false, refusal: [400, 10002, 'Invalid parameter values file_format'] },
];

function connectionLost(): Error {
  return Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
}

/** The token each request to `path` carried, in order. */
function tokensTo(path: string): (string | undefined)[] {
  return http.requests.filter((r) => r.pathname === v2at(path)).map((r) => r.headers.authorization?.replace('Bearer ', ''));
}

/** The endpoint's request after its `before`, with a success answer of its own mocked by the caller. */
function request(ts: nock.Scope, c: EndpointCase): nock.Interceptor {
  const path = v2at(c.path ?? c.endpoint);
  return c.method === 'get' ? ts.get(path) : ts.post(path);
}

function succeed(ts: nock.Scope, c: EndpointCase): void {
  request(ts, c).reply(c.ok[0], c.ok[1]);
  c.after?.(ts);
}

/** Every endpoint the issue lists, each with its error body, a 401, a 429 and a lost answer. */
describe.each(ENDPOINTS.map((c) => [c.endpoint, c] as const))('ThoughtSpot v2 %s when it fails', (endpoint, c) => {
  it('a refusal with a v2 error body is a typed error with its status, code, incident, trace and message', async () => {
    const ts = session();
    c.before?.(ts);
    const [status, code, message] = c.refusal;
    request(ts, c).reply(status, v2Error(code, message, 'inc-refused'));
    const error = await c.call(testV2Client()).catch((e: unknown) => e);
    const apiError = c.reportedAs ? (error as ThoughtSpotUncertainWriteError).failure : error;
    if (c.reportedAs) expect(error).toMatchObject({ name: 'ThoughtSpotUncertainWriteError', endpoint: c.reportedAs });
    expect(apiError).toBeInstanceOf(ThoughtSpotApiError);
    expect(apiError).toMatchObject({ status, code, endpoint, incidentId: 'inc-refused', traceId: 'trace-v2', detail: message });
    expect((apiError as Error).message).toBe(`ThoughtSpot ${endpoint} failed with HTTP ${status} (code ${code}): ${message} [incident inc-refused]`);
    expect(tokensTo(c.path ?? c.endpoint)).toHaveLength(1);
  });

  it('a 401 gets a new token once and sends the call again with it', async () => {
    const ts = session();
    c.before?.(ts);
    request(ts, c).reply(401, v2Error(10002, 'Token expired', 'inc-401'));
    mockToken(ts, 'token-2');
    succeed(ts, c);
    await c.call(testV2Client());
    expect(tokensTo(c.path ?? c.endpoint)).toEqual(['token-1', 'token-2']);
    expect(tokensTo('auth/token/full')).toEqual([undefined, undefined]);
  });

  it('a 429 waits the Retry-After it names, then sends the call again: the server did not process it', async () => {
    const ts = session();
    c.before?.(ts);
    request(ts, c).reply(429, v2Error(10000, 'Too many requests'), { 'retry-after': '0' });
    succeed(ts, c);
    await c.call(testV2Client());
    expect(tokensTo(c.path ?? c.endpoint)).toHaveLength(2);
  });

  it(c.write ? 'an answer lost on the way back leaves the outcome unknown: never sent again' : 'an answer lost on the way back is asked for again: a read', async () => {
    const ts = session();
    c.before?.(ts);
    request(ts, c).replyWithError(connectionLost());
    if (!c.write) succeed(ts, c);
    const outcome = c.call(testV2Client());
    if (c.write) await expect(outcome).rejects.toMatchObject({ name: 'ThoughtSpotUncertainWriteError', endpoint, failure: { name: 'ThoughtSpotNetworkError', code: 'ECONNRESET' } });
    else await outcome;
    expect(tokensTo(c.path ?? c.endpoint)).toHaveLength(c.write ? 1 : 2);
  });
});

describe('ThoughtSpot v2 authentication when it fails', () => {
  it('auth/token/full: a wrong password is a typed 401 with the v2 body, asked once, never a loop of new tokens', async () => {
    http.scope(BASE).post(v2at('auth/token/full')).reply(401, v2Error(10002, 'Invalid username or password', 'inc-login'));
    const error = await testV2Client().systemInfo().catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ThoughtSpotApiError', status: 401, code: 10002, endpoint: 'auth/token/full', incidentId: 'inc-login', detail: 'Invalid username or password' });
    expect(http.requests).toHaveLength(1);
  });

  it('auth/token/full: an Org the user is not in is a typed 400 naming org_id', async () => {
    http.scope(BASE).post(v2at('auth/token/full')).reply(400, v2Error(10002, 'Invalid parameter values org_id: no Org 7', 'inc-org'));
    await expect(testV2Client({ orgId: 7 }).login()).rejects.toMatchObject({ status: 400, endpoint: 'auth/token/full', detail: 'Invalid parameter values org_id: no Org 7' });
  });

  it('auth/token/revoke: a refusal is a typed error, and the token is dropped all the same', async () => {
    const ts = session();
    ts.post(v2at('auth/token/revoke')).reply(400, v2Error(10002, 'Invalid parameter values token', 'inc-revoke'));
    mockToken(ts, 'token-2');
    ts.get(v2at('system')).reply(200, {});
    const client = testV2Client();
    await client.login();
    await expect(client.logout()).rejects.toMatchObject({ name: 'ThoughtSpotApiError', status: 400, endpoint: 'auth/token/revoke', detail: 'Invalid parameter values token' });
    await client.systemInfo();
    expect(tokensTo('system')).toEqual(['token-2']);
  });
});

describe('ThoughtSpot v2 error bodies of other shapes', () => {
  it.each([
    ['the v1 fields with a plain-text debug', { error: { message: { debug: { code: 10002, incident_id_guid: 'inc-1', debug: 'Invalid parameter values group_identifier' } } } }, { code: 10002, incidentId: 'inc-1', detail: 'Invalid parameter values group_identifier' }],
    ['a plain-text debug', { error: { message: { debug: 'Invalid parameter values group_identifier' } } }, { code: undefined, detail: 'Invalid parameter values group_identifier' }],
    ['a plain-text message', { error: { message: 'Invalid parameter values group_identifier' } }, { code: undefined, detail: 'Invalid parameter values group_identifier' }],
    ['a plain-text error', { error: 'Invalid parameter values group_identifier' }, { code: undefined, detail: 'Invalid parameter values group_identifier' }],
    ['no message at all ("[null]", as live 500s have it)', { error: { message: { debug: { code: 10000, incident_id_guid: 'inc-2', trace_id_guid: 'tracing-disabled', debug: '[null]' } } } }, { code: 10000, incidentId: 'inc-2', detail: undefined }],
  ] as const)('%s', async (_shape, body, fields) => {
    session().post(v2at('groups/search')).reply(400, body);
    const error = await testV2Client().listGroups().catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ThoughtSpotApiError', status: 400, endpoint: 'groups/search', ...fields });
    if (fields.detail === undefined) expect((error as Error).message).toBe('ThoughtSpot groups/search failed with HTTP 400 (code 10000) [incident inc-2]');
  });
});

/**
 * The emulator answers every v2 failure with `v2ErrorBody` (src/emulator/errors.ts): the client
 * reads each field of it, whatever the status, as it reads a live cluster's.
 */
describe('ThoughtSpot v2 errors as the emulator words them', () => {
  it.each([
    [400, CODE.invalidParameter, 'Invalid parameter values metadata[0].identifier: no object with id x'],
    [401, CODE.invalidParameter, 'Invalid username or password'],
    [403, CODE.accessDenied, 'User does not have DATAMANAGEMENT privilege'],
    [404, CODE.notFound, 'No route for POST /api/rest/2.0/nope'],
  ] as const)('HTTP %i, code %i', async (status, code, message) => {
    http.scope(BASE).post(v2at('auth/token/full')).reply(status, v2ErrorBody(new V1Error(status, code, message), 'inc-emulator') as unknown as nock.Body);
    await expect(testV2Client().login()).rejects.toMatchObject({ status, code, endpoint: 'auth/token/full', incidentId: 'inc-emulator', traceId: 'inc-emulator', detail: message });
  });
});
