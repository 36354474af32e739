import { describe, expect, it } from 'vitest';
import { workflowEnvironment, thoughtspotPort } from '../../src/app/index.js';
import { format, parse } from '../../src/tml/index.js';
import { useHttpMock } from '../http-mock.js';
import { at, BASE, mockLogin, testClient } from '../thoughtspot/fixture.js';

const http = useHttpMock();

/** The deploy loop's view of ThoughtSpot for what follows an import: owners, data, PDFs. */
describe('the ThoughtSpot port after an import', () => {
  it('asks pinboarddata and searchdata for a few rows and answers how many there are in all', async () => {
    const ts = http.scope(BASE);
    mockLogin(ts);
    const block = (total: number, name: string) => ({ columnNames: ['Region', 'Total Sales'], data: total ? [['west', 1]] : [], samplingRatio: 1, totalRowCount: total, rowCount: Math.min(total, 1), pageSize: 10, offset: 0, name });
    ts.post(at('pinboarddata')).query(true).reply(200, { 'v-1': block(42, 'Sales'), 'v-2': block(0, 'Empty') });
    ts.post(at('searchdata')).query(true).reply(200, block(3, ''));
    const port = thoughtspotPort(testClient());
    expect(await port.liveboardData('lb-1', ['v-1', 'v-2'])).toEqual({ 'v-1': { columns: ['Region', 'Total Sales'], rowCount: 42 }, 'v-2': { columns: ['Region', 'Total Sales'], rowCount: 0 } });
    expect(await port.searchData('ws-1', '[Region] [Sales]')).toEqual({ columns: ['Region', 'Total Sales'], rowCount: 3 });
    const [, data, search] = http.requests;
    expect(Object.fromEntries(data!.query)).toEqual({ id: 'lb-1', vizid: '["v-1","v-2"]', batchsize: '10' });
    expect(Object.fromEntries(search!.query)).toEqual({ query_string: '[Region] [Sales]', data_source_guid: 'ws-1', batchsize: '10' });
  });

  it('transfers ownership by user names and lists visualizations with their type', async () => {
    const ts = http.scope(BASE);
    mockLogin(ts);
    ts.post(at('user/transfer/ownership')).query(true).reply(204);
    ts.get(at('metadata/listvizheaders')).query({ id: 'lb-1' }).reply(200, [
      { id: 'v-1', name: 'Sales', vizType: 'CHART', author: 'u', created: 1, modified: 1, modifiedBy: 'u', owner: 'lb-1' },
      { id: 'v-2', name: 'Untitled', vizType: 'FILTER', author: 'u', created: 1, modified: 1, modifiedBy: 'u', owner: 'lb-1' },
    ]);
    const port = thoughtspotPort(testClient());
    await port.transferOwnership('tsadmin', 'dana.engineer', ['g-1']);
    expect(await port.listVisualizations('lb-1')).toEqual([{ id: 'v-1', name: 'Sales', type: 'CHART' }, { id: 'v-2', name: 'Untitled', type: 'FILTER' }]);
    expect(Object.fromEntries(http.requests[1]!.query)).toEqual({ fromUserName: 'tsadmin', toUserName: 'dana.engineer', objectsID: '["g-1"]' });
  });
});

describe('workflowEnvironment', () => {
  const base = { name: 'prod', branch: 'main', url: 'https://ts.example.com', direction: 'deploy' as const, schedule: '*/10 * * * *', timeoutMs: 1000, importPolicy: 'ALL_OR_NONE' as const, dataChecks: { enabled: true }, prune: false, maxDeletions: 10, conflictPolicy: 'manual' as const, watch: false, api: 'v1' as const };

  it('leaves owners alone without an ownership block, and makes the importing user the default owner with one', () => {
    expect(workflowEnvironment(base).ownership).toBeUndefined();
    expect(workflowEnvironment({ ...base, username: 'bot', ownership: { kinds: { liveboard: 'ann' } } }).ownership).toEqual({ importer: 'bot', kinds: { liveboard: 'ann' } });
    expect(workflowEnvironment({ ...base, ownership: {} }).ownership).toEqual({ importer: 'tsadmin' });
  });

  it('carries what every workflow reads, so that a sync hands the same environment to its deploy and its export', () => {
    expect(workflowEnvironment({ ...base, direction: 'sync', reconcile: 60_000, conflictPolicy: 'git-wins', prune: true, maxDeletions: 3 })).toEqual({
      name: 'prod', branch: 'main', reconcileMs: 60_000, policy: 'ALL_OR_NONE', prune: { maxDeletions: 3 }, dataChecks: { enabled: true }, conflicts: 'git-wins',
    });
  });
});

describe('the ThoughtSpot port for exports', () => {
  it('asks for JSON edocs with fqns and the v2 schema, and hands back what parses to the same document as the YAML', async () => {
    const ts = http.scope(BASE);
    mockLogin(ts);
    const edoc = JSON.stringify({ guid: 'ws-1', model: { name: 'Sales', description: 'yes: no' } });
    ts.post(at('metadata/tml/export')).reply(200, JSON.stringify({ object: [{ info: { name: 'Sales', filename: 'Sales.model.tml', status: { status_code: 'OK' }, type: 'model', id: 'ws-1' }, edoc }] }));
    const [exported] = await thoughtspotPort(testClient()).exportTml(['ws-1']);
    expect(exported).toEqual({ id: 'ws-1', type: 'model', name: 'Sales', edoc });
    const yaml = 'guid: ws-1\nmodel:\n  name: Sales\n  description: "yes: no"\n';
    expect(format(parse(edoc))).toBe(yaml);
    expect(format(parse(yaml))).toBe(yaml);
    const fields = new URLSearchParams(http.requests[1]!.body);
    expect(Object.fromEntries(fields)).toMatchObject({ export_ids: '["ws-1"]', formattype: 'JSON', export_fqn: 'true', export_schema_version: 'v2' });
  });
});
