import { InvalidInputError } from '../../errors/index.js';
import type { ContentRepo } from '../ports.js';
import { readDeployLedger } from '../kernel/ledger.js';

/**
 * Promotion pipelines (issue 13, item 4; DESIGN.md "pipeline"): a stage is an
 * environment with `promoteFrom`; it deploys only the commit its source last
 * deployed successfully, which the source's deploy ledger records
 * (`deployedCommit` on `refs/tmlsync/<source>/deploy`), never its own branch's
 * head. So prod only ever gets what passed staging's gate, import and checks.
 */

/** What makes an environment a stage. */
export interface StageSettings {
  promoteFrom: string;
  /** `manual`: a promotion waits for `tmlsync promote` (or the trigger API); `auto`: it follows each successful deploy of the source. */
  approval: 'auto' | 'manual';
}

/**
 * What one run of a stage deploys: the source's commit (`promoted`); for a
 * manual stage not approved, its own last commit again (`held`: it promotes
 * nothing, and re-creates only what was deleted there); or nothing at all
 * (`waiting`), with why.
 */
export interface Promotion {
  from: string;
  approval: StageSettings['approval'];
  state: 'promoted' | 'held' | 'waiting';
  /** The commit the run deploys (absent when waiting). */
  commit?: string;
  /** Why a stage waits, or what it holds back. */
  reason?: string;
}

/** A `--ref` on a stage would deploy what its source never passed. Exit 2. */
export class StageRefError extends InvalidInputError {
  override readonly name = 'StageRefError';
  constructor(environment: string, from: string) {
    super(`environment ${environment} is a pipeline stage (promoteFrom: ${from}): it deploys the commit ${from} last deployed successfully, and takes no --ref`);
  }
}

/** The commit an environment last deployed successfully, from its deploy ledger (as of the last fetch). */
export async function passedCommit(repo: ContentRepo, environment: string): Promise<string | undefined> {
  return (await readDeployLedger(repo, environment)).deployedCommit;
}

/**
 * Which commit a run of the stage `environment` deploys. `approved`: a person
 * (or `tmlsync promote`, or the trigger API's promote) approved this run; an
 * `auto` stage needs no approval. Reads the ledgers as the last fetch left
 * them: fetch first.
 */
export async function stageCommit(repo: ContentRepo, environment: string, stage: StageSettings, approved: boolean): Promise<Promotion> {
  const { promoteFrom: from, approval } = stage;
  if (approval === 'manual' && !approved) {
    const own = await passedCommit(repo, environment);
    const source = await passedCommit(repo, from);
    const pending = source !== undefined && source !== own ? `; ${from} has deployed ${source.slice(0, 12)}, which waits for an approval (tmlsync promote --env ${environment})` : '';
    if (own === undefined) return { from, approval, state: 'waiting', reason: `${environment} has not deployed anything yet and is promoted only when approved (approval: manual)${pending}` };
    return { from, approval, state: 'held', commit: own, reason: `approval: manual; ${environment} keeps its commit ${own.slice(0, 12)}${pending}` };
  }
  const source = await passedCommit(repo, from);
  if (source === undefined) return { from, approval, state: 'waiting', reason: `${from} has not deployed anything successfully yet: ${environment} has nothing to promote` };
  return { from, approval, state: 'promoted', commit: source };
}

/** Where a stage stands against its source: what each runs, and how many commits the stage is behind. */
export interface StageStatus {
  promoteFrom: string;
  approval: StageSettings['approval'];
  /** The commit the stage last deployed successfully. */
  commit?: string;
  /** The commit its source last deployed successfully (what a promotion would deploy). */
  sourceCommit?: string;
  /** Commits of the source's that the stage does not run yet. */
  behind: number;
  /** A manual stage behind its source: the promotion waits for an approval. */
  approvalPending: boolean;
}

/** Where `environment`, a stage, stands (ledgers as the last fetch left them). */
export async function stageStatus(repo: ContentRepo, environment: string, stage: StageSettings): Promise<StageStatus> {
  const [commit, sourceCommit] = [await passedCommit(repo, environment), await passedCommit(repo, stage.promoteFrom)];
  const behind = sourceCommit === undefined || sourceCommit === commit ? 0 : await repo.commitsBetween(commit, sourceCommit);
  return {
    promoteFrom: stage.promoteFrom,
    approval: stage.approval,
    ...(commit ? { commit } : {}),
    ...(sourceCommit ? { sourceCommit } : {}),
    behind,
    approvalPending: stage.approval === 'manual' && behind > 0,
  };
}

/** One line on a stage: `prod ← staging: runs abc, 2 commits behind (approval pending)`. */
export function stageLine(environment: string, status: StageStatus): string {
  const runs = status.commit ? `runs ${status.commit.slice(0, 12)}` : 'has deployed nothing yet';
  const behind =
    status.sourceCommit === undefined
      ? `${status.promoteFrom} has deployed nothing yet`
      : status.behind === 0
        ? `in step with ${status.promoteFrom}`
        : `${status.behind} commit${status.behind === 1 ? '' : 's'} behind ${status.promoteFrom} (${status.sourceCommit.slice(0, 12)})`;
  return `${environment} ← ${status.promoteFrom}: ${runs}, ${behind}${status.approvalPending ? ', approval pending (tmlsync promote --env ' + environment + ')' : ''}`;
}

/** What a stage's run took: `promoted staging's commit abc` or why it deployed nothing. */
export function promotionLine(environment: string, promotion: Promotion): string {
  if (promotion.state === 'promoted') return `${environment} promoted ${promotion.from}'s last successful commit ${promotion.commit!.slice(0, 12)}`;
  return `${environment} ${promotion.state === 'held' ? `kept its commit ${promotion.commit!.slice(0, 12)}` : 'deployed nothing'}: ${promotion.reason ?? ''}`;
}
