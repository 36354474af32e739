import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { InvalidInputError } from '../errors/index.js';
import { silentLogger, type Logger } from '../log/index.js';
import { handlerFor, type TmlKind } from '../tml/index.js';
import { readDeployLedger } from './kernel/ledger.js';
import type { ContentRepo, ThoughtSpotPort } from './ports.js';
import { readContent } from './kernel/content.js';

/**
 * Liveboard snapshots (issue 7, item 7): a PDF of each liveboard of the
 * environment's branch (those changed since a commit, or all), as the
 * environment renders it (`export/pinboard/pdf`), for a pull request or an
 * Actions run.
 */
export interface SnapshotOptions {
  environment: { name: string; branch: string; direction: string };
  thoughtspot: ThoughtSpotPort;
  repo: ContentRepo;
  /** Only liveboards whose files changed since this commit; all of them without (or with an all-zero SHA, a new branch's `before`). */
  changedSince?: string;
  /** The folder the PDFs are written to. */
  out: string;
  log?: Logger;
}

export interface Snapshot {
  name: string;
  path: string;
  /** The PDF written, relative to the output folder. */
  file?: string;
  bytes?: number;
  /** Why there is no PDF: not in the environment, or the export failed. */
  skipped?: string;
  error?: string;
}

export interface SnapshotReport {
  environment: string;
  commit: string;
  out: string;
  snapshots: Snapshot[];
}

/** The export refused the input (an unknown `--changed-since`): exit 2. */
export class SnapshotInputError extends InvalidInputError {
  override readonly name = 'SnapshotInputError';
}

export async function runSnapshot(options: SnapshotOptions): Promise<SnapshotReport> {
  const { environment, thoughtspot, repo, out } = options;
  const log = (options.log ?? silentLogger()).child({ environment: environment.name, loop: 'snapshot' });
  await repo.fetch();
  await repo.checkout(environment.branch);
  const commit = (await repo.revParse('HEAD')) ?? '';
  const since = options.changedSince && !/^0+$/.test(options.changedSince) ? options.changedSince : undefined;
  let changed: Set<string> | undefined;
  if (since) {
    if (!(await repo.revParse(since)) && !(await repo.revParse(`refs/remotes/origin/${since}`))) throw new SnapshotInputError(`--changed-since ${since}: no such commit in the remote`);
    changed = new Set(await repo.changedPaths(since));
  }
  // Unparsable files are the validator's business; a snapshot shows what it can.
  const boards = (await readContent(repo.dir)).files.filter((f) => (!changed || changed.has(f.path)) && handlerFor(f.doc.kind).dataCheck === 'visualizations').map((f) => f.doc);

  // Where git leads, GUIDs come from the deploy ledger; where ThoughtSpot leads, the files carry them.
  const ledger = environment.direction === 'deploy' ? await readDeployLedger(repo, environment.name) : undefined;
  mkdirSync(out, { recursive: true });
  const snapshots: Snapshot[] = [];
  for (const doc of boards) {
    const path = doc.file!;
    const id = ledger ? (doc.guid ? ledger.objects[doc.guid]?.envGuid : undefined) : doc.guid;
    if (!id) {
      snapshots.push({ name: doc.name, path, skipped: `not deployed to ${environment.name}` });
      continue;
    }
    const file = `${withoutSuffix(basename(path), doc.kind)}.pdf`;
    try {
      const pdf = await thoughtspot.liveboardPdf(id);
      // Written whole or not at all.
      const temp = join(out, `.${file}.tmp`);
      writeFileSync(temp, pdf);
      renameSync(temp, join(out, file));
      snapshots.push({ name: doc.name, path, file, bytes: pdf.length });
      log.info({ path, file, bytes: pdf.length }, 'liveboard snapshot written');
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      snapshots.push({ name: doc.name, path, error: message });
      log.warn({ path, error: message }, 'liveboard snapshot failed');
    }
  }
  return { environment: environment.name, commit, out, snapshots };
}

/** A file name without its kind's suffix (`.liveboard.tml`, or the older `.pinboard.tml`). */
function withoutSuffix(name: string, kind: TmlKind): string {
  const suffix = handlerFor(kind).keys.map((key) => `.${key}.tml`).find((s) => name.endsWith(s));
  return suffix ? name.slice(0, -suffix.length) : name;
}

export function snapshotText(report: SnapshotReport): string {
  const written = report.snapshots.filter((s) => s.file);
  const lines = [`snapshot ${report.environment} at ${report.commit.slice(0, 12)}: ${written.length} PDF${written.length === 1 ? '' : 's'} in ${report.out}`];
  for (const s of report.snapshots) {
    if (s.file) lines.push(`  wrote   ${s.file} (liveboard "${s.name}", ${s.bytes} bytes)`);
    else if (s.skipped) lines.push(`  skipped liveboard "${s.name}" (${s.path}): ${s.skipped}`);
    else lines.push(`  failed  liveboard "${s.name}" (${s.path}): ${s.error ?? ''}`);
  }
  return `${lines.join('\n')}\n`;
}
