import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { loginCookie, raw } from './raw-http.js';

let emulator: RunningEmulator;
let cookie: string;

beforeAll(async () => {
  emulator = await startEmulator({ seed: 'none' });
  cookie = await loginCookie(emulator.url);
});
afterAll(() => emulator.close());

/** Multipart as Python `requests` sends with `files=`: every field a file part named after itself, no content type. */
function pythonFiles(fields: Record<string, string>): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, new Blob([value]), name);
  return form;
}

const principals = [
  { name: 'Analysts', displayName: 'Analysts', principalTypeEnum: 'LOCAL_GROUP', groupNames: [], visibility: 'DEFAULT' },
  { name: 'ana', displayName: 'Ana Lyst', mail: 'ana@example.com', principalTypeEnum: 'LOCAL_USER', groupNames: ['Analysts'], visibility: 'DEFAULT' },
];

async function sync(fields: Record<string, string>) {
  const res = await raw(emulator.url, 'POST', 'user/sync', { cookie, multipart: pythonFiles(fields) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('principals', () => {
  it('lists the built-in principals in user/list form, without GUIDs or passwords', async () => {
    const res = await raw(emulator.url, 'GET', 'user/list', { cookie });
    const list = (await res.json()) as Record<string, unknown>[];
    expect(list.map((p) => p.name)).toEqual(expect.arrayContaining(['All', 'Administrator', 'System', 'su', 'system', 'tsadmin']));
    const tsadmin = list.find((p) => p.name === 'tsadmin')!;
    expect(tsadmin).toMatchObject({ displayName: 'Administrator', principalTypeEnum: 'LOCAL_USER', groupNames: ['Administrator', 'All'], visibility: 'DEFAULT', mail: '' });
    expect(JSON.stringify(list)).not.toMatch(/password|passwordHash/);
  });

  it('computes a dry run by default: the diff comes back, nothing changes', async () => {
    const { status, body } = await sync({ principals: JSON.stringify(principals), password: 'Welcome-1', removeDeleted: 'false' });
    expect(status).toBe(200);
    expect(body).toEqual({ usersAdded: ['ana'], usersDeleted: [], usersUpdated: [], groupsAdded: ['Analysts'], groupsDeleted: [], groupsUpdated: [] });
    expect(emulator.state.users.has('ana')).toBe(false);
  });

  it('refuses new local users without a password, naming the password', async () => {
    const { status, body } = await sync({ principals: JSON.stringify(principals), applyChanges: 'true' });
    expect(status).toBe(400);
    expect(body.debug).toContain('password');
  });

  it('applies changes, and never removes built-in principals with removeDeleted', async () => {
    const { body } = await sync({ principals: JSON.stringify(principals), password: 'Welcome-1', applyChanges: 'true', removeDeleted: 'true' });
    expect(body).toMatchObject({ usersAdded: ['ana'], groupsAdded: ['Analysts'], usersDeleted: [], groupsDeleted: [] });
    expect(emulator.state.users.get('ana')?.groupNames).toEqual(['Analysts', 'All']);
    expect(emulator.state.users.has('tsadmin')).toBe(true);
    await loginCookie(emulator.url, 'ana', 'Welcome-1');
    const again = await sync({ principals: JSON.stringify(principals), applyChanges: 'true' });
    expect(again.body).toMatchObject({ usersAdded: [], usersUpdated: [], groupsUpdated: [] });
  });

  it('removes principals absent from the file when removeDeleted is missing (it defaults to true)', async () => {
    await sync({ principals: JSON.stringify([...principals, { name: 'temp', principalTypeEnum: 'LOCAL_USER', password: 'Temp-pass-1' }]), applyChanges: 'true' });
    expect(emulator.state.users.has('temp')).toBe(true);
    // The Python client's misspelt `removeDelete` is ignored like any unknown parameter.
    const { body } = await sync({ principals: JSON.stringify(principals), applyChanges: 'true', removeDelete: 'false' });
    expect(body.usersDeleted).toEqual(['temp']);
  });

  it('changes a password with `newpassword` (Python client) and refuses a wrong current password with 400', async () => {
    const wrong = await raw(emulator.url, 'POST', 'user/updatepassword', { cookie, form: { name: 'ana', currentpassword: 'nope', password: 'x-Second-2' } });
    expect(wrong.status).toBe(400);
    const ok = await raw(emulator.url, 'POST', 'user/updatepassword', { cookie, form: { name: 'ana', currentpassword: 'Welcome-1', newpassword: 'x-Second-2' } });
    expect(ok.status).toBe(204);
    await loginCookie(emulator.url, 'ana', 'x-Second-2');
  });

  it('refuses a new password its policy rejects with 400 naming the rule, and the old one still logs in', async () => {
    const refusals: string[] = [];
    for (const password of ['Sh0rt', 'no-digits-here', 'my-ana-Pass-1', 'x-Second-2']) {
      const res = await raw(emulator.url, 'POST', 'user/updatepassword', { cookie, form: { name: 'ana', currentpassword: 'x-Second-2', password } });
      expect(res.status).toBe(400);
      const body = (await res.json()) as { code: number; debug: string };
      expect(body.code).toBe(10002);
      refusals.push((JSON.parse(body.debug) as string[])[0]!);
    }
    expect(refusals).toEqual([
      'Invalid parameter values password: the new password does not meet the password policy: it must have at least 8 characters',
      'Invalid parameter values password: the new password does not meet the password policy: it must contain a letter and a digit',
      'Invalid parameter values password: the new password does not meet the password policy: it must not contain the user name',
      'Invalid parameter values password: the new password does not meet the password policy: it must differ from the current password',
    ]);
    await loginCookie(emulator.url, 'ana', 'x-Second-2');
  });

  it('adds and removes privileges with multipart, answering 200 with the group JSON', async () => {
    const add = await raw(emulator.url, 'POST', 'group/addprivilege', { cookie, multipart: pythonFiles({ privilege: 'DATAMANAGEMENT', groupNames: "['Analysts']" }) });
    expect(add.status).toBe(200);
    expect(await add.json()).toMatchObject({ privileges: ['DATAMANAGEMENT'], header: { name: 'Analysts' } });
    const group = await raw(emulator.url, 'GET', 'group', { cookie, query: { name: 'Analysts' } });
    expect(await group.json()).toMatchObject({ privileges: ['DATAMANAGEMENT'] });
    const remove = await raw(emulator.url, 'POST', 'group/removeprivilege', { cookie, multipart: pythonFiles({ privilege: 'DATAMANAGEMENT', groupNames: '["Analysts"]' }) });
    expect(await remove.json()).toMatchObject({ privileges: [] });
  });

  it('rejects unknown privileges and groups with 400', async () => {
    const bad = await raw(emulator.url, 'POST', 'group/addprivilege', { cookie, multipart: pythonFiles({ privilege: 'WIZARDRY', groupNames: '["Analysts"]' }) });
    expect(bad.status).toBe(400);
    const missing = await raw(emulator.url, 'POST', 'group/addprivilege', { cookie, multipart: pythonFiles({ privilege: 'DATAMANAGEMENT', groupNames: '["Nobody"]' }) });
    expect(missing.status).toBe(400);
  });

  it('refuses principal management to a non-admin with 403', async () => {
    const ana = await loginCookie(emulator.url, 'ana', 'x-Second-2');
    const res = await raw(emulator.url, 'POST', 'group/addprivilege', { cookie: ana, multipart: pythonFiles({ privilege: 'ADMINISTRATION', groupNames: '["Analysts"]' }) });
    expect(res.status).toBe(403);
  });

  it('transfers ownership with query parameters; only system and su are refused as the source', async () => {
    const from = await raw(emulator.url, 'POST', 'user/transfer/ownership', { cookie, query: { fromUserName: 'tsadmin', toUserName: 'ana' } });
    expect(from.status).toBe(204);
    for (const source of ['system', 'su']) {
      const res = await raw(emulator.url, 'POST', 'user/transfer/ownership', { cookie, query: { fromUserName: source, toUserName: 'ana' } });
      expect(res.status).toBe(400);
    }
    const unknown = await raw(emulator.url, 'POST', 'user/transfer/ownership', { cookie, query: { fromUserName: 'ghost', toUserName: 'ana' } });
    expect(unknown.status).toBe(400);
  });

  it('answers 400 naming a bad boolean', async () => {
    const { status, body } = await sync({ principals: '[]', applyChanges: 'maybe' });
    expect(status).toBe(400);
    expect(body.debug).toContain('applyChanges');
  });
});
