import { InvalidInputError } from '../../errors/index.js';
import type { KnownObject, TmlDocument, ValueMapping } from '../../tml/index.js';
import type { DeployLedger } from '../kernel/ledger.js';
import type { WorkflowOptions } from '../kernel/environment.js';
import type { RunStart } from '../kernel/report.js';
import type { Finding } from '../kernel/validate.js';
import type { Content } from '../kernel/content.js';
import type { Header } from '../ports.js';

/** The shapes a deploy, a plan and prune share, kept apart from the workflow so that its parts never import it (no cycle). */

/** The deploy gate refused the change set: nothing was written. Exit 2. */
export class DeployGateError extends InvalidInputError {
  override readonly name = 'DeployGateError';
  constructor(readonly findings: Finding[]) {
    super(`deploy stopped before writing anything:\n${findings.filter((f) => f.severity === 'error').map((f) => `  - ${f.message}`).join('\n')}`);
  }
}

/**
 * The deploy ledger is gone while the target holds objects of the repository's
 * files (issue 15, item 9): without it tmlsync cannot tell its objects from
 * anyone's, and would create every file again. Exit 2, before anything is written.
 */
export class MissingLedgerError extends InvalidInputError {
  override readonly name = 'MissingLedgerError';
  constructor(environment: string, ref: string, found: string[]) {
    const examples = found.slice(0, 5).join(', ') + (found.length > 5 ? ` and ${found.length - 5} more` : '');
    super(
      `the deploy ledger of ${environment} (${ref}) is missing, yet ${environment} holds ${found.length} object${found.length === 1 ? '' : 's'} of this repository's files (${examples}). ` +
        `The ledger records which object in ${environment} each file is; without it a deploy would create every file again. Nothing was written. To recover: ` +
        `push the ledger back from any clone or work tree that still has it (\`git push origin <commit>:${ref}\`; each deploy's log names its run, and the commit is the ledger's last "deploy(${environment})" commit); ` +
        `or, if those objects are not tmlsync's to manage (a first deploy to ${environment} meeting objects made by hand) or not to be kept, rename or delete them in ${environment} and deploy again.`,
    );
  }
}

/** A deploy's own options, besides the environment and the sides every workflow takes. */
export interface DeployOptions extends WorkflowOptions {
  /** A commit, tag or branch to deploy; the environment's branch by default. */
  ref?: string;
  batchSize?: number;
  /** Deploy only these canonical GUIDs (a sync run's git-side changes); every other file is left as it is. */
  only?: ReadonlySet<string>;
  /** Called as objects are imported (each batch), for a progress display. */
  onProgress?: (done: number, total: number) => void;
  /** A pipeline stage with `approval: manual`: this run is taken as approved without an approval in the remote (a dry run of `tmlsync promote`, which writes none). */
  approved?: boolean;
  /**
   * The caller has just fetched (a promotion's approval): a pipeline stage takes its commit from that fetch, without one of its own.
   * Not `asFetched(repo)`: that would also make the fetch after the lock a no-op, and the deploy must read the ledger a run that
   * held the lock before it left.
   */
  fetched?: boolean;
  /** Every content header the caller listed this run (a sync, issue 16): the deploy lists nothing again when each header says its kind. */
  listed?: readonly Header[];
  /**
   * The branch's files as the caller read them from the work tree this run (a sync, whose deploy
   * reads the tree it read; issue 16: parsing 10,003 files again was 1.1 s of a 7.1 s sync run).
   * Not with `ref`, whose checkout changes the tree.
   */
  content?: Content;
}

/**
 * How a file was matched to an object of the target (issue 13): by its
 * `obj_id`, by the ledger's GUID pair, by its own GUID (the target holds
 * it, with no ledger entry), or not at all (it is created).
 */
export type Identity = 'obj_id' | 'ledger' | 'guid' | 'new';

export interface PlannedChange {
  action: 'create' | 'update' | 'unchanged' | 'delete';
  /** How the file was matched (absent for deletions: they have no file). */
  identity?: Identity;
  kind: string;
  name: string;
  path: string;
  canonicalGuid: string;
  envGuid?: string;
}

/** A canonical file of the repository and what a deploy does with it. */
export interface Candidate {
  doc: TmlDocument;
  path: string;
  text: string;
  canonicalGuid: string;
  action: 'create' | 'update' | 'unchanged';
  /** Set when the file was matched to a target object by its obj_id. */
  matchedByObjId?: boolean;
}

/** The mapping of a deploy: canonical → environment GUIDs (from the ledger and the resolved connections) and values. */
export type DeployMapping = ValueMapping & { guids: Map<string, string> };

/** What a deploy decided before writing anything (DESIGN.md "Deploy" steps 1–3), shared with `tmlsync plan`. */
export interface ChangeSet {
  run: RunStart;
  commit: string;
  ledger: DeployLedger;
  /** Every file of the repository. */
  candidates: Candidate[];
  /** Those to create or update. */
  changed: Candidate[];
  /** What the environment holds. */
  target: KnownObject[];
  /** Who owned each object of the target when it was listed (user GUID by object GUID), for the ownership step. */
  authors?: ReadonlyMap<string, string>;
  mapping: DeployMapping;
  plan: PlannedChange[];
  /** Objects the ledger knows that left the repository (prune decides what goes). */
  deletions: PlannedChange[];
}
