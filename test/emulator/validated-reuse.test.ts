import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { demoDocuments } from '../../src/emulator/seed/demo.js';
import { ThoughtSpotClient } from '../../src/thoughtspot/index.js';
import { format, type TmlMap } from '../../src/tml/index.js';
import { useHttpMock } from '../http-mock.js';

// An import reuses the documents a VALIDATE_ONLY import of the same texts read (issue 16, first
// promotion: src/emulator/handlers/tml.ts, `readDocuments`). What it stores must be what an import
// of its own would store: the validation may neither change a document it keeps nor hand one to
// another Org's import.
useHttpMock({ allowLoopback: true });

const ORGS = ['Validated', 'Direct', 'Elsewhere'];
let emulator: RunningEmulator;
const texts = (demoDocuments() as TmlMap[]).map((d) => format(d));
const clientIn = (org: string) => new ThoughtSpotClient({ url: emulator.url, username: 'tsadmin', password: 'admin', org, env: {} });
const IMPORT = { policy: 'ALL_OR_NONE', forceCreate: false, throwOnError: true } as const;

beforeAll(async () => {
  emulator = await startEmulator({ seed: 'none', orgs: ORGS });
});
afterAll(() => emulator.close());

/** The Org's objects, each as its kind, name and stored document, GUIDs taken out (an Org gives its own where another holds the demo's). */
function storedIn(org: string): string[] {
  const state = emulator.instance.findOrg(org)!;
  return [...state.objects.values()].map((o) => `${o.kind} ${o.name} ${JSON.stringify(o.document).replace(GUID, '<guid>')}`).sort();
}
const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

describe('an import after a VALIDATE_ONLY import of the same texts', () => {
  it('stores what an import without the validation stores, and only in its own Org', async () => {
    // Validated in one Org, whose import then reuses what the validation read.
    await clientIn('Validated').importTml(texts, { ...IMPORT, policy: 'VALIDATE_ONLY' });
    expect(storedIn('Validated')).toEqual([]);
    // Validated in another Org too: its kept documents are that Org's, never this one's.
    await clientIn('Elsewhere').importTml(texts, { ...IMPORT, policy: 'VALIDATE_ONLY' });
    await clientIn('Validated').importTml(texts, IMPORT);
    await clientIn('Direct').importTml(texts, IMPORT);

    expect(storedIn('Validated')).toHaveLength(texts.length);
    expect(storedIn('Validated')).toEqual(storedIn('Direct'));
    expect(storedIn('Elsewhere')).toEqual([]);
  });
});
