import { hostname, userInfo } from 'node:os';
import { InvalidInputError } from '../../errors/index.js';
import type { ContentRepo } from '../ports.js';
import { readDeployedCommit, stateRef } from '../kernel/ledger.js';

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
  /** The approval this run promotes by (a manual stage). */
  approved?: Approval;
}

/**
 * A person's approval of a manual stage's promotion (`tmlsync promote`, the
 * trigger API), kept in the remote on `refs/tmlsync/<stage>/approval`, so
 * that a daemon restarted, another replica, or a CI job sees it. It names the
 * commit approved: the source's last successful one at the time. It is used
 * while that commit is still what the stage would promote and the stage does
 * not run it yet; once the stage runs it, it is spent (nothing deletes it: a
 * failed promotion is tried again by the next run); once the source has moved
 * on, it is stale, and said so, never used for the newer commit.
 */
export interface Approval {
  commit: string;
  /** Who approved: the user and host of `tmlsync promote`, or the trigger API's call. */
  by: string;
  /** ISO time of the approval. */
  at: string;
}

const APPROVAL_FILE = 'approval.json';

/** A `--ref` on a stage would deploy what its source never passed. Exit 2. */
export class StageRefError extends InvalidInputError {
  override readonly name = 'StageRefError';
  constructor(environment: string, from: string) {
    super(`environment ${environment} is a pipeline stage (promoteFrom: ${from}): it deploys the commit ${from} last deployed successfully, and takes no --ref`);
  }
}

/** The approval kept for a stage (as of the last fetch); undefined when there is none, or it cannot be read (anyone who can push may have written anything there). */
async function readApproval(repo: ContentRepo, environment: string): Promise<Approval | undefined> {
  const text = await repo.readState(stateRef(environment, 'approval'), APPROVAL_FILE);
  try {
    const { commit, by, at } = JSON.parse(text ?? 'null') as Partial<Record<keyof Approval, unknown>>;
    return typeof commit === 'string' && typeof by === 'string' && typeof at === 'string' ? { commit, by, at } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Approves the promotion into `environment` of what its source last deployed
 * successfully, in the remote (see `Approval`), as the remote has it now (a
 * fetch first, also for an `auto` stage: its caller deploys from that fetch).
 * Says why when there is nothing to approve.
 */
export async function approvePromotion(repo: ContentRepo, environment: string, stage: StageSettings, by: string): Promise<{ approval: Approval } | { nothing: string }> {
  await repo.fetch();
  if (stage.approval === 'auto') return { nothing: `${environment} promotes without approvals (approval: auto)` };
  const source = await readDeployedCommit(repo, stage.promoteFrom);
  if (source === undefined) return { nothing: `${stage.promoteFrom} has not deployed anything successfully yet: nothing to approve for ${environment}` };
  if (source === (await readDeployedCommit(repo, environment))) return { nothing: `${environment} runs ${source.slice(0, 12)}, what ${stage.promoteFrom} last deployed, already` };
  const approval: Approval = { commit: source, by, at: new Date().toISOString() };
  await repo.writeState(stateRef(environment, 'approval'), { [APPROVAL_FILE]: `${JSON.stringify(approval, null, 2)}\n` }, `approve(${environment}): ${source.slice(0, 12)} of ${stage.promoteFrom}, by ${by}`);
  return { approval };
}

/** Who approves from this process: the user and the host (a container may have no user name). */
export function approver(via: string): string {
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    user = `uid ${process.getuid?.() ?? '?'}`;
  }
  return `${user} on ${hostname()} (${via})`;
}

/** An approval as one phrase: `abc123 (by dana on ci-7, at …)`. */
const approvalText = (a: Approval): string => `${a.commit.slice(0, 12)} (by ${a.by}, at ${a.at})`;

/** A manual stage's approval against what it would promote: usable, spent (the stage runs it), or stale (the source moved on). */
function approvalState(approval: Approval | undefined, source: string | undefined, own: string | undefined): 'none' | 'usable' | 'stale' {
  if (!approval || approval.commit === own) return 'none';
  return approval.commit === source ? 'usable' : 'stale';
}

/**
 * Which commit a run of the stage `environment` deploys. An `auto` stage
 * takes its source's; a `manual` one only by an approval of that very commit
 * (`Approval`; `assumeApproved`: a plan's or a dry run's view of an approved
 * run, which writes none). Reads the ledgers and the approval as the last
 * fetch left them: fetch first.
 */
export async function stageCommit(repo: ContentRepo, environment: string, stage: StageSettings, assumeApproved = false): Promise<Promotion> {
  const { promoteFrom: from, approval } = stage;
  const source = await readDeployedCommit(repo, from);
  if (approval === 'manual' && !assumeApproved) {
    const own = await readDeployedCommit(repo, environment);
    const approved = await readApproval(repo, environment);
    const state = approvalState(approved, source, own);
    if (state === 'usable') return { from, approval, state: 'promoted', commit: source!, approved: approved! };
    const stale = state === 'stale' ? `; the approval of ${approvalText(approved!)} is stale: ${from} has deployed ${source?.slice(0, 12) ?? 'nothing'} since, which needs an approval of its own` : '';
    const pending = source !== undefined && source !== own ? `; ${from} has deployed ${source.slice(0, 12)}, which waits for an approval (tmlsync promote --env ${environment})` : '';
    if (own === undefined) return { from, approval, state: 'waiting', reason: `${environment} has not deployed anything yet and is promoted only when approved (approval: manual)${pending}${stale}` };
    return { from, approval, state: 'held', commit: own, reason: `approval: manual; ${environment} keeps its commit ${own.slice(0, 12)}${pending}${stale}` };
  }
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
  /** A manual stage behind its source, with no approval of the source's commit: the promotion waits for one. */
  approvalPending: boolean;
  /** A manual stage's approval of the source's commit, which its next run promotes. */
  approved?: Approval;
  /** A manual stage's approval of a commit the source has moved on from: never used. */
  staleApproval?: Approval;
}

/** How many commits up to `commit` (a promotion's) the stage `environment` does not run yet; 0 without one (its ledger as of the last fetch). */
export async function commitsBehind(repo: ContentRepo, environment: string, commit: string | undefined): Promise<number> {
  return commit === undefined ? 0 : behind(repo, await readDeployedCommit(repo, environment), commit);
}

/** The one count of "behind": the commits up to `commit` that a stage running `own` does not run yet. */
function behind(repo: ContentRepo, own: string | undefined, commit: string | undefined): Promise<number> {
  return commit === undefined || commit === own ? Promise.resolve(0) : repo.commitsBetween(own, commit);
}

/** Where `environment`, a stage, stands (ledgers and approval as the last fetch left them). */
export async function stageStatus(repo: ContentRepo, environment: string, stage: StageSettings): Promise<StageStatus> {
  const [commit, sourceCommit] = await Promise.all([readDeployedCommit(repo, environment), readDeployedCommit(repo, stage.promoteFrom)]);
  const commitsBehindSource = await behind(repo, commit, sourceCommit);
  const approval = stage.approval === 'manual' ? await readApproval(repo, environment) : undefined;
  const state = approvalState(approval, sourceCommit, commit);
  return {
    promoteFrom: stage.promoteFrom,
    approval: stage.approval,
    ...(commit ? { commit } : {}),
    ...(sourceCommit ? { sourceCommit } : {}),
    behind: commitsBehindSource,
    approvalPending: stage.approval === 'manual' && commitsBehindSource > 0 && state !== 'usable',
    ...(state === 'usable' ? { approved: approval! } : state === 'stale' ? { staleApproval: approval! } : {}),
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
  const approval = status.approved ? `, approved ${approvalText(status.approved)}: its next run promotes it` : status.approvalPending ? `, approval pending (tmlsync promote --env ${environment})` : '';
  const stale = status.staleApproval ? `; a stale approval of ${approvalText(status.staleApproval)} is not used` : '';
  return `${environment} ← ${status.promoteFrom}: ${runs}, ${behind}${approval}${stale}`;
}

/** What a stage's run took: `promoted staging's commit abc` or why it deployed nothing. */
export function promotionLine(environment: string, promotion: Promotion): string {
  if (promotion.state === 'promoted') return `${environment} promoted ${promotion.from}'s last successful commit ${promotion.commit!.slice(0, 12)}${promotion.approved ? `, approved by ${promotion.approved.by}` : ''}`;
  return `${environment} ${promotion.state === 'held' ? `kept its commit ${promotion.commit!.slice(0, 12)}` : 'deployed nothing'}: ${promotion.reason ?? ''}`;
}
