import { beforeAll, describe, expect, it } from 'vitest';
import { ok, useV2Emulator, v2, v2Error, v2Token } from './v2-http.js';

type Named = { id: string | null; name: string };
type ImportAnswer = { users_added: Named[]; users_updated: Named[]; users_deleted: Named[] };
type User = { id: string; name: string; display_name: string; visibility: string; email: string; user_groups: { name: string }[]; privileges: string[] };
type Group = { id: string; name: string; privileges: string[]; users: { name: string }[]; sub_groups: { name: string }[] };

const stage = useV2Emulator({ seed: 'none' });
beforeAll(async () => {
  // A group to put users in (groups/import itself is tested below).
  await ok(v2(stage.url, 'POST', 'groups/import', { groups: [{ group_identifier: 'Analysts', display_name: 'Analysts' }], dry_run: false }, stage.token));
});

const importUsers = (body: Record<string, unknown>) => ok<ImportAnswer>(v2(stage.url, 'POST', 'users/import', body, stage.token));
const ana = { user_identifier: 'ana', display_name: 'Ana', password: 'ana-pass-123', email: 'ana@example.com', group_identifiers: ['Analysts'] };

describe('v2 users/import', () => {
  it('is a dry run by default: it says what would change and changes nothing', async () => {
    const answer = await importUsers({ users: [ana] });
    expect(answer).toEqual({ users_added: [{ id: null, name: 'ana' }], users_updated: [], users_deleted: [] });
    expect(stage.emulator.state.users.has('ana')).toBe(false);
  });

  it('applies with dry_run false, updates what differs, and deletes unspecified users only when asked', async () => {
    const added = await importUsers({ users: [ana, { user_identifier: 'bo', display_name: 'Bo', password: 'bo-pass-1234' }], dry_run: false });
    expect(added.users_added.map((u) => u.name)).toEqual(['ana', 'bo']);
    expect(added.users_added[0]!.id).toBe(stage.emulator.state.users.get('ana')!.id);
    expect(stage.emulator.state.users.get('ana')).toMatchObject({ mail: 'ana@example.com', groupNames: ['Analysts', 'All'] });

    const kept = await importUsers({ users: [{ ...ana, display_name: 'Ana Lyst' }], dry_run: false });
    expect(kept).toEqual({ users_added: [], users_updated: [{ id: stage.emulator.state.users.get('ana')!.id, name: 'ana' }], users_deleted: [] });
    expect(stage.emulator.state.users.has('bo')).toBe(true);

    const pruned = await importUsers({ users: [ana], dry_run: false, delete_unspecified_users: true });
    expect(pruned.users_deleted.map((u) => u.name)).toEqual(['bo']);
    expect(stage.emulator.state.users.has('bo')).toBe(false);
    expect(stage.emulator.state.users.has('tsadmin')).toBe(true);
    expect(stage.emulator.state.groups.has('Analysts')).toBe(true);
  });

  it('names a new local user without a password, and an unknown group', async () => {
    expect((await v2Error(await v2(stage.url, 'POST', 'users/import', { users: [{ user_identifier: 'cy', display_name: 'Cy' }] }, stage.token))).message).toContain('password');
    const res = await v2(stage.url, 'POST', 'users/import', { users: [{ ...ana, group_identifiers: ['Nope'] }] }, stage.token);
    expect(await v2Error(res)).toMatchObject({ status: 400, message: expect.stringContaining('Nope') });
  });
});

describe('v2 users/search and groups/search', () => {
  it('finds users by identifier, pattern and group, in the SDK User shape', async () => {
    const [found] = await ok<User[]>(v2(stage.url, 'POST', 'users/search', { user_identifier: 'ana' }, stage.token));
    expect(found).toMatchObject({ name: 'ana', visibility: 'SHARABLE', email: 'ana@example.com', user_groups: expect.arrayContaining([expect.objectContaining({ name: 'Analysts' })]) });
    const inGroup = await ok<User[]>(v2(stage.url, 'POST', 'users/search', { group_identifiers: ['Analysts'] }, stage.token));
    expect(inGroup.map((u) => u.name)).toEqual(['ana']);
    const admins = await ok<User[]>(v2(stage.url, 'POST', 'users/search', { privileges: ['ADMINISTRATION'], record_size: -1 }, stage.token));
    expect(admins.map((u) => u.name)).toEqual(expect.arrayContaining(['su', 'tsadmin']));
    expect(admins.map((u) => u.name)).not.toContain('ana');
    const paged = await ok<User[]>(v2(stage.url, 'POST', 'users/search', { record_size: 2, sort_options: { field_name: 'NAME', order: 'ASC' } }, stage.token));
    expect(paged.map((u) => u.name)).toEqual(['ana', 'su']);
  });

  it('finds groups with their members and privileges', async () => {
    const [group] = await ok<Group[]>(v2(stage.url, 'POST', 'groups/search', { group_identifier: 'Analysts' }, stage.token));
    expect(group).toMatchObject({ name: 'Analysts', privileges: [], users: [expect.objectContaining({ name: 'ana' })] });
  });
});

describe('v2 groups/{group_identifier}/update', () => {
  it('replaces privileges by default, and adds or removes them with operation', async () => {
    const group = stage.emulator.state.groups.get('Analysts')!;
    const update = (body: Record<string, unknown>, id = group.id) => v2(stage.url, 'POST', `groups/${id}/update`, body, stage.token);
    expect((await update({ privileges: ['DATAMANAGEMENT', 'DATADOWNLOADING'] })).status).toBe(204);
    expect([...group.privileges].sort()).toEqual(['DATADOWNLOADING', 'DATAMANAGEMENT']);
    await update({ privileges: ['SHAREWITHALL'], operation: 'ADD' }, 'Analysts');
    await update({ privileges: ['DATADOWNLOADING'], operation: 'REMOVE' });
    expect([...group.privileges].sort()).toEqual(['DATAMANAGEMENT', 'SHAREWITHALL']);
    expect((await v2Error(await update({ privileges: ['FLYING'] }))).message).toContain('FLYING');
    expect((await update({ privileges: [] }, 'No Such Group')).status).toBe(400);
    // The user now holds the group's privileges, through v1 as well.
    const [ana] = await ok<User[]>(v2(stage.url, 'POST', 'users/search', { user_identifier: 'ana' }, stage.token));
    expect(ana!.privileges).toEqual(expect.arrayContaining(['DATAMANAGEMENT', 'SHAREWITHALL']));
  });
});

describe('v2 users/change-password', () => {
  it('changes a password (204), ends the old tokens, and refuses a wrong current password with 400 naming the field', async () => {
    const own = await v2Token(stage.url, 'ana', 'ana-pass-123');
    const wrong = await v2(stage.url, 'POST', 'users/change-password', { user_identifier: 'ana', current_password: 'nope', new_password: 'Blue-horse-456' }, own);
    expect(await v2Error(wrong)).toMatchObject({ status: 400, message: expect.stringContaining('current_password') });
    const res = await v2(stage.url, 'POST', 'users/change-password', { user_identifier: 'ana', current_password: 'ana-pass-123', new_password: 'Blue-horse-456' }, own);
    expect(res.status).toBe(204);
    expect((await v2(stage.url, 'GET', 'auth/session/user', undefined, own)).status).toBe(401);
    await v2Token(stage.url, 'ana', 'Blue-horse-456');
    expect((await v2(stage.url, 'POST', 'auth/token/full', { username: 'ana', password: 'ana-pass-123' })).status).toBe(401);
  });
});

type GroupsAnswer = { groups_added: Named[]; groups_updated: Named[]; groups_deleted: Named[] };
const importGroups = (body: Record<string, unknown>) => ok<GroupsAnswer>(v2(stage.url, 'POST', 'groups/import', body, stage.token));
const names = (refs: Named[]) => refs.map((r) => r.name);
const emea = { group_identifier: 'EMEA', display_name: 'EMEA', privileges: ['DATADOWNLOADING'], user_identifiers: ['bo'] };
const sales = { group_identifier: 'Sales', display_name: 'Sales', sub_group_identifiers: ['EMEA'] };

describe('v2 groups/import', () => {
  beforeAll(async () => {
    await importUsers({ users: [{ user_identifier: 'bo', display_name: 'Bo', password: 'bo-pass-1234' }], dry_run: false });
  });

  it('is a dry run by default, even naming a sub-group the same request adds', async () => {
    expect(await importGroups({ groups: [sales, emea] })).toEqual({ groups_added: [{ id: null, name: 'Sales' }, { id: null, name: 'EMEA' }], groups_updated: [], groups_deleted: [] });
    expect(stage.emulator.state.groups.has('Sales') || stage.emulator.state.groups.has('EMEA')).toBe(false);
  });

  it('adds groups with their sub-groups, users and privileges; the same import again changes nothing; an absent field keeps its value', async () => {
    const added = await importGroups({ groups: [sales, emea], dry_run: false });
    expect(names(added.groups_added)).toEqual(['Sales', 'EMEA']);
    expect(added.groups_added[1]!.id).toBe(stage.emulator.state.groups.get('EMEA')!.id);
    expect(stage.emulator.state.groups.get('EMEA')).toMatchObject({ groupNames: ['Sales'], privileges: ['DATADOWNLOADING'] });
    expect(stage.emulator.state.users.get('bo')!.groupNames).toContain('EMEA');
    expect(await importGroups({ groups: [sales, emea], dry_run: false })).toEqual({ groups_added: [], groups_updated: [], groups_deleted: [] });

    const { privileges: _kept, user_identifiers: _members, ...renamed } = { ...emea, display_name: 'Europe' };
    expect(names((await importGroups({ groups: [renamed], dry_run: false })).groups_updated)).toEqual(['EMEA']);
    expect(stage.emulator.state.groups.get('EMEA')).toMatchObject({ displayName: 'Europe', privileges: ['DATADOWNLOADING'], groupNames: ['Sales'] });
    expect(stage.emulator.state.users.get('bo')!.groupNames).toContain('EMEA');
  });

  it('deletes the groups not named only with delete_unspecified_groups, never a built-in one, and their memberships with them', async () => {
    const kept = ['Analysts', 'Sales'].map((name) => ({ group_identifier: name, display_name: name }));
    expect((await importGroups({ groups: kept, dry_run: false })).groups_deleted).toEqual([]);
    const pruned = await importGroups({ groups: kept, dry_run: false, delete_unspecified_groups: true });
    expect(names(pruned.groups_deleted)).toEqual(['EMEA']);
    expect([...stage.emulator.state.groups.keys()].sort()).toEqual(['Administrator', 'All', 'Analysts', 'Sales', 'System']);
    expect(stage.emulator.state.users.get('bo')!.groupNames).not.toContain('EMEA');
  });

  it.each([
    { problem: 'an unknown sub-group', group: { ...sales, sub_group_identifiers: ['Nope'] }, field: 'groups[0].sub_group_identifiers' },
    { problem: 'an unknown user', group: { ...emea, user_identifiers: ['nobody'] }, field: 'groups[0].user_identifiers' },
    { problem: 'an unknown privilege', group: { ...emea, privileges: ['FLYING'] }, field: 'FLYING' },
    { problem: 'a group inside itself', group: { ...sales, sub_group_identifiers: ['Sales'] }, field: 'itself' },
  ])('refuses $problem with a 400 naming it, and changes nothing', async ({ group, field }) => {
    const before = JSON.stringify([...stage.emulator.state.groups.values()]);
    const res = await v2(stage.url, 'POST', 'groups/import', { groups: [group], dry_run: false }, stage.token);
    expect(await v2Error(res)).toMatchObject({ status: 400, message: expect.stringContaining(field) });
    expect(JSON.stringify([...stage.emulator.state.groups.values()])).toBe(before);
  });

  it('needs ADMINISTRATION', async () => {
    const bo = await v2Token(stage.url, 'bo', 'bo-pass-1234');
    expect((await v2(stage.url, 'POST', 'groups/import', { groups: [sales] }, bo)).status).toBe(403);
  });
});
