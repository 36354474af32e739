import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { loginCookie, raw } from './raw-http.js';
import { ok, v2, v2Error, v2Token, type TokenAnswer } from './v2-http.js';

/** The Org endpoints of one API version, as other real clients call them. */
interface OrgApi {
  create(name: string): Promise<number>;
  names(): Promise<string[]>;
  remove(id: number): Promise<number>;
  /** Logs in (into an Org, when given): the status of the login, 200 or 204 when it worked. */
  loginStatus(user: string, password: string, org?: number): Promise<{ status: number; message: string }>;
}

function v1Api(base: string): OrgApi {
  let cookie = '';
  const admin = async () => (cookie ||= await loginCookie(base));
  return {
    async create(name) {
      const res = await raw(base, 'POST', 'org/', { cookie: await admin(), form: { name, description: `${name} Org` } });
      expect(res.status).toBe(200);
      return ((await res.json()) as { orgId: number }).orgId;
    },
    async names() {
      const res = await raw(base, 'POST', 'org/search', { cookie: await admin(), form: {} });
      return ((await res.json()) as { orgName: string }[]).map((o) => o.orgName);
    },
    async remove(id) {
      return (await raw(base, 'DELETE', 'org/', { cookie: await admin(), query: { id: String(id) } })).status;
    },
    async loginStatus(user, password, org) {
      const res = await raw(base, 'POST', 'session/login', { form: { username: user, password } });
      if (res.status !== 204 || org === undefined) return { status: res.status, message: res.status === 204 ? '' : await res.text() };
      const session = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
      const switched = await raw(base, 'PUT', 'session/orgs', { cookie: session, form: { orgid: String(org) } });
      return { status: switched.status, message: switched.status === 204 ? '' : await switched.text() };
    },
  };
}

function v2Api(base: string): OrgApi {
  let token = '';
  const admin = async () => (token ||= await v2Token(base));
  return {
    async create(name) {
      return (await ok<{ id: number }>(v2(base, 'POST', 'orgs/create', { name, description: `${name} Org` }, await admin()))).id;
    },
    async names() {
      return (await ok<{ name: string }[]>(v2(base, 'POST', 'orgs/search', {}, await admin()))).map((o) => o.name);
    },
    async remove(id) {
      return (await v2(base, 'POST', `orgs/${id}/delete`, {}, await admin())).status;
    },
    async loginStatus(user, password, org) {
      const res = await v2(base, 'POST', 'auth/token/full', { username: user, password, ...(org !== undefined ? { org_id: org } : {}) });
      if (res.status === 200) return { status: 200, message: '' };
      return { status: res.status, message: (await v2Error(res)).message };
    },
  };
}

const APIS = [
  ['v1', v1Api],
  ['v2', v2Api],
] as const;

describe.each(APIS)('Orgs over %s', (_api, apiFor) => {
  let emulator: RunningEmulator;
  let api: OrgApi;
  beforeAll(async () => {
    emulator = await startEmulator();
    api = apiFor(emulator.url);
  });
  afterAll(() => emulator.close());

  it('creates, lists and deletes Orgs; the Primary Org keeps the demo seed and a new Org starts with only the built-in principals', async () => {
    const id = await api.create('Dev');
    expect(await api.names()).toEqual(expect.arrayContaining(['Primary', 'Dev']));
    const dev = emulator.instance.orgs.get(id)!;
    expect(dev.objects.size).toBe(0);
    expect([...dev.users.keys()].sort()).toEqual(['su', 'system', 'tsadmin']);
    expect([...dev.groups.keys()].sort()).toEqual(['Administrator', 'All', 'System']);
    expect(emulator.state.objects.size).toBeGreaterThan(10);
    expect(await api.remove(id)).toBe(204);
    expect(await api.names()).not.toContain('Dev');
    expect(emulator.instance.orgs.has(id)).toBe(false);
  });

  it('refuses a second Org of the same name and the deletion of the Primary Org', async () => {
    await api.create('Twice');
    await expect(api.create('twice')).rejects.toThrow();
    expect(await api.remove(0)).toBe(400);
  });

  it('lets a user into an Org only when they are in it: an unknown Org is a 400, another Org a 401 naming the user and the Org', async () => {
    const id = await api.create('Members');
    expect((await api.loginStatus('tsadmin', 'admin', id)).status).toBeLessThan(300);
    // alex.analyst (demo seed) is in the Primary Org only.
    expect((await api.loginStatus('alex.analyst', 'demo-password')).status).toBeLessThan(300);
    const refused = await api.loginStatus('alex.analyst', 'demo-password', id);
    expect(refused.status).toBe(401);
    expect(refused.message).toContain('alex.analyst');
    expect(refused.message).toContain('Members');
    expect((await api.loginStatus('tsadmin', 'admin', 999)).status).toBe(400);
  });
});

describe('Org-scoped content', () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ orgs: ['Dev', 'Prod'] });
  });
  afterAll(() => emulator.close());

  const orgId = (name: string) => emulator.instance.findOrg(name)!.org.id;

  it('gives a v2 token and a v1 session the Org they asked for, and lists only that Org\'s objects', async () => {
    const answer = await ok<TokenAnswer>(v2(emulator.url, 'POST', 'auth/token/full', { username: 'tsadmin', password: 'admin', org_id: orgId('Dev') }));
    expect(answer.scope.org_id).toBe(orgId('Dev'));
    const me = await ok<{ current_org: { name: string }; orgs: { name: string }[] }>(v2(emulator.url, 'GET', 'auth/session/user', undefined, answer.token));
    expect(me.current_org.name).toBe('Dev');
    expect(me.orgs.map((o) => o.name)).toEqual(['Primary', 'Dev', 'Prod'].sort((a, b) => orgId(a) - orgId(b)));
    const found = await ok<unknown[]>(v2(emulator.url, 'POST', 'metadata/search', { metadata: [{ type: 'LIVEBOARD' }], record_size: -1 }, answer.token));
    expect(found).toEqual([]);

    const cookie = await loginCookie(emulator.url);
    const listed = async () => ((await (await raw(emulator.url, 'GET', 'metadata/listobjectheaders', { cookie, query: { type: 'PINBOARD_ANSWER_BOOK' } })).json()) as unknown[]).length;
    expect(await listed()).toBeGreaterThan(0);
    const orgs = (await (await raw(emulator.url, 'GET', 'session/orgs', { cookie, query: { batchsize: '-1', offset: '-1' } })).json()) as { currentOrgId: number; orgs: { orgName: string }[] };
    expect(orgs.currentOrgId).toBe(0);
    expect(orgs.orgs.map((o) => o.orgName)).toContain('Prod');
    expect((await raw(emulator.url, 'PUT', 'session/orgs', { cookie, form: { orgid: String(orgId('Prod')) } })).status).toBe(204);
    expect(await listed()).toBe(0);
  });

  it('never exports, imports over or deletes another Org\'s object by its GUID: an import of that GUID creates a new object', async () => {
    const primary = emulator.state;
    const liveboard = [...primary.objects.values()].find((o) => o.kind === 'liveboard')!;
    const table = [...primary.objects.values()].find((o) => o.kind === 'table')!;
    const token = await v2Token(emulator.url, 'tsadmin', 'admin', { org_id: orgId('Dev') });
    const [exported] = await ok<{ info: { status: { status_code: string; error_message: string } } }[]>(v2(emulator.url, 'POST', 'metadata/tml/export', { metadata: [{ identifier: liveboard.id }] }, token));
    expect(exported!.info.status).toMatchObject({ status_code: 'ERROR', error_message: expect.stringContaining('not found') });
    expect(await v2Error(await v2(emulator.url, 'POST', 'metadata/delete', { metadata: [{ identifier: liveboard.id }] }, token))).toMatchObject({ status: 400 });
    expect(primary.objects.has(liveboard.id)).toBe(true);

    const connection = [...primary.objects.values()].find((o) => o.kind === 'connection')!;
    const connectionDoc = `guid: ${connection.id}\nconnection:\n  name: ${connection.name}\n  type: RDBMS_SNOWFLAKE\n`;
    const tableDoc = `guid: ${table.id}\ntable:\n  name: ${table.name}\n  db: D\n  schema: S\n  db_table: t\n  connection:\n    name: ${connection.name}\n  columns:\n  - name: c\n    db_column_name: c\n    properties:\n      column_type: ATTRIBUTE\n    db_column_properties:\n      data_type: VARCHAR\n`;
    const before = JSON.stringify(primary.objects.get(table.id));
    const imported = await ok<{ response: { status: { status_code: string }; header?: { id_guid: string } } }[]>(
      v2(emulator.url, 'POST', 'metadata/tml/import', { metadata_tmls: [connectionDoc, tableDoc], import_policy: 'ALL_OR_NONE' }, token),
    );
    expect(imported.map((i) => i.response.status.status_code)).toEqual(['OK', 'OK']);
    const newIds = imported.map((i) => i.response.header!.id_guid);
    expect(newIds).not.toContain(table.id);
    expect(newIds).not.toContain(connection.id);
    expect([...emulator.instance.findOrg('Dev')!.objects.keys()].sort()).toEqual([...newIds].sort());
    expect(JSON.stringify(primary.objects.get(table.id))).toBe(before);
  });
});

describe('Orgs at start-up', () => {
  it('creates the --orgs Orgs once, and keeps every Org and its objects across a restart of a data dir', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tmlsync-orgs-'));
    try {
      const first = await startEmulator({ dataDir: dir, orgs: ['Dev', 'Prod'] });
      const devId = first.instance.findOrg('Dev')!.org.id;
      const token = await v2Token(first.url, 'tsadmin', 'admin', { org_id: devId });
      const doc = 'connection:\n  name: Dev Warehouse\n  type: RDBMS_SNOWFLAKE\n';
      const [made] = await ok<{ response: { header: { id_guid: string } } }[]>(v2(first.url, 'POST', 'metadata/tml/import', { metadata_tmls: [doc] }, token));
      await first.close();

      const second = await startEmulator({ dataDir: dir, orgs: ['Dev', 'Prod'] });
      try {
        expect([...second.instance.orgs.values()].map((s) => s.org.name).sort()).toEqual(['Dev', 'Primary', 'Prod']);
        expect(second.instance.findOrg('Dev')!.org.id).toBe(devId);
        expect([...second.instance.findOrg('Dev')!.objects.keys()]).toEqual([made!.response.header.id_guid]);
        expect(second.state.objects.has(made!.response.header.id_guid)).toBe(false);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
