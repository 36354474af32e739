import { describe, expect, it } from 'vitest';
import { DEMO_GUIDS } from '../../src/emulator/seed/demo.js';
import { ok, useV2Emulator, v2 } from './v2-http.js';

type Exported = { info: { name: string; id: string; type: string; status: { status_code: string; error_message?: string } }; edoc?: string };
type Imported = { request_index: number; response: { status: { status_code: string; error_code?: number; error_message?: string }; header?: { id_guid: string; name: string }; diff?: unknown } };
type Task = { task_id: string; task_status: string; total_object_count: number; object_processed_count: number; import_policy: string; import_response: Imported[] | null };

const stage = useV2Emulator();

const exportTml = (body: Record<string, unknown>) => ok<Exported[]>(v2(stage.url, 'POST', 'metadata/tml/export', body, stage.token));
const importTml = (body: Record<string, unknown>) => ok<Imported[]>(v2(stage.url, 'POST', 'metadata/tml/import', body, stage.token));
const answerDoc = (name: string, query = '[Region] [Sales]') =>
  `answer:\n  name: ${name}\n  tables:\n  - id: Retail Sales\n    name: Retail Sales\n    fqn: ${DEMO_GUIDS.model}\n  search_query: "${query}"\n`;

describe('v2 metadata/tml/export', () => {
  it('answers a bare list, JSON edocs by default, YAML on request, by GUID or by name with a type', async () => {
    const [json] = await exportTml({ metadata: [{ identifier: DEMO_GUIDS.liveboards[0] }] });
    expect(json!.info).toMatchObject({ id: DEMO_GUIDS.liveboards[0], name: 'Retail Overview', type: 'liveboard', status: { status_code: 'OK' } });
    expect(JSON.parse(json!.edoc!)).toMatchObject({ guid: DEMO_GUIDS.liveboards[0], liveboard: { name: 'Retail Overview' } });
    const [yaml] = await exportTml({ metadata: [{ identifier: 'Retail Overview', type: 'LIVEBOARD' }], edoc_format: 'YAML' });
    expect(yaml!.edoc).toMatch(/^guid: b5bd617f-0d23-49ec-9485-bfad5d3ddf84\nliveboard:\n {2}name: Retail Overview\n/);
  });

  it('adds associated objects, fqns, and writes a model as a worksheet with export_schema_version V1', async () => {
    const withDeps = await exportTml({ metadata: [{ identifier: DEMO_GUIDS.view }], export_associated: true, export_fqn: true });
    expect(withDeps.map((e) => e.info.id)).toEqual(expect.arrayContaining([DEMO_GUIDS.view, DEMO_GUIDS.model, DEMO_GUIDS.factSales]));
    expect(JSON.parse(withDeps[0]!.edoc!).view.tables[0].fqn).toBe(DEMO_GUIDS.model);
    const [model] = await exportTml({ metadata: [{ identifier: DEMO_GUIDS.model }] });
    expect(model!.info.type).toBe('model');
    const [worksheet] = await exportTml({ metadata: [{ identifier: DEMO_GUIDS.model }], export_schema_version: 'V1' });
    expect(worksheet!.info.type).toBe('worksheet');
  });

  it('answers an ERROR entry for an unknown GUID', async () => {
    const [missing] = await exportTml({ metadata: [{ identifier: '00000000-0000-4000-8000-000000000000' }] });
    expect(missing!.info.status.status_code).toBe('ERROR');
  });
});

describe('v2 metadata/tml/import', () => {
  it('round-trips: what export gives (with fqns), import takes back unchanged, and export gives the same bytes', async () => {
    const before = await exportTml({ metadata: [{ identifier: DEMO_GUIDS.liveboards[1] }], edoc_format: 'YAML', export_fqn: true });
    const imported = await importTml({ metadata_tmls: [before[0]!.edoc!] });
    expect(imported).toEqual([expect.objectContaining({ request_index: 0, response: expect.objectContaining({ status: { status_code: 'OK' }, diff: {} }) })]);
    expect(imported[0]!.response.header).toMatchObject({ id_guid: DEMO_GUIDS.liveboards[1], metadata_type: 'LIVEBOARD' });
    const after = await exportTml({ metadata: [{ identifier: DEMO_GUIDS.liveboards[1] }], edoc_format: 'YAML', export_fqn: true });
    expect(after[0]!.edoc).toBe(before[0]!.edoc);
  });

  it('validates without writing under VALIDATE_ONLY, and reports each error in place', async () => {
    const count = stage.emulator.state.objects.size;
    const answers = await importTml({ metadata_tmls: [answerDoc('Checked Only'), answerDoc('Broken', '[No Such Column]')], import_policy: 'VALIDATE_ONLY' });
    expect(answers.map((a) => [a.request_index, a.response.status.status_code])).toEqual([[0, 'OK'], [1, 'ERROR']]);
    expect(answers[1]!.response.status.error_message).toContain('No Such Column');
    expect(stage.emulator.state.objects.size).toBe(count);
  });

  it('writes nothing under ALL_OR_NONE when one document fails, and creates copies with create_new', async () => {
    const count = stage.emulator.state.objects.size;
    await importTml({ metadata_tmls: [answerDoc('All Or None'), answerDoc('Broken', '[No Such Column]')], import_policy: 'ALL_OR_NONE' });
    expect(stage.emulator.state.objects.size).toBe(count);
    const [original] = await exportTml({ metadata: [{ identifier: DEMO_GUIDS.answers[0] }] });
    const [copy] = await importTml({ metadata_tmls: [original!.edoc!], create_new: true });
    expect(copy!.response.header!.id_guid).not.toBe(DEMO_GUIDS.answers[0]);
    expect(stage.emulator.state.objects.size).toBe(count + 1);
  });
});

describe('v2 metadata/tml/async/import', () => {
  it('queues the import, and the status call reports it COMPLETED with the per-object answers', async () => {
    const submitted = await ok<Task>(v2(stage.url, 'POST', 'metadata/tml/async/import', { metadata_tmls: [answerDoc('Async One'), answerDoc('Async Two')], import_policy: 'PARTIAL_OBJECT' }, stage.token));
    expect(submitted).toMatchObject({ task_status: 'IN_QUEUE', total_object_count: 2, import_policy: 'PARTIAL_OBJECT' });
    let task: Task | undefined;
    for (let polls = 0; polls < 50 && task?.task_status !== 'COMPLETED'; polls += 1) {
      const status = await ok<{ status_list: Task[]; last_batch: boolean }>(v2(stage.url, 'POST', 'metadata/tml/async/status', { task_ids: [submitted.task_id], include_import_response: true }, stage.token));
      expect(status.last_batch).toBe(true);
      task = status.status_list[0];
    }
    expect(task).toMatchObject({ task_status: 'COMPLETED', object_processed_count: 2 });
    expect(task!.import_response!.map((r) => r.response.status.status_code)).toEqual(['OK', 'OK']);
    const names = [...stage.emulator.state.objects.values()].map((o) => o.name);
    expect(names).toEqual(expect.arrayContaining(['Async One', 'Async Two']));
    const withoutResponse = await ok<{ status_list: Task[] }>(v2(stage.url, 'POST', 'metadata/tml/async/status', { task_ids: [submitted.task_id] }, stage.token));
    expect(withoutResponse.status_list[0]!.import_response).toBeNull();
  });
});
