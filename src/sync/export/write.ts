import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { format, parse } from '../../tml/index.js';
import type { ExportRun, ExportState, Listed } from './types.js';
import { PRINCIPALS_PATH, objectPath } from '../kernel/layout.js';
import type { LedgerEntry } from '../kernel/ledger.js';
import type { ExportedObject, Header } from '../ports.js';
import { principalsDocument } from '../kernel/principals.js';
import type { ObjectResult } from '../kernel/report.js';
import type { FileOp } from '../kernel/tree-writer.js';

/**
 * An exported object parsed and formatted, with the file operation that puts it in the tree.
 * What waits for the writer's answer is only `outcome`: the file's text goes with `op` to the
 * writer and is not held meanwhile (the writer falls behind on a loaded machine, and texts
 * waiting for it held their batches' memory).
 */
interface Exported {
  op: FileOp;
  outcome: { id: string; modifiedBy: string | undefined; known: LedgerEntry | undefined; kind: string; name: string; path: string; remove: string | undefined };
}

/**
 * Write, per export batch: exports the batch, parses and formats each object,
 * hands each file to the commits being built and to the tree writer (a thread
 * of its own), and records the outcome once the writer has compared it. An
 * object that cannot be exported or parsed is reported failed; the others go on. `signal` ends the
 * call, waiting or under way, once the run has failed (a listing that failed left every batch sent
 * going through its retries, minutes each against a ThoughtSpot that no longer answered, before the
 * run reported).
 */
export async function exportBatch(step: ExportRun, state: ExportState, batch: Header[], signal?: AbortSignal): Promise<void> {
  const byId = new Map((await exportAll(step, batch, signal)).map((e) => [e.id, e]));
  const items = batch.flatMap((header) => prepare(step, state, header, byId.get(header.id)) ?? []);
  const outcomes = items.map((item) => item.outcome);
  step.files.apply(items.map((item) => item.op), (same) => outcomes.forEach((outcome, i) => recordWritten(state, outcome, same[i]!)));
  state.done += batch.length;
  step.options.onProgress?.(state.done, state.due, state.listed.size);
}

/** The batch's TML; a batch that failed as a whole (after the client's retries) is an error per object, retried next run. */
async function exportAll({ options }: ExportRun, batch: Header[], signal: AbortSignal | undefined): Promise<ExportedObject[]> {
  try {
    return await options.thoughtspot.exportTml(batch.map((h) => h.id), signal);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return batch.map((h) => ({ id: h.id, error: message }));
  }
}

function prepare(step: ExportRun, state: ExportState, header: Header, item: ExportedObject | undefined): Exported | undefined {
  const known = state.previous[header.id];
  if (!item || 'error' in item) {
    const error = item && 'error' in item ? item.error : 'missing from the export answer';
    step.run.log.warn({ id: header.id, name: header.name, error }, 'object not exported');
    state.pending.push(header);
    state.results.push({ id: header.id, kind: known?.kind ?? 'unknown', name: header.name, outcome: 'failed', error });
    return undefined;
  }
  let doc;
  try {
    doc = parse(item.edoc, { file: `${header.name} (${header.id})` });
  } catch (error) {
    state.pending.push(header);
    state.results.push({ id: header.id, kind: item.type, name: header.name, outcome: 'failed', error: (error as Error).message });
    return undefined;
  }
  const name = doc.name || header.name;
  const path = objectPath(doc.kind, name, header.id);
  state.ledger.objects[header.id] = { kind: doc.kind, name, path, modified: header.modified };
  // A renamed object's old file goes, unless it is already gone from the branch (deleted in git).
  const moved = known && known.path !== path && existsSync(join(step.options.repo.dir, known.path));
  const text = format(doc);
  step.commits?.file(path, text);
  const remove = moved ? known.path : undefined;
  const op: FileOp = { path, text, write: !step.run.dryRun, ...(remove ? { remove } : {}) };
  return { op, outcome: { id: header.id, modifiedBy: header.modifiedBy && oneCopy(state.authors, header.modifiedBy), known, kind: doc.kind, name, path, remove } };
}

/** One string per user among the changes: each header brings its own copy of its author's GUID, and a first export keeps 100,000 of them. */
function oneCopy(copies: Map<string, string>, text: string): string {
  const copy = copies.get(text);
  if (copy !== undefined) return copy;
  copies.set(text, text);
  return text;
}

/** An object's outcome once its file is compared: unchanged when the tree already held its text, else a change to commit. */
function recordWritten(state: ExportState, outcome: Exported['outcome'], same: boolean): void {
  const { id, modifiedBy, known, path, remove } = outcome;
  const result: ObjectResult = { id, kind: outcome.kind, name: outcome.name, outcome: same ? 'unchanged' : known ? 'updated' : 'added', path };
  state.results.push(result);
  if (same) return;
  state.changes.push({ result, ...(remove ? { renamedFrom: remove } : {}), ...(modifiedBy ? { modifiedBy } : {}) });
}

/** Write, once everything is exported: the deleted objects' files go, the principals file is written; then waits for the writer's answers (its files may still be being written: the commits need only the answers). */
export async function writeRest(step: ExportRun, state: ExportState, listed: Listed): Promise<void> {
  const write = !step.run.dryRun;
  step.files.apply(state.deletions.map((d) => ({ remove: d.result.path!, write })));
  const principalsText = format(principalsDocument(listed.principals, listed.privileges));
  step.commits?.file(PRINCIPALS_PATH, principalsText);
  step.files.apply([{ path: PRINCIPALS_PATH, text: principalsText, write }], ([same]) => (state.principalsChanged = !same));
  await step.files.compared();
}
