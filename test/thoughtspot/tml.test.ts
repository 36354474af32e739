import { describe, expect, it } from 'vitest';
import { decodeDebug, TmlBatchError, TmlObjectError, ThoughtSpotResponseError, tmlMessageText } from '../../src/thoughtspot/index.js';
import { useHttpMock } from '../http-mock.js';
import { at, BASE, mockLogin, testClient } from './fixture.js';

const http = useHttpMock();

const JOIN_ERROR =
  'Invalid value <b> FULL_OUTER </b> of field <b> table->joins_with(1st)->type </b>. Allowed values are <b> INNER, LEFT_OUTER, OUTER, RIGHT_OUTER </b>. <br/><br/>G7PROBE_JOIN: Skipped relationship import as source_table is not populated. <br/>';
const JOIN_ERROR_TEXT =
  'Invalid value FULL_OUTER of field table->joins_with(1st)->type. Allowed values are INNER, LEFT_OUTER, OUTER, RIGHT_OUTER.\nG7PROBE_JOIN: Skipped relationship import as source_table is not populated.';

function exportedObjects(): unknown {
  return {
    object: [
      { info: { name: 'Sales', filename: 'Sales.model.tml', status: { status_code: 'OK' }, type: 'model', id: 'm-1' }, edoc: 'guid: m-1\nmodel:\n  name: Sales\n' },
      { info: { name: 'Old board', status: { status_code: 'ERROR', error_code: 14502, error_message: 'Referenced table with name <b>orders</b> not found.' }, id: 'lb-9' } },
      { info: { name: 'Board', filename: 'Board.pinboard.tml', status: { status_code: 'WARNING', error_message: 'Chart <b>1</b> dropped' }, type: 'pinboard', id: 'lb-1' }, edoc: 'guid: lb-1\nliveboard:\n  name: Board\n' },
    ],
  };
}

function mockExport(): void {
  const ts = http.scope(BASE);
  mockLogin(ts);
  ts.post(at('metadata/tml/export')).reply(200, JSON.stringify(exportedObjects()));
}

describe('TML export and import results', () => {
  it('reports a per-object ERROR inside an HTTP 200 export as an error naming the object, code and message', async () => {
    mockExport();
    const [model, board, warned] = await testClient().exportTml(['m-1', 'lb-9', 'lb-1']);
    expect(model).toMatchObject({ ok: true, index: 0, id: 'm-1', name: 'Sales', type: 'model', filename: 'Sales.model.tml', status: 'OK', warning: undefined });
    expect(warned).toMatchObject({ ok: true, type: 'pinboard', status: 'WARNING', warning: 'Chart 1 dropped' });
    expect(board?.ok).toBe(false);
    const error = board?.ok === false ? board.error : undefined;
    expect(error).toBeInstanceOf(TmlObjectError);
    expect(error).toMatchObject({ endpoint: 'metadata/tml/export', index: 1, objectName: 'Old board', guid: 'lb-9', statusCode: 'ERROR', errorCode: 14502 });
    expect(error?.message).toBe('"Old board" (lb-9): ThoughtSpot ERROR 14502: Referenced table with name orders not found.');
  });

  it('throws every failed export at once when asked to', async () => {
    mockExport();
    const error = await testClient().exportTml(['m-1', 'lb-9', 'lb-1'], { throwOnError: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TmlBatchError);
    expect((error as TmlBatchError).errors.map((e) => e.guid)).toEqual(['lb-9']);
    expect((error as Error).message).toContain('- "Old board" (lb-9): ThoughtSpot ERROR 14502');
  });

  it('reports a requested object the export leaves out as failed', async () => {
    mockExport();
    const results = await testClient().exportTml(['m-1', 'lb-9', 'lb-1', 'gone-1', 'gone-1']);
    expect(results).toHaveLength(4);
    const missing = results[3];
    expect(missing).toMatchObject({ ok: false, index: 3, id: 'gone-1' });
    expect(missing?.ok === false ? missing.error.message : '').toBe('object #4 (gone-1): ThoughtSpot ERROR: not in the export response');
  });

  it('refuses a TML answer without its object list', async () => {
    const ts = http.scope(BASE);
    mockLogin(ts);
    ts.post(at('metadata/tml/export')).reply(200, '{"objects":[]}');
    await expect(testClient().exportTml(['m-1'])).rejects.toMatchObject({ name: 'ThoughtSpotResponseError', message: expect.stringContaining('no "object" list') });
  });

  it('returns one import result per document in input order, failures named by the caller’s name and GUID', async () => {
    const ts = http.scope(BASE);
    mockLogin(ts);
    ts.post(at('metadata/tml/import')).reply(200, {
      object: [
        { response: { status: { status_code: 'OK' }, header: { id_guid: 't-1', name: 'orders', metadata_type: 'LOGICAL_TABLE' }, diff: { columns_added: 1 } } },
        { response: { status: { status_code: 'ERROR', error_code: 14528, error_message: JOIN_ERROR } } },
        { response: { status: { status_code: 'WARNING', error_message: 'Column <b>x</b> unused' }, header: { id_guid: 'a-1', name: 'Answer' } } },
      ],
    });
    const results = await testClient().importTml(
      ['guid: t-1\ntable: {}\n', { edoc: 'guid: t-2\ntable: {}\n', name: 'customers', guid: 't-2' }, 'guid: a-1\nanswer: {}\n'],
      { policy: 'PARTIAL', forceCreate: false },
    );
    expect(results.map((r) => [r.index, r.ok])).toEqual([[0, true], [1, false], [2, true]]);
    expect(results[0]).toMatchObject({ id: 't-1', name: 'orders', metadataType: 'LOGICAL_TABLE', diff: { columns_added: 1 }, status: 'OK' });
    expect(results[2]).toMatchObject({ id: 'a-1', status: 'WARNING', warning: 'Column x unused' });
    const failed = results[1];
    const error = failed?.ok === false ? failed.error : undefined;
    expect(error).toMatchObject({ endpoint: 'metadata/tml/import', index: 1, objectName: 'customers', guid: 't-2', errorCode: 14528, detail: JOIN_ERROR_TEXT });
    expect(error?.message).toBe(`"customers" (t-2): ThoughtSpot ERROR 14528: ${JOIN_ERROR_TEXT}`);
  });

  it('throws a batch error naming every failed document when asked to', async () => {
    const ts = http.scope(BASE);
    mockLogin(ts);
    ts.post(at('metadata/tml/import')).reply(200, {
      object: [
        { response: { status: { status_code: 'ERROR', error_code: 14502, error_message: 'Referenced table with name  not found.' } } },
        { response: { status: { status_code: 'ERROR', error_message: 'Skipped: depends on a failed object' } } },
      ],
    });
    const error = await testClient().importTml(['a', 'b'], { policy: 'ALL_OR_NONE', forceCreate: false, throwOnError: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TmlBatchError);
    expect((error as TmlBatchError).errors.map((e) => e.message)).toEqual([
      'object #1: ThoughtSpot ERROR 14502: Referenced table with name not found.',
      'object #2: ThoughtSpot ERROR: Skipped: depends on a failed object',
    ]);
  });

  it('reads the `info` wrapper of older builds', async () => {
    const ts = http.scope(BASE);
    mockLogin(ts);
    ts.post(at('metadata/tml/import')).reply(200, { object: [{ info: { status: { status_code: 'OK' }, header: { id_guid: 'x-1', name: 'X' } } }] });
    expect(await testClient().importTml(['x'], { policy: 'PARTIAL', forceCreate: false })).toMatchObject([{ ok: true, id: 'x-1' }]);
  });

  it('refuses an import answer with a different number of results than documents', async () => {
    const ts = http.scope(BASE);
    mockLogin(ts);
    ts.post(at('metadata/tml/import')).reply(200, { object: [] });
    const error = await testClient().importTml(['a'], { policy: 'PARTIAL', forceCreate: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ThoughtSpotResponseError);
    expect((error as Error).message).toContain('1 documents sent, 0 results received');
  });
});

describe('ThoughtSpot message text', () => {
  it('turns TML message markup into lines of text', () => {
    expect(tmlMessageText(JOIN_ERROR)).toBe(JOIN_ERROR_TEXT);
    expect(tmlMessageText('a &lt;b&gt; &amp; <strong>c</strong>')).toBe('a <b> & c');
    expect(tmlMessageText(undefined)).toBe('');
  });

  it('decodes the v1 debug field, a JSON-encoded array or plain text', () => {
    expect(decodeDebug('["Invalid parameter values userName","second"]')).toBe('Invalid parameter values userName; second');
    expect(decodeDebug('Invalid parameter values userName')).toBe('Invalid parameter values userName');
    expect(decodeDebug('[not json')).toBe('[not json');
    expect(decodeDebug(['a', 'b'])).toBe('a; b');
    expect(decodeDebug(42)).toBeUndefined();
    // A live v2 500 without a message: nothing to show rather than "null".
    expect(decodeDebug('[null]')).toBeUndefined();
  });
});
