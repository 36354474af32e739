import { applyMapping, format, fromData, parse, type TmlDocument, type ValueMapping } from '../../tml/index.js';
import type { ExportedObject, ThoughtSpotPort } from '../ports.js';
import { asFileSays } from './filled-fqns.js';
import { allEndedFailFast } from './settle.js';

/**
 * Objects per call of the bulk endpoints (TML export and import, ownership
 * transfer): DESIGN.md "Deploy" step 4, "in batches of at most 50 objects";
 * large enough that a 10,000-object export takes some 200 calls, small enough
 * that one failed call costs little and one answer stays small.
 */
export const BATCH_SIZE = 50;

export function inBatches<T>(items: readonly T[], size: number = BATCH_SIZE): T[][] {
  const batches: T[][] = [];
  for (let start = 0; start < items.length; start += size) batches.push(items.slice(start, start + size));
  return batches;
}

/** What `exportBack` brings objects back to, besides the repository's canonical form. */
export interface BackTo {
  /** The inverted mapping of a deploy environment. */
  back?: ValueMapping;
  /** Objects whose files carry an obj_id and no guid: they come back without the GUID the export adds. */
  guidless?: ReadonlySet<string>;
  /** Each object's file, by id: the fqns the export fills in where the file names the reference alone are left out (`asFileSays`). */
  files?: ReadonlyMap<string, TmlDocument | undefined>;
}

/** An object as an environment has it, mapped back to the repository's form; or why it is not there. */
export type ExportedBack = { doc: TmlDocument; text: string } | { error: string };

/**
 * Re-exports objects by their GUIDs in the environment, in batches, and maps
 * each back to the repository's canonical form (with `back`, the inverted
 * mapping of a deploy environment): what a deploy, a plan, drift and sync
 * compare with the files. Each comes back as its file says it (`BackTo`):
 * without the GUID the export adds where the file has none, without the fqns
 * it fills in, so that each compares one text with its file. An
 * object missing from the answer, or whose TML does not parse, comes back
 * with why.
 */
export async function exportBack(thoughtspot: ThoughtSpotPort, ids: readonly string[], { back, guidless = new Set(), files = new Map() }: BackTo = {}): Promise<Map<string, ExportedBack>> {
  const found = new Map<string, ExportedBack>();
  // Each answer is mapped as it arrives: no more than the batches in flight are held as exported.
  function mapBack(answer: ExportedObject[]): void {
    for (const item of answer) found.set(item.id, 'error' in item ? { error: item.error } : mappedBack(item.edoc, back, guidless.has(item.id), files.get(item.id)));
  }
  // The batches go out together, the host's queue bounding how many are in flight; one after the
  // other, each waited for a round trip (the round-trip check of a first promotion of 1,001
  // objects was 21 calls in a row, issue 16). The first that fails stops the rest, waiting or
  // under way, as the one-at-a-time loop did, rather than each going through its own retries
  // against a ThoughtSpot that no longer answers; it is reported once all have ended.
  const batches = inBatches([...new Set(ids)]);
  await allEndedFailFast(undefined, (signal) => batches.map((batch) => thoughtspot.exportTml(batch, signal).then(mapBack)));
  for (const id of ids) if (!found.has(id)) found.set(id, { error: 'missing from the export answer' });
  return found;
}

function mappedBack(edoc: string, back: ValueMapping | undefined, guidless: boolean, file: TmlDocument | undefined): ExportedBack {
  try {
    const parsed = parse(edoc);
    const mapped = back ? applyMapping(parsed, back) : parsed;
    const doc = asFileSays(guidless ? withoutGuid(mapped) : mapped, file);
    return { doc, text: format(doc) };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

function withoutGuid(doc: TmlDocument): TmlDocument {
  const { guid: _added, ...rest } = doc.data;
  return fromData(rest, { format: doc.format });
}

/**
 * Batches that may be in flight together (issue 16, first promotion): one
 * entry per dependency level, each level's items in batches of at most
 * `size`. An item's level is one above its highest dependency's, so every
 * dependency has landed before an item is sent; the batches of one level are
 * independent of each other. ThoughtSpot runs no two tasks on one object at
 * once, so two items with one `key` (one object) never share a level: the
 * later one moves up. A dependency cycle is broken where it closes (the
 * order given decides, as it does for sequential batches).
 */
export function levelBatches<T>(items: readonly T[], dependenciesOf: (item: T) => readonly T[], keyOf: (item: T) => string, size: number = BATCH_SIZE): T[][][] {
  const members = new Set(items);
  const level = new Map<T, number>();
  const keysAt: Set<string>[] = [];
  const levels: T[][] = [];
  const visiting = new Set<T>();
  // Depth first, dependencies before their dependents: each item is placed once its dependencies are.
  const place = (item: T): void => {
    if (level.has(item) || visiting.has(item)) return;
    visiting.add(item);
    const dependencies = dependenciesOf(item).filter((d) => members.has(d) && d !== item);
    for (const d of dependencies) place(d);
    visiting.delete(item);
    let at = Math.max(-1, ...dependencies.map((d) => level.get(d) ?? -1)) + 1;
    while (keysAt[at]?.has(keyOf(item))) at += 1;
    level.set(item, at);
    (keysAt[at] ??= new Set()).add(keyOf(item));
    (levels[at] ??= []).push(item);
  };
  for (const item of items) place(item);
  return levels.filter((l) => l !== undefined).map((l) => inBatches(l, size));
}
