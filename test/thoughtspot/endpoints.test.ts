import { describe, expect, it } from 'vitest';
import { formFields, multipartParts, useHttpMock } from '../http-mock.js';
import { until } from '../support/net.js';
import { at, BASE, expectHeaders, FORM, JSON_ACCEPT, mockLogin, MULTIPART, PASSWORD, testClient } from './fixture.js';

const http = useHttpMock();

/** Each endpoint exactly as reference §2 describes it: method, path, encoding, headers. */
describe('ThoughtSpot endpoints', () => {
  it('session/login: form fields username, password and rememberme, then the session cookie on every call', async () => {
    const ts = http.scope(BASE);
    mockLogin(ts);
    ts.get(at('user/list')).reply(200, []);
    await testClient().listUsers();
    const [login, list] = http.requests;
    expect(login).toMatchObject({ method: 'POST', pathname: at('session/login') });
    expectHeaders(login, JSON_ACCEPT, FORM);
    expect(Object.fromEntries(formFields(login!))).toEqual({ username: 'tsadmin', password: PASSWORD, rememberme: 'false' });
    expect(list?.headers.cookie).toBe('JSESSIONID=session-1; clientId=client-session-1');
  });

  it('session/logout: a POST without body; the next call logs in again', async () => {
    const ts = http.scope(BASE);
    mockLogin(ts);
    ts.post(at('session/logout')).reply(204);
    mockLogin(ts, 'session-2');
    ts.get(at('user/list')).reply(200, []);
    const client = testClient();
    await client.login();
    await client.logout();
    await client.listUsers();
    const [, logout, , list] = http.requests;
    expect(logout).toMatchObject({ method: 'POST', pathname: at('session/logout'), body: '' });
    expectHeaders(logout, JSON_ACCEPT, undefined);
    expect(logout?.headers.cookie).toContain('JSESSIONID=session-1');
    expect(list?.headers.cookie).toContain('JSESSIONID=session-2');
  });

  it('session/auth/token and session/login/token: trusted authentication with form fields and a text token', async () => {
    const ts = http.scope(BASE);
    ts.post(at('session/auth/token')).reply(200, 'TOKEN-abc123', { 'content-type': 'text/plain' });
    ts.post(at('session/login/token')).reply(204, '', { 'set-cookie': 'JSESSIONID=trusted-1; Path=/; HttpOnly' });
    ts.get(at('user/list')).reply(200, []);
    await testClient({ password: undefined, secretKey: 'b1f5c1e4-secret', trustedAuthUser: 'deployer', orgId: 7 }).listUsers();
    const [token, login, list] = http.requests;
    expect(token).toMatchObject({ method: 'POST', pathname: at('session/auth/token') });
    expectHeaders(token, 'text/plain', FORM);
    expect(Object.fromEntries(formFields(token!))).toEqual({ secret_key: 'b1f5c1e4-secret', username: 'deployer', access_level: 'FULL', orgid: '7' });
    expect(login).toMatchObject({ method: 'POST', pathname: at('session/login/token') });
    expectHeaders(login, JSON_ACCEPT, FORM);
    expect(Object.fromEntries(formFields(login!))).toEqual({ username: 'deployer', auth_token: 'TOKEN-abc123', no_url_redirection: 'true' });
    expect(list?.headers.cookie).toBe('JSESSIONID=trusted-1');
  });

  it('session/login/token: a redirect is not followed but refused', async () => {
    const ts = http.scope(BASE);
    ts.post(at('session/auth/token')).reply(200, 'TOKEN-abc123');
    ts.post(at('session/login/token')).reply(302, '', { location: 'https://ts.example.com/' });
    await expect(testClient({ password: undefined, secretKey: 'b1f5c1e4-secret' }).login()).rejects.toMatchObject({
      name: 'ThoughtSpotApiError',
      status: 302,
      endpoint: 'session/login/token',
    });
  });

  it('requestAuthToken: a token for another user, without a session', async () => {
    http.scope(BASE).post(at('session/auth/token')).reply(200, 'VIEW-TOKEN\n');
    const token = await testClient().requestAuthToken({ secretKey: 'k-123', username: 'viewer', accessLevel: 'REPORT_BOOK_VIEW', objectId: 'lb-1', groups: ['Sales'], autocreate: true });
    expect(token).toBe('VIEW-TOKEN');
    expect(Object.fromEntries(formFields(http.requests[0]!))).toEqual({
      secret_key: 'k-123', username: 'viewer', access_level: 'REPORT_BOOK_VIEW', id: 'lb-1', groups: '["Sales"]', autocreate: 'true',
    });
  });

  it('user/list: a GET without parameters returning principals', async () => {
    const ts = http.scope(BASE);
    mockLogin(ts);
    const principals = [{ name: 'All', displayName: 'All Group', principalTypeEnum: 'LOCAL_GROUP', groupNames: [], visibility: 'DEFAULT' }];
    ts.get(at('user/list')).reply(200, principals);
    expect(await testClient().listUsers()).toEqual(principals);
    const list = http.requests[1];
    expect(list).toMatchObject({ method: 'GET', pathname: at('user/list'), body: '' });
    expect([...list!.query]).toEqual([]);
    expectHeaders(list, JSON_ACCEPT, undefined);
  });

  it('user/list and GET group: under way, each ends when its signal stops it (their answers would take a minute)', async () => {
    const ts = http.scope(BASE);
    mockLogin(ts);
    ts.get(at('user/list')).delay(60_000).reply(200, []);
    ts.get(at('group')).delay(60_000).reply(200, []);
    const client = testClient();
    await client.login();
    const stop = new AbortController();
    const calls = [client.listUsers(stop.signal), client.listGroups(stop.signal)];
    await until(() => http.requests.length >= 3);
    stop.abort();
    for (const call of calls) await expect(call).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('user/sync: multipart with principals as a JSON file part and removeDeleted always present', async () => {
    const ts = http.scope(BASE);
    mockLogin(ts);
    const result = { usersAdded: ['ann'], usersDeleted: [], usersUpdated: [], groupsAdded: [], groupsDeleted: [], groupsUpdated: [] };
    ts.post(at('user/sync')).reply(200, result);
    const principals = [{ name: 'ann', displayName: 'Ann', principalTypeEnum: 'LOCAL_USER', groupNames: ['All'], mail: 'ann@example.com' }];
    expect(await testClient().syncUsers({ principals, applyChanges: true, removeDeleted: false, password: 'Initial-1' })).toEqual(result);
    const sync = http.requests[1]!;
    expect(sync).toMatchObject({ method: 'POST', pathname: at('user/sync') });
    expectHeaders(sync, JSON_ACCEPT, MULTIPART);
    const parts = await multipartParts(sync);
    expect(parts.get('principals')).toEqual({ value: JSON.stringify(principals), filename: 'principals.json', contentType: 'application/json' });
    expect(parts.get('applyChanges')).toEqual({ value: 'true' });
    expect(parts.get('removeDeleted')).toEqual({ value: 'false' });
    expect(parts.get('password')).toEqual({ value: 'Initial-1' });
    expect([...parts.keys()].sort()).toEqual(['applyChanges', 'password', 'principals', 'removeDeleted']);
  });

  it('user/updatepassword: form fields name, currentpassword and password; 204', async () => {
    const ts = http.scope(BASE);
    mockLogin(ts);
    ts.post(at('user/updatepassword')).reply(204);
    await testClient().updatePassword({ name: 'ann', currentPassword: 'Old-pass-1', newPassword: 'New-pass-2' });
    const update = http.requests[1]!;
    expect(update).toMatchObject({ method: 'POST', pathname: at('user/updatepassword') });
    expectHeaders(update, JSON_ACCEPT, FORM);
    expect(Object.fromEntries(formFields(update))).toEqual({ name: 'ann', currentpassword: 'Old-pass-1', password: 'New-pass-2' });
  });

  it('user/transfer/ownership: query parameters on a POST with no body and no content type', async () => {
    const ts = http.scope(BASE);
    mockLogin(ts);
    ts.post(at('user/transfer/ownership')).query(true).reply(204);
    await testClient().transferOwnership({ fromUserName: 'ann', toUserName: 'bob', objectIds: ['g-1', 'g-2'] });
    const transfer = http.requests[1]!;
    expect(transfer).toMatchObject({ method: 'POST', pathname: at('user/transfer/ownership'), body: '' });
    expect(Object.fromEntries(transfer.query)).toEqual({ fromUserName: 'ann', toUserName: 'bob', objectsID: '["g-1","g-2"]' });
    expectHeaders(transfer, JSON_ACCEPT, undefined);
  });

  it('group/addprivilege: multipart fields; a 200 answer returns the group', async () => {
    const ts = http.scope(BASE);
    mockLogin(ts);
    ts.post(at('group/addprivilege')).reply(200, { privileges: ['DATAMANAGEMENT'], displayName: 'Analysts' });
    expect(await testClient().addPrivilege({ privilege: 'DATAMANAGEMENT', groupNames: ['Analysts', 'All'] })).toEqual({
      privileges: ['DATAMANAGEMENT'],
      displayName: 'Analysts',
    });
    const add = http.requests[1]!;
    expect(add).toMatchObject({ method: 'POST', pathname: at('group/addprivilege') });
    expectHeaders(add, JSON_ACCEPT, MULTIPART);
    const parts = await multipartParts(add);
    expect(Object.fromEntries(parts)).toEqual({ privilege: { value: 'DATAMANAGEMENT' }, groupNames: { value: '["Analysts","All"]' } });
  });

  it('group: a GET without parameters returning every group with its privileges', async () => {
    const ts = http.scope(BASE);
    mockLogin(ts);
    const groups = [{ header: { id: 'g-1', name: 'Analysts' }, privileges: ['DATADOWNLOADING'], type: 'LOCAL_GROUP' }];
    ts.get(at('group')).reply(200, groups);
    expect(await testClient().listGroups()).toEqual(groups);
    const list = http.requests[1]!;
    expect(list).toMatchObject({ method: 'GET', pathname: at('group'), body: '' });
    expect([...list.query.keys()]).toEqual([]);
    expectHeaders(list, JSON_ACCEPT, undefined);
  });

  it('group: an answer that is not a list is a response error naming the endpoint', async () => {
    const ts = http.scope(BASE);
    mockLogin(ts);
    ts.get(at('group')).reply(200, { header: { name: 'Analysts' } });
    await expect(testClient().listGroups()).rejects.toMatchObject({ name: 'ThoughtSpotResponseError', endpoint: 'group' });
  });

  it('group/removeprivilege: multipart fields; a 204 answer is success without a body', async () => {
    const ts = http.scope(BASE);
    mockLogin(ts);
    ts.post(at('group/removeprivilege')).reply(204);
    expect(await testClient().removePrivilege({ privilege: 'SHAREWITHALL', groupNames: ['All'] })).toBeUndefined();
    const remove = http.requests[1]!;
    expect(remove).toMatchObject({ method: 'POST', pathname: at('group/removeprivilege') });
    expectHeaders(remove, JSON_ACCEPT, MULTIPART);
    expect(Object.fromEntries(await multipartParts(remove))).toEqual({ privilege: { value: 'SHAREWITHALL' }, groupNames: { value: '["All"]' } });
  });

  it('metadata/listobjectheaders: query parameters, lists as JSON arrays, booleans as strings', async () => {
    const ts = http.scope(BASE);
    mockLogin(ts);
    const header = { id: 'ws-1', name: 'WS', author: 'u-1', created: 1, modified: 2, modifiedBy: 'u-1', owner: 'ws-1' };
    ts.get(at('metadata/listobjectheaders')).query(true).reply(200, [header]);
    const headers = await testClient().listObjectHeaders({
      type: 'LOGICAL_TABLE', subtypes: ['WORKSHEET', 'SQL_VIEW'], sort: 'MODIFIED', sortAscending: true, offset: 0, batchSize: 50,
      pattern: 'Sales%', fetchIds: ['ws-1'], tagNames: ['prod'], autoCreated: false,
    });
    expect(headers).toEqual([header]);
    const list = http.requests[1]!;
    expect(list).toMatchObject({ method: 'GET', pathname: at('metadata/listobjectheaders') });
    expect(Object.fromEntries(list.query)).toEqual({
      type: 'LOGICAL_TABLE', subtypes: '["WORKSHEET","SQL_VIEW"]', sort: 'MODIFIED', sortascending: 'true', offset: '0', batchsize: '50',
      pattern: 'Sales%', fetchids: '["ws-1"]', tagname: '["prod"]', auto_created: 'false',
    });
    expectHeaders(list, JSON_ACCEPT, undefined);
  });

  it('metadata/listobjectheaders: listAllObjectHeaders pages until a short page', async () => {
    const ts = http.scope(BASE);
    mockLogin(ts);
    const header = (id: string) => ({ id, name: id, author: 'u', created: 1, modified: 1, modifiedBy: 'u', owner: id });
    ts.get(at('metadata/listobjectheaders')).query({ type: 'PINBOARD_ANSWER_BOOK', offset: '0', batchsize: '2' }).reply(200, [header('a'), header('b')]);
    ts.get(at('metadata/listobjectheaders')).query({ type: 'PINBOARD_ANSWER_BOOK', offset: '2', batchsize: '2' }).reply(200, [header('c')]);
    const all = await testClient().listAllObjectHeaders({ type: 'PINBOARD_ANSWER_BOOK' }, 2);
    expect(all.map((h) => h.id)).toEqual(['a', 'b', 'c']);
  });

  it('metadata/listvizheaders: a GET with the id', async () => {
    const ts = http.scope(BASE);
    mockLogin(ts);
    ts.get(at('metadata/listvizheaders')).query({ id: 'lb-1' }).reply(200, [{ id: 'v-1', name: 'Viz', vizType: 'CHART' }]);
    expect(await testClient().listVizHeaders('lb-1')).toMatchObject([{ id: 'v-1', vizType: 'CHART' }]);
    expectHeaders(http.requests[1], JSON_ACCEPT, undefined);
  });

  it('metadata/delete: form fields type and id (a JSON array of GUIDs); a 204 is success', async () => {
    const ts = http.scope(BASE);
    mockLogin(ts);
    ts.post(at('metadata/delete')).reply(204);
    await testClient().deleteObjects({ type: 'PINBOARD_ANSWER_BOOK', ids: ['lb-1', 'lb-2'] });
    const deleted = http.requests[1]!;
    expect(deleted).toMatchObject({ method: 'POST', pathname: at('metadata/delete') });
    expectHeaders(deleted, JSON_ACCEPT, FORM);
    expect(Object.fromEntries(formFields(deleted))).toEqual({ type: 'PINBOARD_ANSWER_BOOK', id: '["lb-1","lb-2"]' });
  });

  it('metadata/tml/export: form fields, Accept text/plain, ids as a JSON array, schema v2', async () => {
    const ts = http.scope(BASE);
    mockLogin(ts);
    const edoc = 'guid: ws-1\nmodel:\n  name: Sales\n';
    ts.post(at('metadata/tml/export')).reply(200, JSON.stringify({ object: [{ info: { name: 'Sales', filename: 'Sales.model.tml', status: { status_code: 'OK' }, type: 'model', id: 'ws-1' }, edoc }] }));
    const [result] = await testClient().exportTml(['ws-1'], { exportFqn: true });
    expect(result).toMatchObject({ ok: true, id: 'ws-1', name: 'Sales', type: 'model', edoc, status: 'OK' });
    const exported = http.requests[1]!;
    expect(exported).toMatchObject({ method: 'POST', pathname: at('metadata/tml/export') });
    expectHeaders(exported, 'text/plain', FORM);
    expect(Object.fromEntries(formFields(exported))).toEqual({
      export_ids: '["ws-1"]', formattype: 'YAML', export_associated: 'false', export_fqn: 'true', export_schema_version: 'v2',
    });
  });

  it('metadata/tml/export: under way, ends when its signal stops it (its answer would take a minute)', async () => {
    const ts = http.scope(BASE);
    mockLogin(ts);
    ts.post(at('metadata/tml/export')).delay(60_000).reply(200, JSON.stringify({ object: [] }));
    const stop = new AbortController();
    const exporting = testClient().exportTml(['ws-1'], { signal: stop.signal });
    await until(() => http.requests.length >= 2);
    stop.abort();
    await expect(exporting).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('metadata/tml/import: form fields, Accept text/plain, documents as a JSON array of strings', async () => {
    const ts = http.scope(BASE);
    mockLogin(ts);
    ts.post(at('metadata/tml/import')).reply(200, JSON.stringify({
      object: [{ response: { status: { status_code: 'OK' }, header: { id_guid: 't-1', name: 'orders', metadata_type: 'LOGICAL_TABLE' } } }],
    }));
    const document = 'guid: t-1\ntable:\n  name: orders\n  db: "on"\n';
    const [result] = await testClient().importTml([document], { policy: 'ALL_OR_NONE', forceCreate: false });
    expect(result).toMatchObject({ ok: true, id: 't-1', name: 'orders', metadataType: 'LOGICAL_TABLE' });
    const imported = http.requests[1]!;
    expect(imported).toMatchObject({ method: 'POST', pathname: at('metadata/tml/import') });
    expectHeaders(imported, 'text/plain', FORM);
    const fields = formFields(imported);
    expect(Object.fromEntries(fields)).toEqual({ import_objects: JSON.stringify([document]), import_policy: 'ALL_OR_NONE', force_create: 'false' });
    expect(JSON.parse(fields.get('import_objects')!)).toEqual([document]);
  });

  it('searchdata: query parameters on a POST without body, runtime filters with repeated values', async () => {
    const ts = http.scope(BASE);
    mockLogin(ts);
    const block = { columnNames: ['Region', 'Total Sales'], data: [['east', 10]], samplingRatio: 1, totalRowCount: 1, rowCount: 1, pageSize: 100000, offset: 0 };
    ts.post(at('searchdata')).query(true).reply(200, block);
    const data = await testClient().searchData({
      queryString: '[Region] [Sales]', dataSourceGuid: 'ws-1', batchSize: 100, formatType: 'COMPACT',
      filters: [{ column: 'Region', operator: 'IN', values: ['east', 'west'] }],
    });
    expect(data).toEqual(block);
    const search = http.requests[1]!;
    expect(search).toMatchObject({ method: 'POST', pathname: at('searchdata'), body: '' });
    expect([...search.query]).toEqual([
      ['query_string', '[Region] [Sales]'], ['data_source_guid', 'ws-1'], ['batchsize', '100'], ['formattype', 'COMPACT'],
      ['col1', 'Region'], ['op1', 'IN'], ['val1', 'east'], ['val1', 'west'],
    ]);
    expectHeaders(search, JSON_ACCEPT, undefined);
    expect(search.headers['accept-language']).toBe('en-US');
  });

  it('pinboarddata: query parameters on a POST without body; blocks keyed by visualization', async () => {
    const ts = http.scope(BASE);
    mockLogin(ts);
    const blocks = { 'v-1': { columnNames: ['User'], data: [[9]], samplingRatio: 1, totalRowCount: 1, rowCount: 1, pageSize: -1, offset: -1, name: 'MAU' } };
    ts.post(at('pinboarddata')).query(true).reply(200, blocks);
    expect(await testClient().pinboardData({ id: 'lb-1', vizIds: ['v-1'], batchSize: -1 })).toEqual(blocks);
    const data = http.requests[1]!;
    expect(data).toMatchObject({ method: 'POST', pathname: at('pinboarddata'), body: '' });
    expect(Object.fromEntries(data.query)).toEqual({ id: 'lb-1', vizid: '["v-1"]', batchsize: '-1' });
    expectHeaders(data, JSON_ACCEPT, undefined);
  });

  it('export/pinboard/pdf: multipart fields as documented, Accept application/octet-stream, the bytes back', async () => {
    const ts = http.scope(BASE);
    mockLogin(ts);
    const pdf = Buffer.from('%PDF-1.4\n%\u00e2\u00e3\n1 0 obj\n', 'latin1');
    ts.post(at('export/pinboard/pdf')).query(true).reply(200, pdf, { 'content-type': 'application/octet-stream' });
    const bytes = await testClient().exportPinboardPdf({
      id: 'lb-1', layoutType: 'VISUALIZATION', visualizationIds: ['v-1'], orientation: 'PORTRAIT', includeCoverPage: false,
      filters: [{ column: 'Region', operator: 'EQ', values: ['east'] }],
    });
    expect(bytes.equals(pdf)).toBe(true);
    const request = http.requests[1]!;
    expect(request).toMatchObject({ method: 'POST', pathname: at('export/pinboard/pdf') });
    expectHeaders(request, 'application/octet-stream', MULTIPART);
    expect(Object.fromEntries(request.query)).toEqual({ col1: 'Region', op1: 'EQ', val1: 'east' });
    expect(Object.fromEntries(await multipartParts(request))).toEqual({
      id: { value: 'lb-1' }, visualization_ids: { value: '["v-1"]' }, layout_type: { value: 'VISUALIZATION' },
      orientation: { value: 'PORTRAIT' }, include_cover_page: { value: 'false' },
    });
  });
});
