import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ExportState } from './types.js';
import type { Header } from '../ports.js';
import type { ObjectResult } from '../kernel/report.js';

/** How the decide phase tells what changed: the working tree (has the file?), the objects to leave alone, the batch size. */
export interface DecideContext {
  dir: string;
  skip: ReadonlySet<string>;
  batchSize: number;
}

/**
 * Decide, per page as it is listed: an object whose `modified` the ledger
 * already holds, and whose file is still in the branch, is unchanged; every
 * other one is due for export, except, in an incremental run, one modified
 * before the listing's reach (the next full listing compares it). Returns the
 * full batches of due objects, which go out at once while later pages are
 * still being listed.
 */
export function decide(state: ExportState, page: Header[], context: DecideContext): Header[][] {
  const full: Header[][] = [];
  for (const header of page) {
    // Offset paging may show an object twice when others are created meanwhile.
    if (state.listed.has(header.id)) continue;
    state.listed.add(header.id);
    if (state.newest === undefined || header.modified > state.newest) state.newest = header.modified;
    if (context.skip.has(header.id)) {
      state.pending.push(header);
      continue;
    }
    // Older than the incremental listing's reach: an earlier run brought it in step (else the
    // watermark would have stayed at it), and its ledger entry is not read (issue 16: the newest
    // page of each kind reaches far back, and looking its 1,500 objects up read every shard).
    if (state.mode.kind === 'incremental' && header.modified < state.mode.since) continue;
    const known = state.ledger.objects[header.id];
    if (known && known.modified === header.modified && existsSync(join(context.dir, known.path))) {
      state.results.push({ id: header.id, kind: known.kind, name: header.name, outcome: 'unchanged', path: known.path });
      continue;
    }
    state.due += 1;
    state.waiting.push(header);
    if (state.waiting.length >= context.batchSize) full.push(state.waiting.splice(0));
  }
  return full;
}

/** The due objects of the last pages, which did not fill a batch. */
export function lastBatch(state: ExportState): Header[][] {
  return state.waiting.length > 0 ? [state.waiting.splice(0)] : [];
}

/**
 * Decide, once everything is listed: what the ledger knew and the listing no
 * longer shows was deleted in ThoughtSpot. Its ledger entry goes; its file
 * goes from the branch, unless it is already gone (deleted in git). Only a
 * full listing shows what is gone: an incremental one leaves this to the next.
 */
export function decideDeletions(state: ExportState, context: DecideContext): void {
  if (state.mode.kind !== 'full') return;
  for (const [id, entry] of Object.entries(state.previous)) {
    if (state.listed.has(id) || context.skip.has(id)) continue;
    const result: ObjectResult = { id, kind: entry.kind, name: entry.name, outcome: 'deleted', path: entry.path };
    state.results.push(result);
    delete state.ledger.objects[id];
    if (existsSync(join(context.dir, entry.path))) state.deletions.push({ result });
  }
}
