import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_VERSIONS, type ApiVersion } from '../../src/emulator/context.js';
import { runExport, runImport } from '../../src/emulator/handlers/tml.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { builtInPrincipals, type UserRecord } from '../../src/emulator/principals.js';
import { EmulatorInstance, type EmulatorState } from '../../src/emulator/state.js';
import { MemoryStore } from '../../src/emulator/store.js';
import { parse, resolveReferences } from '../../src/tml/index.js';
import { raw } from './raw-http.js';
import { ok, v2, v2Token } from './v2-http.js';

/**
 * Issue 18, items 4 and 5: every ThoughtSpot export of the real-TML corpus imports into the
 * emulator and exports back to the same bytes, numbers' written forms included, through the real
 * HTTP endpoints of REST API v1 and of v2 (an export of ThoughtSpot 7.x comes back as today's
 * exporter writes it: expectedOver). One emulator for the whole file; each source, per
 * version, is imported into an Org of its own, in one import, so that its objects find each
 * other; what they reference outside the corpus (README "Unresolved references") is put in the
 * Org first as a bare header with the name and GUID the reference gives.
 */
const root = new URL('../fixtures/real-tml/', import.meta.url);
const readme = readFileSync(new URL('README.md', root), 'utf8');
const marked = (mark: string): string[] =>
  [...readme.matchAll(new RegExp(`^\\| \`([^\`]+/[^\`]+\\.tml)\` \\|[^|]*\\|[^|]*\\| ${mark} \\|`, 'gm'))].map((m) => m[1] as string).sort();
/** ThoughtSpot's exports; and those of ThoughtSpot 7.x, whose exporter wrote the key `y` plain (README: the canonical form). */
const exports = [...marked('export'), ...marked('old-export')].sort();
const oldExports = new Set(marked('old-export'));
if (exports.length < 70) throw new Error(`test/fixtures/real-tml/README.md: ${exports.length} files marked export or old-export, expected at least 70`);
const read = (file: string): string => readFileSync(new URL(file, root), 'utf8');
const sourceOf = (file: string): string => file.slice(file.indexOf('/') + 1, file.indexOf('--'));
const sources = [...new Set(exports.map(sourceOf))];

function instance(store = new MemoryStore()): { state: EmulatorState; admin: UserRecord } {
  const state = new EmulatorInstance(store).primary;
  for (const principal of builtInPrincipals('admin-password')) {
    if (principal.kind === 'user') state.users.set(principal.name, principal);
    else state.groups.set(principal.name, principal);
  }
  const admin = [...state.users.values()].find((user) => user.name === 'tsadmin') ?? [...state.users.values()][0]!;
  return { state, admin };
}

/**
 * A header for each object the files reference and do not hold: no TML of its own, so nothing is
 * checked against it. References by fqn first, each under its GUID (renamed when an object of the
 * set or an earlier header has its name: templates give one connection several GUIDs, and
 * references by that name must stay unambiguous); then one per name that only references by
 * name or `obj_id` use, with the `obj_id` the reference gives.
 */
function addReferencedObjects(state: EmulatorState, files: readonly string[]): void {
  const docs = files.map((file) => parse(read(file), { file }));
  const missing = resolveReferences(docs).flatMap(({ reference, resolution }) => (resolution.status === 'missing' ? [reference] : []));
  const names = new Set(docs.map((doc) => doc.name));
  const add = (id: string, kinds: readonly string[], name: string, objId?: string): void => {
    const kind = kinds.includes('table') ? 'table' : kinds[0]!;
    state.objects.set(id, { id, kind, name, ...(objId === undefined ? {} : { objId }), author: 'a', created: 1, modified: 1, modifiedBy: 'a', tags: [], document: { guid: id } });
  };
  for (const reference of missing.filter((r) => r.fqn !== undefined)) {
    if (state.objects.has(reference.fqn!)) continue;
    add(reference.fqn!, reference.kinds, names.has(reference.name) ? `${reference.name} (${reference.fqn!})` : reference.name);
    names.add(reference.name);
  }
  for (const reference of missing.filter((r) => r.fqn === undefined)) {
    if (names.has(reference.name)) continue;
    names.add(reference.name);
    add(randomUUID(), reference.kinds, reference.name, reference.objId);
  }
}

type ImportAnswer = { response: { status: { status_code: string; error_message?: string }; header?: { id_guid: string } } };
type ExportOptionsOf = { format: 'YAML' | 'JSON'; fqn: boolean; objId: boolean };

/** How the file was exported, so that it is asked for the same way: JSON or YAML, with fqn or without, with its obj_id or without. */
function exportOptionsOf(text: string): ExportOptionsOf {
  return { format: /^\s*\{/.test(text) ? 'JSON' : 'YAML', fqn: /\bfqn\b/.test(text), objId: /^obj_id: /m.test(text) };
}

/**
 * What a version's export gives back for the file: the file itself, except that REST API v1 has
 * no option to export an object's `obj_id` (v2's `export_options.include_obj_id`), so over v1 an
 * export that carried one comes back without that line; and a 7.x export comes back as today's
 * exporter writes it, its `y` keys quoted.
 */
function expectedOver(version: ApiVersion, file: string): string {
  const text = oldExports.has(file) ? read(file).replace(/^( +)y:$/gm, '$1"y":') : read(file);
  return version === 'v1' ? text.replace(/^obj_id: .*\n/m, '') : text;
}

/** One API version's calls, as other real clients send them: one batched import, one batched export per set of options. */
interface Api {
  login(org: number): Promise<string>;
  importAll(auth: string, texts: readonly string[]): Promise<ImportAnswer[]>;
  exportAll(auth: string, ids: readonly string[], options: ExportOptionsOf): Promise<string[]>;
}

const apis: Record<ApiVersion, (base: string) => Api> = {
  v1: (base) => ({
    async login(org) {
      const res = await raw(base, 'POST', 'session/login', { form: { username: 'tsadmin', password: 'admin', orgid: String(org) } });
      if (res.status !== 204) throw new Error(`login failed: ${res.status} ${await res.text()}`);
      return res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    },
    async importAll(cookie, texts) {
      const res = await raw(base, 'POST', 'metadata/tml/import', { cookie, headers: { Accept: 'text/plain' }, form: { import_objects: JSON.stringify(texts), import_policy: 'PARTIAL' } });
      return ((await res.json()) as { object: ImportAnswer[] }).object;
    },
    async exportAll(cookie, ids, { format, fqn }) {
      const form = { export_ids: JSON.stringify(ids), formattype: format, export_fqn: String(fqn), export_associated: 'false', export_schema_version: 'v2' };
      const res = await raw(base, 'POST', 'metadata/tml/export', { cookie, headers: { Accept: 'text/plain' }, form });
      return ((await res.json()) as { object: { edoc: string }[] }).object.map((o) => o.edoc);
    },
  }),
  v2: (base) => ({
    login: (org) => v2Token(base, 'tsadmin', 'admin', { org_id: org }),
    importAll: (token, texts) => ok<ImportAnswer[]>(v2(base, 'POST', 'metadata/tml/import', { metadata_tmls: texts, import_policy: 'PARTIAL' }, token)),
    async exportAll(token, ids, { format, fqn, objId }) {
      const body = { metadata: ids.map((identifier) => ({ identifier })), edoc_format: format, export_fqn: fqn, export_associated: false, export_options: { include_obj_id: objId } };
      return (await ok<{ edoc: string }[]>(v2(base, 'POST', 'metadata/tml/export', body, token))).map((o) => o.edoc);
    },
  }),
};

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator({ seed: 'none' });
});
afterAll(() => emulator.close());

describe('the real-TML corpus through the emulator (issue 18)', () => {
  it('covers every source of the corpus', () => {
    expect(sources.length).toBeGreaterThanOrEqual(5);
  });

  /**
   * Each source in an Org of its own (per version, one after the other), so that its objects
   * find each other and nothing else; its files in one import, then one export per set of
   * options, through the real HTTP endpoints of the version.
   */
  describe.each(API_VERSIONS.flatMap((version) => sources.map((source) => [version, source] as const)))('over %s, source %s', (version, source) => {
    const files = exports.filter((file) => sourceOf(file) === source);
    const results = new Map<string, { status: string; edoc?: string }>();
    let org: EmulatorState;
    beforeAll(async () => {
      org = emulator.instance.createOrg(`${version} ${source}`);
      addReferencedObjects(org, files);
      const api = apis[version](emulator.url);
      const auth = await api.login(org.org.id);
      const answers = await api.importAll(auth, files.map(read));
      files.forEach((file, i) => {
        const { status } = answers[i]!.response;
        results.set(file, { status: status.error_message ?? status.status_code });
      });
      const groups = new Map<string, string[]>();
      for (const file of files.filter((f) => answers[files.indexOf(f)]!.response.header)) {
        const key = JSON.stringify(exportOptionsOf(read(file)));
        groups.set(key, [...(groups.get(key) ?? []), file]);
      }
      for (const [options, group] of groups) {
        const ids = group.map((file) => answers[files.indexOf(file)]!.response.header!.id_guid);
        const edocs = await api.exportAll(auth, ids, JSON.parse(options) as ExportOptionsOf);
        group.forEach((file, i) => results.set(file, { ...results.get(file)!, edoc: edocs[i]! }));
      }
    });
    // GUIDs are unique across Orgs, as in ThoughtSpot: the other version imports the same files.
    afterAll(() => void emulator.instance.orgs.delete(org.org.id));

    it.each(files.map((file) => [file]))('imports %s and exports it back byte for byte', (file) => {
      expect(results.get(file)?.status).toBe('OK');
      expect(results.get(file)?.edoc).toBe(expectedOver(version, file));
    });
  });

  it('keeps how numbers were written across a restart (the state is stored as JSON)', () => {
    const files = exports.filter((file) => sourceOf(file) === 'de_thoughtspot_cicd');
    const liveboard = files.find((file) => read(file).includes('decimals: 0.0'))!;
    const store = new MemoryStore();
    const first = instance(store);
    addReferencedObjects(first.state, files);
    runImport(first.state, { guidPolicy: 'keep' }, first.admin, files.map(read), { policy: 'PARTIAL', forceCreate: false, skipDiffCheck: false });
    const instanceAfterRestart = new EmulatorInstance(store);
    expect(instanceAfterRestart.restore()).toBe(true);
    const restarted = instanceAfterRestart.primary;
    const id = parse(read(liveboard)).guid!;
    const [exported] = runExport(restarted, [id], { format: 'YAML', associated: false, fqn: /\bfqn\b/.test(read(liveboard)), worksheetForm: false, connections: false }) as { edoc: string }[];
    expect(exported!.edoc).toBe(read(liveboard));
    const again = runImport(restarted, { guidPolicy: 'keep' }, first.admin, [read(liveboard)], { policy: 'PARTIAL', forceCreate: false, skipDiffCheck: false }) as { response: { diff?: unknown } }[];
    expect(again[0]!.response.diff).toEqual({});
  });
});
