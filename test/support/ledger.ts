import { execFileSync } from 'node:child_process';
import { batchObjects } from '../../src/git/cat-file.js';
import { deployLedgerFrom, readDeployLedger, readExportLedger, type DeployLedger, type Ledger } from '../../src/sync/kernel/ledger.js';
import type { ContentRepo, StateWrite } from '../../src/sync/ports.js';

/**
 * The export ledger of `environment` as a repository (a remote's bare one, a work tree) holds it,
 * every entry, read as tmlsync reads it: its head and shards (or one `ledger.json` from before
 * issue 16) by one `git cat-file --batch`.
 */
export function exportLedgerIn(dir: string, environment = 'dev'): Promise<Ledger> {
  return readExportLedger(statesIn(dir), environment);
}

/** The deploy ledger of `environment` as a repository holds it, read as tmlsync reads it: its head and shards, or one `deploy.json` from before. */
export function deployLedgerIn(dir: string, environment = 'prod'): Promise<DeployLedger> {
  return readDeployLedger(statesIn(dir), environment);
}

/** A repository's state refs as `readStates` reads them, by one `git cat-file --batch`. */
function statesIn(dir: string): ContentRepo {
  const readStates = (reads: { ref: string; file: string }[]) => {
    const out = execFileSync('git', ['cat-file', '--batch'], { cwd: dir, input: reads.map(({ ref, file }) => `${ref}:${file}\n`).join('') });
    return Promise.resolve(batchObjects(out).map((object) => (object?.type === 'blob' ? object.content.toString('utf8') : undefined)));
  };
  return { readStates } as unknown as ContentRepo;
}

/** The deploy ledger a state write (`deployLedgerWrite`) records: what a ref holding exactly its files gives. */
export function writtenDeployLedger(write: Pick<StateWrite, 'ref' | 'files'>): DeployLedger {
  return deployLedgerFrom(write.ref, (file) => write.files[file]);
}

/** The export ledger a state write (`exportLedgerWrite`) records, read back as tmlsync reads it: what a ref holding exactly its files gives. */
export function writtenLedger(write: StateWrite): Promise<Ledger> {
  const readStates = (reads: { ref: string; file: string }[]) => Promise.resolve(reads.map(({ file }) => write.files[file]));
  return readExportLedger({ readStates } as unknown as ContentRepo, write.ref.split('/')[2]!);
}
