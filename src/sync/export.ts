import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../log/index.js';
import { format, parse } from '../tml/index.js';
import { BATCH_SIZE } from './batches.js';
import { compareText, readExportLedger, writeExportLedger, type Ledger } from './ledger.js';
import { objectPath, PRINCIPALS_PATH } from './layout.js';
import type { ContentCommits, ContentRepo, ExportedObject, Header, Identity, ThoughtSpotPort } from './ports.js';
import { principalsDocument } from './principals.js';
import { CONTENT_TYPES } from './target.js';
import { finishRun, startRun, type ObjectResult, type RunReport } from './report.js';
import { TreeWriter, type FileOp } from './tree-writer.js';

/** Objects named one per line in a commit message; a first export of thousands lists the rest as a count. */
const MESSAGE_OBJECTS = 500;

export interface ExportOptions {
  environment: string;
  branch: string;
  thoughtspot: ThoughtSpotPort;
  repo: ContentRepo;
  /** Commits without a ThoughtSpot author (deletions, principals) are made as this identity. */
  committer: Identity;
  log?: Logger;
  runId?: string;
  dryRun?: boolean;
  /** Ids per `tml/export` call. */
  batchSize?: number;
  /** Objects to leave exactly as they are, file and ledger (a sync run's conflicts). */
  skip?: ReadonlySet<string>;
  /** Called as objects are exported, for a progress display. */
  onProgress?: (done: number, total: number) => void;
}

interface Change {
  result: ObjectResult;
  /** Who modified the object in ThoughtSpot (user GUID). */
  modifiedBy?: string;
  /** Paths this change touches (a rename touches two). */
  paths: string[];
}

function describe(result: ObjectResult): string {
  const verb = result.outcome === 'added' ? 'add' : result.outcome === 'deleted' ? 'delete' : 'update';
  return `- ${verb} ${result.kind} "${result.name}" (${result.id})`;
}

/**
 * One run of the export loop (DESIGN.md "The two loops"): list, decide what
 * changed from `modified` and the ledger, export only that in batches, write
 * canonical files, commit per ThoughtSpot author, push, then record the
 * ledger on `refs/tmlsync/<env>/export`.
 */
export async function runExport(options: ExportOptions): Promise<RunReport> {
  const { environment, branch, thoughtspot, repo, dryRun = false, batchSize = BATCH_SIZE } = options;
  const skip = options.skip ?? new Set<string>();
  const run = startRun('export', environment, options);
  const { runId, log } = run;
  const report = (objects: ObjectResult[], commits: string[]): RunReport => finishRun(run, objects, { commits });

  // git (fetch, checkout, the ledger) and the listing at once: neither needs the other. Export
  // batches go to the client as soon as both have given what they need, while later pages
  // are still being listed; the client's per-host queue paces every call (DESIGN.md "The queue").
  // Files are written on a thread of their own, closed however the run ends.
  const files = new TreeWriter(repo.dir);
  // Each file goes to git as it is written, so that its blob is packed while later answers arrive.
  const commits = dryRun ? undefined : repo.startCommits(branch);
  try {
    return await exportWith(files, commits);
  } finally {
    await Promise.allSettled([files.close(), commits?.discard()]);
  }

  async function exportWith(files: TreeWriter, commits: ContentCommits | undefined): Promise<RunReport> {
    const ready = (async () => {
      await repo.fetch();
      await repo.checkout(branch);
      return readExportLedger(repo, environment);
    })();
    let ledger: Ledger | undefined;
    let previous: Ledger['objects'] = {};
    const results: ObjectResult[] = [];
    const changes: Change[] = [];
    const headers = new Map<string, Header>();
    const batches: Promise<void>[] = [];
    let waiting: Header[] = [];
    let due = 0;
    let done = 0;

    /** An exported object parsed and formatted, with the file operation that puts it in the tree. */
    interface Exported {
      header: Header;
      known: Ledger['objects'][string] | undefined;
      kind: string;
      name: string;
      path: string;
      op: FileOp;
    }

    const prepare = (header: Header, item: ExportedObject | undefined, known: Ledger['objects'][string] | undefined): Exported | undefined => {
      if (!item || 'error' in item) {
        const error = item && 'error' in item ? item.error : 'missing from the export answer';
        log.warn({ id: header.id, name: header.name, error }, 'object not exported');
        results.push({ id: header.id, kind: known?.kind ?? 'unknown', name: header.name, outcome: 'failed', error });
        return undefined;
      }
      let doc;
      try {
        doc = parse(item.edoc, { file: `${header.name} (${header.id})` });
      } catch (error) {
        results.push({ id: header.id, kind: item.type, name: header.name, outcome: 'failed', error: (error as Error).message });
        return undefined;
      }
      const name = doc.name || header.name;
      const path = objectPath(doc.kind, name, header.id);
      ledger!.objects[header.id] = { kind: doc.kind, name, path, modified: header.modified };
      // A renamed object's old file goes, unless it is already gone from the branch (deleted in git).
      const moved = known && known.path !== path && existsSync(join(repo.dir, known.path));
      const text = format(doc);
      commits?.file(path, text);
      const op: FileOp = { path, text, write: !dryRun, ...(moved ? { remove: known.path } : {}) };
      return { header, known, kind: doc.kind, name, path, op };
    };

    const record = (item: Exported, same: boolean): void => {
      const { header, known, path } = item;
      const result: ObjectResult = { id: header.id, kind: item.kind, name: item.name, outcome: same ? 'unchanged' : known ? 'updated' : 'added', path };
      results.push(result);
      if (same) return;
      changes.push({ result, paths: item.op.remove ? [path, item.op.remove] : [path], ...(header.modifiedBy ? { modifiedBy: header.modifiedBy } : {}) });
    };

    const exportBatch = async (batch: Header[]): Promise<void> => {
      let exported: ExportedObject[];
      try {
        exported = await thoughtspot.exportTml(batch.map((h) => h.id));
      } catch (error) {
        // The batch failed as a whole (after the client's retries): its objects are retried next run.
        const message = error instanceof Error ? error.message : String(error);
        exported = batch.map((h) => ({ id: h.id, error: message }));
      }
      const byId = new Map(exported.map((e) => [e.id, e]));
      const items = batch.flatMap((header) => prepare(header, byId.get(header.id), previous[header.id]) ?? []);
      files.apply(items.map((i) => i.op), (same) => items.forEach((item, i) => record(item, same[i]!)));
      done += batch.length;
      options.onProgress?.(done, due);
    };
    const dispatch = (batch: Header[]) => batches.push(exportBatch(batch));

    /** Sorts listed headers into unchanged and due; full batches of due ones go out at once. */
    const consider = (page: Header[]): void => {
      for (const header of page) {
        // Offset paging may show an object twice when others are created meanwhile.
        if (headers.has(header.id)) continue;
        headers.set(header.id, header);
        if (skip.has(header.id)) continue;
        const known = ledger!.objects[header.id];
        if (known && known.modified === header.modified && existsSync(join(repo.dir, known.path))) {
          results.push({ id: header.id, kind: known.kind, name: header.name, outcome: 'unchanged', path: known.path });
          continue;
        }
        due += 1;
        waiting.push(header);
        if (waiting.length >= batchSize) {
          dispatch(waiting);
          waiting = [];
        }
      }
    };
    // Pages that arrive before the ledger is read wait for it.
    const early: Header[][] = [];
    const onPage = (page: Header[]) => (ledger ? consider(page) : early.push(page));
    const listing = Promise.all([
      Promise.all(CONTENT_TYPES.map((type) => thoughtspot.listHeaders(type, undefined, onPage))),
      thoughtspot.listHeaders('USER'),
      thoughtspot.listPrincipals(),
      thoughtspot.listGroupPrivileges(),
    ]);
    const setUp = ready.then((read) => {
      ledger = read;
      previous = structuredClone(read.objects);
      early.splice(0).forEach(consider);
    });
    // Everything started must end before the run reports, or a failure would leave work running unobserved.
    const [setUpOutcome, listingOutcome] = await Promise.allSettled([setUp, listing]);
    if (setUpOutcome.status === 'rejected') throw setUpOutcome.reason;
    if (listingOutcome.status === 'rejected') {
      await Promise.allSettled(batches);
      await files.settled().catch(() => undefined);
      throw listingOutcome.reason;
    }
    const [, users, principals, privileges] = listingOutcome.value;
    log.info({ objects: headers.size }, 'listed ThoughtSpot content');
    if (waiting.length > 0) dispatch(waiting);
    await Promise.all(batches);
    const ledgerNow = ledger!;

    const deletions: Change[] = [];
    for (const [id, entry] of Object.entries(previous)) {
      if (headers.has(id) || skip.has(id)) continue;
      const result: ObjectResult = { id, kind: entry.kind, name: entry.name, outcome: 'deleted', path: entry.path };
      results.push(result);
      delete ledgerNow.objects[id];
      // A file already gone from the branch (deleted in git) has nothing left to commit.
      if (existsSync(join(repo.dir, entry.path))) deletions.push({ result, paths: [entry.path] });
    }
    files.apply(deletions.map((d) => ({ remove: d.result.path!, write: !dryRun })));

    let principalsChanged = false;
    const principalsText = format(principalsDocument(principals, privileges));
    commits?.file(PRINCIPALS_PATH, principalsText);
    files.apply([{ path: PRINCIPALS_PATH, text: principalsText, write: !dryRun }], ([same]) => (principalsChanged = !same));
    await files.settled();
    changes.sort((a, b) => compareText(a.result.path!, b.result.path!));
    if (!commits) {
      log.info({ changes: changes.length + deletions.length, principalsChanged }, 'dry run: nothing written');
      return report(results, []);
    }

    // One commit per ThoughtSpot author, so `git log` and `git blame` name who changed what;
    // deletions and principals (no single author) are committed by tmlsync. Only changed files
    // are named (unchanged ones were compared as they were written), so every commit changes something.
    const byAuthor = new Map<string, Change[]>();
    for (const change of changes) {
      const list = byAuthor.get(change.modifiedBy ?? '');
      if (list) list.push(change);
      else byAuthor.set(change.modifiedBy ?? '', [change]);
    }
    const userNames = new Map(users.map((u) => [u.id, u.name]));
    const mails = new Map(principals.map((p) => [p.name, p.mail]));
    const displayNames = new Map(principals.map((p) => [p.name, p.displayName]));
    const authorOf = (userId: string): Identity => {
      const name = userNames.get(userId);
      if (!name) return options.committer;
      return { name: displayNames.get(name) || name, email: mails.get(name) || `${name}@users.thoughtspot.invalid` };
    };
    const groups: [Identity, Change[], string][] = [...byAuthor.entries()]
      .map(([userId, list]): [Identity, Change[], string] => [authorOf(userId), list, 'update'])
      .sort((a, b) => compareText(a[0].name, b[0].name));
    if (deletions.length > 0) groups.push([options.committer, deletions, 'delete']);
    for (const [author, list] of groups) {
      const title = `export(${environment}): ${list.length} object${list.length === 1 ? '' : 's'}${author === options.committer ? '' : ` by ${author.name}`}`;
      const lines = list.slice(0, MESSAGE_OBJECTS).map((c) => describe(c.result));
      if (list.length > MESSAGE_OBJECTS) lines.push(`- … and ${list.length - MESSAGE_OBJECTS} more`);
      commits.commit(list.flatMap((c) => c.paths), `${title}\n\n${lines.join('\n')}\n`, author);
    }
    if (principalsChanged) commits.commit([PRINCIPALS_PATH], `export(${environment}): principals`, options.committer);
    const made = await commits.finish();
    if (made.length > 0) await repo.push(branch);
    ledgerNow.lastExport = new Date().toISOString();
    const failed = results.filter((r) => r.outcome === 'failed').length;
    if (made.length > 0 || JSON.stringify(previous) !== JSON.stringify(ledgerNow.objects)) {
      await writeExportLedger(repo, environment, ledgerNow, `export(${environment}): ledger after run ${runId}`);
    }
    const final = report(results, made);
    log.info({ counts: final.counts, commits: made.length, failed }, 'export finished');
    return final;
  }
}
