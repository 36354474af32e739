import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_GUIDS } from '../../src/emulator/seed/demo.js';
import { loginCookie, raw } from './raw-http.js';
import { ok, useV2Emulator, v2, v2Error } from './v2-http.js';

interface Found {
  metadata_id: string;
  metadata_name: string;
  metadata_type: string;
  metadata_header: Record<string, unknown> | null;
  metadata_detail: Record<string, unknown> | null;
  visualization_headers: Record<string, unknown>[] | null;
}

const stage = useV2Emulator();
let cookie: string;
beforeAll(async () => {
  cookie = await loginCookie(stage.url);
});

const search = (body: Record<string, unknown>) => ok<Found[]>(v2(stage.url, 'POST', 'metadata/search', body, stage.token));

describe('v2 metadata/search', () => {
  it('pages with record_offset and record_size, 10 records by default, -1 for all', async () => {
    const all = await search({ record_size: -1 });
    expect(all.length).toBe(18);
    expect((await search({})).map((f) => f.metadata_id)).toEqual(all.slice(0, 10).map((f) => f.metadata_id));
    const pages = [...(await search({ record_offset: 0, record_size: 7 })), ...(await search({ record_offset: 7, record_size: 7 })), ...(await search({ record_offset: 14, record_size: 7 }))];
    expect(pages.map((f) => f.metadata_id)).toEqual(all.map((f) => f.metadata_id));
  });

  it('filters by type, subtype, identifier and name pattern', async () => {
    const liveboards = await search({ metadata: [{ type: 'LIVEBOARD' }], record_size: -1 });
    expect(liveboards.map((f) => f.metadata_name).sort()).toEqual(['Product Insights', 'Retail Overview', 'Store Performance']);
    expect(liveboards.every((f) => f.metadata_type === 'LIVEBOARD')).toBe(true);
    const tables = await search({ metadata: [{ type: 'LOGICAL_TABLE', subtypes: ['ONE_TO_ONE_LOGICAL'] }], record_size: -1 });
    expect(tables).toHaveLength(4);
    expect((await search({ metadata: [{ identifier: DEMO_GUIDS.model }] })).map((f) => f.metadata_type)).toEqual(['LOGICAL_TABLE']);
    expect((await search({ metadata: [{ type: 'ANSWER', name_pattern: 'sales%' }], record_size: -1 })).map((f) => f.metadata_name).sort()).toEqual(['Sales by Category', 'Sales by Region', 'Sales by Segment']);
    const users = await search({ metadata: [{ type: 'USER' }], record_size: -1 });
    expect(users.map((f) => f.metadata_name)).toContain('tsadmin');
  });

  it('sorts by sort_options and carries modified time, author and owner in the headers', async () => {
    const byModified = await search({ metadata: [{ type: 'LIVEBOARD' }], sort_options: { field_name: 'MODIFIED', order: 'DESC' } });
    const times = byModified.map((f) => f.metadata_header!.modified as number);
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const header = byModified[0]!.metadata_header!;
    expect(header).toMatchObject({ author: stage.emulator.state.users.get('tsadmin')!.id, authorName: 'tsadmin', owner: stage.emulator.state.users.get('tsadmin')!.id });
    expect(typeof header.modified).toBe('number');
  });

  it('adds details and visualization headers only when asked', async () => {
    const [plain] = await search({ metadata: [{ identifier: DEMO_GUIDS.liveboards[1] }] });
    expect(plain).toMatchObject({ metadata_detail: null, visualization_headers: null });
    const [rich] = await search({ metadata: [{ identifier: DEMO_GUIDS.liveboards[1] }], include_details: true, include_visualization_headers: true, include_headers: false });
    expect(rich!.metadata_header).toBeNull();
    expect(rich!.metadata_detail).toMatchObject({ id: DEMO_GUIDS.liveboards[1], complete: true });
    expect(rich!.visualization_headers).toHaveLength(3);
  });

  it('filters by author and excludes objects', async () => {
    const admin = stage.emulator.state.users.get('tsadmin')!.id;
    const mine = await search({ created_by_user_identifiers: ['tsadmin'], record_size: -1 });
    expect(mine.length).toBe([...stage.emulator.state.objects.values()].filter((o) => o.author === admin).length);
    const without = await search({ metadata: [{ type: 'LIVEBOARD' }], exclude_objects: [{ identifier: DEMO_GUIDS.liveboards[0] }] });
    expect(without.map((f) => f.metadata_id)).not.toContain(DEMO_GUIDS.liveboards[0]);
    expect(await v2Error(await v2(stage.url, 'POST', 'metadata/search', { metadata: [{ type: 'NOPE' }] }, stage.token))).toMatchObject({ status: 400 });
  });
});

const answerDoc = (name: string, guid?: string) =>
  `${guid ? `guid: ${guid}\n` : ''}answer:\n  name: ${name}\n  tables:\n  - id: Retail Sales\n    name: Retail Sales\n    fqn: ${DEMO_GUIDS.model}\n  search_query: "[Region] [Sales]"\n`;

describe('one state under both versions', () => {
  it('shows an object imported through v1 to v2 search and export, and one imported through v2 to v1', async () => {
    const viaV1 = await raw(stage.url, 'POST', 'metadata/tml/import', { cookie, form: { import_objects: JSON.stringify([answerDoc('Made in v1')]) } });
    const v1Id = ((await viaV1.json()) as { object: { response: { header: { id_guid: string } } }[] }).object[0]!.response.header.id_guid;
    expect((await search({ metadata: [{ identifier: v1Id }] })).map((f) => f.metadata_name)).toEqual(['Made in v1']);
    const exported = await ok<{ info: { id: string }; edoc: string }[]>(v2(stage.url, 'POST', 'metadata/tml/export', { metadata: [{ identifier: v1Id }] }, stage.token));
    expect(JSON.parse(exported[0]!.edoc)).toMatchObject({ guid: v1Id, answer: { name: 'Made in v1' } });

    const viaV2 = await ok<{ response: { header: { id_guid: string } } }[]>(v2(stage.url, 'POST', 'metadata/tml/import', { metadata_tmls: [answerDoc('Made in v2')] }, stage.token));
    const v2Id = viaV2[0]!.response.header.id_guid;
    const listed = await raw(stage.url, 'GET', 'metadata/listobjectheaders', { cookie, query: { type: 'QUESTION_ANSWER_BOOK', fetchids: JSON.stringify([v2Id]) } });
    expect(((await listed.json()) as { name: string }[]).map((h) => h.name)).toEqual(['Made in v2']);
  });
});

describe('v2 metadata/delete and security/metadata/assign', () => {
  it('deletes by GUID or by name with a type (204), and refuses to break a dependent (400)', async () => {
    const [first, second] = await ok<{ response: { header: { id_guid: string } } }[]>(
      v2(stage.url, 'POST', 'metadata/tml/import', { metadata_tmls: [answerDoc('Doomed One'), answerDoc('Doomed Two')] }, stage.token),
    );
    const res = await v2(stage.url, 'POST', 'metadata/delete', { metadata: [{ identifier: first!.response.header.id_guid }, { identifier: 'Doomed Two', type: 'ANSWER' }] }, stage.token);
    expect(res.status).toBe(204);
    expect(stage.emulator.state.objects.has(first!.response.header.id_guid)).toBe(false);
    expect(stage.emulator.state.objects.has(second!.response.header.id_guid)).toBe(false);
    const blocked = await v2(stage.url, 'POST', 'metadata/delete', { metadata: [{ identifier: DEMO_GUIDS.model }] }, stage.token);
    expect(await v2Error(blocked)).toMatchObject({ status: 400, message: expect.stringContaining('is used by') });
    expect(stage.emulator.state.objects.has(DEMO_GUIDS.model)).toBe(true);
  });

  it('assigns the author of objects to another user, optionally only those of the current owner', async () => {
    const analyst = [{ user_identifier: 'owner.to.be', display_name: 'Owner', password: 'owner-pass-1' }];
    expect((await v2(stage.url, 'POST', 'users/import', { users: analyst, dry_run: false }, stage.token)).status).toBe(200);
    const target = stage.emulator.state.users.get('owner.to.be')!;
    const res = await v2(stage.url, 'POST', 'security/metadata/assign', { metadata: [{ identifier: DEMO_GUIDS.liveboards[2], type: 'LIVEBOARD' }], user_identifier: 'owner.to.be' }, stage.token);
    expect(res.status).toBe(204);
    expect(stage.emulator.state.objects.get(DEMO_GUIDS.liveboards[2])!.author).toBe(target.id);
    const [found] = await search({ metadata: [{ identifier: DEMO_GUIDS.liveboards[2] }] });
    expect(found!.metadata_header).toMatchObject({ author: target.id, authorName: 'owner.to.be' });
    // current_owner_identifier filters: tsadmin no longer owns it, so nothing moves.
    await v2(stage.url, 'POST', 'security/metadata/assign', { metadata: [{ identifier: DEMO_GUIDS.liveboards[2] }], user_identifier: 'tsadmin', current_owner_identifier: 'tsadmin' }, stage.token);
    expect(stage.emulator.state.objects.get(DEMO_GUIDS.liveboards[2])!.author).toBe(target.id);
  });
});
