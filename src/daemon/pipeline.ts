import type { EnvironmentConfig } from '../config/index.js';
import type { Logger } from '../log/index.js';
import { approvePromotion, approver, stageStatus, type Approval, type StageSettings, type StageStatus } from '../sync/deploy/pipeline.js';
import type { RunReport } from '../sync/kernel/report.js';
import type { ContentRepo } from '../sync/ports.js';

/** Asks the daemon for a deploy of an environment (its `request`). */
type RequestDeploy = (environment: string, trigger: string) => void;

/**
 * The daemon's side of promotion pipelines (issue 13, item 4): after a
 * successful deploy that changed something, the stages that promote from
 * that environment with `approval: auto` run next; a `manual` one waits for
 * `promote` (the trigger API or `tmlsync promote`), whose approval is kept in
 * the remote (deploy/pipeline.ts `Approval`): a restarted daemon, or another
 * replica, runs it. A failed run starts nothing: the pipeline stops there. It
 * also keeps where each stage stands, for `/status` and the page.
 */
export class DaemonPipeline {
  readonly #stages: Map<string, StageSettings>;
  readonly #status = new Map<string, StageStatus>();

  constructor(environments: readonly EnvironmentConfig[]) {
    this.#stages = new Map(environments.flatMap((e) => (e.promoteFrom ? [[e.name, { promoteFrom: e.promoteFrom, approval: e.approval ?? 'auto' }] as const] : [])));
  }

  isStage(environment: string): boolean {
    return this.#stages.has(environment);
  }

  /** Approves, in the remote, the promotion of what the stage's source last deployed; undefined when there is nothing to approve yet (said in the log). */
  async approve(environment: string, repo: ContentRepo, via: string, log: Logger): Promise<Approval | undefined> {
    const approved = await approvePromotion(repo, environment, this.#stages.get(environment)!, approver(via));
    if ('nothing' in approved) log.info({ stage: environment, reason: approved.nothing }, 'nothing to approve');
    else log.info({ stage: environment, approval: approved.approval }, 'promotion approved');
    return 'approval' in approved ? approved.approval : undefined;
  }

  /** Where a stage stands, as of the last run of it or of its source (`/status`'s `stage`; nothing before). */
  statusOf(environment: string): { stage?: StageStatus } {
    const stage = this.#status.get(environment);
    return stage ? { stage } : {};
  }

  /**
   * After a run: the stage's and its followers' standing read again, and the
   * followers that promote on their own asked for. A run that changed nothing
   * leaves them to their schedule (each would deploy what it runs already).
   */
  async afterRun(report: RunReport, repo: ContentRepo, request: RequestDeploy, log: Logger): Promise<void> {
    const name = report.environment;
    const followers = [...this.#stages].filter(([, stage]) => stage.promoteFrom === name).map(([follower]) => follower);
    await this.#refresh([...(this.#stages.has(name) ? [name] : []), ...followers], repo, log);
    const c = report.counts;
    if (report.loop !== 'deploy' || report.outcome !== 'ok' || c.added + c.updated + c.deleted === 0) return;
    for (const follower of followers) {
      if (this.#stages.get(follower)!.approval === 'auto') request(follower, `pipeline: after ${name} run ${report.runId}`);
      else log.info({ stage: follower, from: name }, 'pipeline stage waits for an approval (approval: manual)');
    }
  }

  /** Reads the stages' ledgers as the repository's last fetch left them; a failure to read is logged, never fails the run. */
  async #refresh(names: string[], repo: ContentRepo, log: Logger): Promise<void> {
    for (const name of names) {
      try {
        this.#status.set(name, await stageStatus(repo, name, this.#stages.get(name)!));
      } catch (error) {
        log.warn({ err: error, stage: name }, 'could not read where a pipeline stage stands');
      }
    }
  }
}
