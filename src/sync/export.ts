import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { silentLogger, type Logger } from '../log/index.js';
import { format, parse } from '../tml/index.js';
import { formatLedger, LEDGER_FILE, parseLedger, stateRef, type Ledger } from './ledger.js';
import { objectPath, PRINCIPALS_PATH } from './layout.js';
import type { ContentRepo, ExportedObject, Header, HeaderType, Identity, ThoughtSpotPort } from './ports.js';
import { principalsDocument } from './principals.js';
import { countOutcomes, type ObjectResult, type RunReport } from './report.js';

/** Objects named one per line in a commit message; a first export of thousands lists the rest as a count. */
const MESSAGE_OBJECTS = 500;

/** The content types the export lists (reference §2.10): connections, data objects, answers, liveboards. */
export const CONTENT_TYPES: HeaderType[] = ['DATA_SOURCE', 'LOGICAL_TABLE', 'QUESTION_ANSWER_BOOK', 'PINBOARD_ANSWER_BOOK'];

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

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Writes through a temporary file and a rename: a reader never sees half a file. */
function writeAtomic(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.tmlsync-tmp`;
  writeFileSync(temp, text);
  renameSync(temp, path);
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
  const { environment, branch, thoughtspot, repo, dryRun = false, batchSize = 50 } = options;
  const runId = options.runId ?? randomUUID();
  const log = (options.log ?? silentLogger()).child({ runId, environment, loop: 'export' });
  const started = Date.now();
  const report = (objects: ObjectResult[], commits: string[], error?: string): RunReport => ({
    runId, environment, loop: 'export', dryRun, startedAt: new Date(started).toISOString(), durationMs: Date.now() - started,
    outcome: error || objects.some((o) => o.outcome === 'failed') ? 'failed' : 'ok', counts: countOutcomes(objects), commits, objects, ...(error ? { error } : {}),
  });

  await repo.fetch();
  await repo.checkout(branch);
  const ref = stateRef(environment, 'export');
  const ledger: Ledger = parseLedger(await repo.readState(ref, LEDGER_FILE));
  const previous = structuredClone(ledger.objects);

  const [headerLists, users, principals, privileges] = await Promise.all([
    Promise.all(CONTENT_TYPES.map((type) => thoughtspot.listHeaders(type))),
    thoughtspot.listHeaders('USER'),
    thoughtspot.listPrincipals(),
    thoughtspot.listGroupPrivileges(),
  ]);
  const headers = new Map<string, Header>(headerLists.flat().map((h) => [h.id, h]));
  log.info({ objects: headers.size }, 'listed ThoughtSpot content');

  const results: ObjectResult[] = [];
  const changes: Change[] = [];
  const due: Header[] = [];
  const skip = options.skip ?? new Set<string>();
  for (const header of headers.values()) {
    if (skip.has(header.id)) continue;
    const known = ledger.objects[header.id];
    if (known && known.modified === header.modified && existsSync(join(repo.dir, known.path))) {
      results.push({ id: header.id, kind: known.kind, name: header.name, outcome: 'unchanged', path: known.path });
    } else {
      due.push(header);
    }
  }

  const record = (header: Header, item: ExportedObject | undefined): void => {
    if (!item || 'error' in item) {
      const error = item && 'error' in item ? item.error : 'missing from the export answer';
      log.warn({ id: header.id, name: header.name, error }, 'object not exported');
      results.push({ id: header.id, kind: ledger.objects[header.id]?.kind ?? 'unknown', name: header.name, outcome: 'failed', error });
      return;
    }
    let doc;
    try {
      doc = parse(item.edoc, { file: `${header.name} (${header.id})` });
    } catch (error) {
      results.push({ id: header.id, kind: item.type, name: header.name, outcome: 'failed', error: (error as Error).message });
      return;
    }
    const path = objectPath(doc.kind, doc.name || header.name, header.id);
    const text = format(doc);
    const known = previous[header.id];
    const same = known?.path === path && readText(join(repo.dir, path)) === text;
    const result: ObjectResult = { id: header.id, kind: doc.kind, name: doc.name || header.name, outcome: same ? 'unchanged' : known ? 'updated' : 'added', path };
    results.push(result);
    ledger.objects[header.id] = { kind: doc.kind, name: result.name, path, modified: header.modified };
    if (same) return;
    const paths = [path];
    if (!dryRun) writeAtomic(join(repo.dir, path), text);
    if (known && known.path !== path && existsSync(join(repo.dir, known.path))) {
      paths.push(known.path);
      if (!dryRun) rmSync(join(repo.dir, known.path), { force: true });
    }
    changes.push({ result, paths, ...(header.modifiedBy ? { modifiedBy: header.modifiedBy } : {}) });
  };

  // Every batch is handed to the client at once: its per-host queue paces them (DESIGN.md "The queue").
  let done = 0;
  const batches: Header[][] = [];
  for (let start = 0; start < due.length; start += batchSize) batches.push(due.slice(start, start + batchSize));
  await Promise.all(
    batches.map(async (batch) => {
      let exported: ExportedObject[];
      try {
        exported = await thoughtspot.exportTml(batch.map((h) => h.id));
      } catch (error) {
        // The batch failed as a whole (after the client's retries): its objects are retried next run.
        const message = error instanceof Error ? error.message : String(error);
        exported = batch.map((h) => ({ id: h.id, error: message }));
      }
      for (const header of batch) record(header, exported.find((e) => e.id === header.id));
      done += batch.length;
      options.onProgress?.(done, due.length);
    }),
  );
  changes.sort((a, b) => a.result.path!.localeCompare(b.result.path!));

  const deletions: Change[] = [];
  for (const [id, entry] of Object.entries(previous)) {
    if (headers.has(id) || skip.has(id)) continue;
    const result: ObjectResult = { id, kind: entry.kind, name: entry.name, outcome: 'deleted', path: entry.path };
    results.push(result);
    delete ledger.objects[id];
    // A file already gone from the branch (deleted in git) has nothing left to commit.
    if (!existsSync(join(repo.dir, entry.path))) continue;
    if (!dryRun) rmSync(join(repo.dir, entry.path), { force: true });
    deletions.push({ result, paths: [entry.path] });
  }

  const principalsText = format(principalsDocument(principals, privileges));
  const principalsChanged = readText(join(repo.dir, PRINCIPALS_PATH)) !== principalsText;
  if (dryRun) {
    log.info({ changes: changes.length + deletions.length, principalsChanged }, 'dry run: nothing written');
    return report(results, []);
  }
  if (principalsChanged) writeAtomic(join(repo.dir, PRINCIPALS_PATH), principalsText);

  // One commit per ThoughtSpot author, so `git log` and `git blame` name who changed what;
  // deletions and principals (no single author) are committed by tmlsync.
  const commits: string[] = [];
  const byAuthor = new Map<string, Change[]>();
  for (const change of changes) byAuthor.set(change.modifiedBy ?? '', [...(byAuthor.get(change.modifiedBy ?? '') ?? []), change]);
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
    .sort((a, b) => a[0].name.localeCompare(b[0].name));
  if (deletions.length > 0) groups.push([options.committer, deletions, 'delete']);
  for (const [author, list] of groups) {
    const title = `export(${environment}): ${list.length} object${list.length === 1 ? '' : 's'}${author === options.committer ? '' : ` by ${author.name}`}`;
    const lines = list.slice(0, MESSAGE_OBJECTS).map((c) => describe(c.result));
    if (list.length > MESSAGE_OBJECTS) lines.push(`- … and ${list.length - MESSAGE_OBJECTS} more`);
    const sha = await repo.commitPaths(list.flatMap((c) => c.paths), `${title}\n\n${lines.join('\n')}\n`, author);
    if (sha) commits.push(sha);
  }
  if (principalsChanged) {
    const sha = await repo.commitPaths([PRINCIPALS_PATH], `export(${environment}): principals`, options.committer);
    if (sha) commits.push(sha);
  }
  if (commits.length > 0) await repo.push(branch);
  ledger.lastExport = new Date().toISOString();
  const failed = results.filter((r) => r.outcome === 'failed').length;
  if (commits.length > 0 || JSON.stringify(previous) !== JSON.stringify(ledger.objects)) {
    await repo.writeState(ref, { [LEDGER_FILE]: formatLedger(ledger) }, `export(${environment}): ledger after run ${runId}`);
  }
  const final = report(results, commits);
  log.info({ counts: final.counts, commits: commits.length, failed }, 'export finished');
  return final;
}
