import { randomUUID } from 'node:crypto';
import { format, type TmlMap } from '../../tml/index.js';
import type { EmulatorSettings } from '../context.js';
import { runImport } from '../handlers/tml.js';
import { hashPassword, TSADMIN_ID } from '../principals.js';
import type { EmulatorState } from '../state.js';
import { DEMO_PRINCIPALS, demoDocuments, demoRows } from './demo.js';
import { scaleBatches, storeDirectly } from './scale.js';

export type SeedName = 'demo' | 'none';

/**
 * Loads the demo content through the import path (as `tsadmin`), its rows,
 * and its users and groups. Fails loudly if any document does not import:
 * the seed is a test of the import as much as it is demo data.
 */
export function seedDemo(state: EmulatorState, settings: EmulatorSettings): void {
  const now = state.now();
  for (const group of DEMO_PRINCIPALS.groups) {
    state.groups.set(group.name, { kind: 'group', id: randomUUID(), name: group.name, displayName: group.displayName, principalTypeEnum: group.principalTypeEnum, groupNames: group.groupNames, visibility: 'DEFAULT', created: now, modified: now, privileges: group.privileges });
  }
  for (const user of DEMO_PRINCIPALS.users) {
    state.users.set(user.name, { kind: 'user', id: randomUUID(), name: user.name, displayName: user.displayName, mail: user.mail, principalTypeEnum: 'LOCAL_USER', groupNames: [...user.groupNames, 'All'], visibility: 'DEFAULT', created: now, modified: now, passwordHash: hashPassword(DEMO_PRINCIPALS.password) });
  }
  importAll(state, settings, demoDocuments() as TmlMap[], 'demo');
  for (const [table, rows] of demoRows()) {
    const record = [...state.objects.values()].find((o) => o.kind === 'table' && o.name === table);
    if (record) state.rows.set(record.id, rows);
  }
}

/** Imports seed documents as tsadmin, all or none; a document that fails is a bug in the seed. */
function importAll(state: EmulatorState, settings: EmulatorSettings, documents: TmlMap[], seed: string): void {
  const admin = state.userById(TSADMIN_ID);
  if (!admin) throw new Error(`the ${seed} seed needs tsadmin`);
  const results = runImport(state, { ...settings, guidPolicy: 'keep' }, admin, documents.map((d) => format(d)), { policy: 'ALL_OR_NONE', forceCreate: false, skipDiffCheck: false }) as { response: { status: { status_code: string; error_message?: string } } }[];
  const failed = results.findIndex((r) => r.response.status.status_code !== 'OK');
  if (failed >= 0) throw new Error(`${seed} seed document ${failed + 1} did not import: ${results[failed]!.response.status.error_message ?? ''}`);
}

/** How far back the generated objects' history reaches. */
const SCALE_HISTORY_MS = 30 * 86_400_000;

/**
 * `--seed-scale N`: N more generated objects of every kind, then dated as if
 * made over the last 30 days (in the order they were made, the newest an
 * hour ago): an instance's content is mostly old, and an incremental export
 * of objects all stamped in the last minutes would list them all (they fall
 * within its overlap, issue 16). The first batch goes through the import
 * path, which proves the generated documents valid; the rest, of the same
 * shapes, are put in the store directly: importing 100,000 objects one batch
 * at a time took most of the benchmark's 15 minutes (issue 16), storing them
 * takes seconds.
 */
export function seedScale(state: EmulatorState, settings: EmulatorSettings, n: number): void {
  const before = new Set(state.objects.keys());
  const admin = state.userById(TSADMIN_ID);
  if (!admin) throw new Error('the scale seed needs tsadmin');
  // Batch 0 is the connection, batch 1 the first content, small (10 objects of each kind): enough
  // to prove every shape, cheap to import. Both are imported; the rest are stored.
  let index = 0;
  for (const batch of scaleBatches(n, 70)) {
    if (index < 2) importAll(state, settings, batch, 'scale');
    else storeDirectly(state, admin.id, batch);
    index += 1;
  }
  const made = [...state.objects.values()].filter((o) => !before.has(o.id));
  const start = Date.now() - SCALE_HISTORY_MS;
  const step = (SCALE_HISTORY_MS - 3_600_000) / Math.max(1, made.length);
  made.forEach((record, i) => {
    record.created = Math.round(start + i * step);
    record.modified = record.created;
  });
}
