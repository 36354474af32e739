import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { runExport, runImport } from '../../src/emulator/handlers/tml.js';
import { builtInPrincipals, type UserRecord } from '../../src/emulator/principals.js';
import { EmulatorInstance, type EmulatorState } from '../../src/emulator/state.js';
import { MemoryStore } from '../../src/emulator/store.js';
import { parse, resolveReferences } from '../../src/tml/index.js';

/**
 * Issue 18, item 4: every ThoughtSpot export of the real-TML corpus imports into the emulator
 * and exports back to the same bytes, numbers' written forms included. It goes through the
 * engine that the v1 and v2 endpoints share (runImport/runExport in handlers/tml.ts). Each
 * source is imported into an instance of its own, in one import, so that its objects find each
 * other; what they reference outside the corpus (README "Unresolved references") is put in the
 * instance first as a bare header with the name and GUID the reference gives.
 */
const root = new URL('../fixtures/real-tml/', import.meta.url);
const readme = readFileSync(new URL('README.md', root), 'utf8');
const exports = [...readme.matchAll(/^\| `([^`]+\/[^`]+\.tml)` \|[^|]*\|[^|]*\| export \|/gm)].map((m) => m[1] as string).sort();
if (exports.length < 70) throw new Error(`test/fixtures/real-tml/README.md: ${exports.length} files marked export, expected at least 70`);
const read = (file: string): string => readFileSync(new URL(file, root), 'utf8');
const sourceOf = (file: string): string => file.slice(file.indexOf('/') + 1, file.indexOf('--'));
const sources = [...new Set(exports.map(sourceOf))];

type ImportResult = { response: { status: { status_code: string; error_message?: string }; header?: { id_guid: string } } };

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
 * name use.
 */
function addReferencedObjects(state: EmulatorState, files: readonly string[]): void {
  const docs = files.map((file) => parse(read(file), { file }));
  const missing = resolveReferences(docs).flatMap(({ reference, resolution }) => (resolution.status === 'missing' ? [reference] : []));
  const names = new Set(docs.map((doc) => doc.name));
  const add = (id: string, kinds: readonly string[], name: string): void => {
    const kind = kinds.includes('table') ? 'table' : kinds[0]!;
    state.objects.set(id, { id, kind, name, author: 'a', created: 1, modified: 1, modifiedBy: 'a', tags: [], document: { guid: id } });
  };
  for (const reference of missing.filter((r) => r.fqn !== undefined)) {
    if (state.objects.has(reference.fqn!)) continue;
    add(reference.fqn!, reference.kinds, names.has(reference.name) ? `${reference.name} (${reference.fqn!})` : reference.name);
    names.add(reference.name);
  }
  for (const reference of missing.filter((r) => r.fqn === undefined)) {
    if (names.has(reference.name)) continue;
    names.add(reference.name);
    add(randomUUID(), reference.kinds, reference.name);
  }
}

describe('the real-TML corpus through the emulator (issue 18)', () => {
  it('covers every source of the corpus', () => {
    expect(sources.length).toBeGreaterThanOrEqual(5);
  });

  describe.each(sources)('source %s', (source) => {
    const files = exports.filter((file) => sourceOf(file) === source);
    let state: EmulatorState;
    let results: ImportResult[];
    beforeAll(() => {
      const made = instance();
      state = made.state;
      addReferencedObjects(state, files);
      results = runImport(state, { guidPolicy: 'keep' }, made.admin, files.map(read), { policy: 'PARTIAL', forceCreate: false, skipDiffCheck: false }) as ImportResult[];
    });

    it.each(files.map((file) => [file]))('imports %s and exports it back byte for byte', (file) => {
      const result = results[files.indexOf(file)]!.response;
      expect(result.status.error_message ?? result.status.status_code).toBe('OK');
      const text = read(file);
      const [exported] = runExport(state, [result.header!.id_guid], {
        format: /^\s*\{/.test(text) ? 'JSON' : 'YAML', associated: false, fqn: /\bfqn\b/.test(text), worksheetForm: false, connections: false,
      }) as { edoc: string }[];
      expect(exported!.edoc).toBe(text);
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
