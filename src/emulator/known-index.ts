import type { KnownObject, TargetIndex, TmlKind } from '../tml/index.js';
import { RecordWatch, type SeenRecord } from './record-watch.js';
import type { ContentRecord, EmulatorState } from './state.js';

/** A stored object as references resolve to it, with its rank: the Org's map order, in which a name's candidates come. */
interface RankedTarget extends KnownObject {
  readonly rank: number;
}

/**
 * The stored objects by GUID, obj_id and name, as the TML core's
 * `indexTargets` indexes them (the first of each in the Org's order wins),
 * kept entry by entry as records change. GUIDs are the map's keys, so each
 * has one holder; obj_ids are unique per Org by the write paths, but a
 * record may be given any, so each keeps its holders in order.
 */
class KnownIndex implements TargetIndex {
  readonly byGuid = new Map<string, RankedTarget>();
  readonly byObjId = new Map<string, RankedTarget>();
  readonly byName = new Map<string, RankedTarget[]>();
  readonly #objIdHolders = new Map<string, RankedTarget[]>();

  add(seen: SeenRecord): void {
    const target: RankedTarget = { kind: seen.kind as TmlKind, name: seen.name, guid: seen.id, ...(seen.objId ? { objId: seen.objId } : {}), rank: seen.rank };
    this.byGuid.set(target.guid, target);
    inRankOrder(this.byName, target.name, target);
    if (target.objId) this.byObjId.set(target.objId, inRankOrder(this.#objIdHolders, target.objId, target));
  }

  /** Takes out the target of a record as it was seen. */
  remove(then: SeenRecord): void {
    const target = this.byGuid.get(then.id);
    if (!target) return;
    this.byGuid.delete(then.id);
    without(this.byName, target.name, target);
    if (!target.objId) return;
    const first = without(this.#objIdHolders, target.objId, target);
    if (first) this.byObjId.set(target.objId, first);
    else this.byObjId.delete(target.objId);
  }
}

/** Puts the target among the key's holders in rank order; the first holder. */
function inRankOrder(holders: Map<string, RankedTarget[]>, key: string, target: RankedTarget): RankedTarget {
  const list = holders.get(key);
  if (!list) {
    holders.set(key, [target]);
    return target;
  }
  let at = list.length;
  while (at > 0 && list[at - 1]!.rank > target.rank) at -= 1;
  list.splice(at, 0, target);
  return list[0]!;
}

/** Takes the target out of the key's holders; the first holder left. */
function without(holders: Map<string, RankedTarget[]>, key: string, target: RankedTarget): RankedTarget | undefined {
  const list = holders.get(key);
  if (!list) return undefined;
  const at = list.indexOf(target);
  if (at >= 0) list.splice(at, 1);
  if (list.length === 0) holders.delete(key);
  return list[0];
}

const indexes = new WeakMap<EmulatorState, { watch: RecordWatch; index: KnownIndex }>();

/**
 * Whether a record edited in place is indexed as it is: its GUID, name, kind
 * and obj_id, not every field a listing reads: the look comes before every
 * export call, and comparing every field took about 1 ms more a look at
 * 100,003 objects (3.0 against 2.0 ms), which would be 2 s over the 2,001
 * export calls of a full export.
 */
function indexedAsSeen(record: ContentRecord, then: SeenRecord): boolean {
  return record.id === then.id && record.name === then.name && record.kind === then.kind && record.objId === then.objId;
}

/**
 * The stored objects indexed for `resolveReferences`, built once and then
 * kept up to date with what changed (record-watch.ts sees every change,
 * however made): indexing 10,000 objects on every export call of 50 was most
 * of the emulator's work in a full export, and re-indexing all 100,003 after
 * one import was 0.26 s of the emulator's CPU for the one export of the
 * bench's incremental run. The index is the same object from call to call,
 * changed in place: a caller uses it within one request and keeps it no longer.
 */
export function knownIndex(state: EmulatorState): TargetIndex {
  const kept = indexes.get(state);
  if (!kept) {
    const watch = new RecordWatch(state.objects, indexedAsSeen);
    const index = new KnownIndex();
    for (const seen of watch.records) index.add(seen);
    indexes.set(state, { watch, index });
    return index;
  }
  const { gone, added } = kept.watch.changes(state.objects);
  for (const then of gone) kept.index.remove(then);
  for (const now of added) kept.index.add(now);
  return kept.index;
}
