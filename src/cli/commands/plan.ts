import { appendFileSync } from 'node:fs';
import { configFrom, environmentsFor, withEnvironment, workflowEnvironment, type Sides } from '../../app/index.js';
import type { EnvironmentConfig } from '../../config/index.js';
import { InvalidInputError } from '../../errors/index.js';
import { commitsBehind, StageRefError, stageCommit, type Promotion, type StageSettings } from '../../sync/deploy/pipeline.js';
import { asFetched } from '../../sync/kernel/repo-view.js';
import { planMarkdown, planText, runPlan, type PlanReport } from '../../sync/plan.js';
import type { ExitCode } from '../outcome.js';
import { commandServices, type CommandContext } from '../context.js';

interface PlanCommandOptions {
  config?: string;
  env?: string;
  ref?: string;
  format: 'text' | 'markdown' | 'json';
}

/** A pipeline stage's plan: which commit a promotion would deploy, how many commits it brings, and the plan against it. */
type StagePlan = { promotion: Promotion & { behind: number }; plan?: PlanReport };

/** `tmlsync plan`: what a deploy of the ref would do, per object; writes nothing to ThoughtSpot. */
export async function planCommand(options: PlanCommandOptions, _args: string[], context: CommandContext): Promise<ExitCode> {
  if (!options.env) throw new InvalidInputError('--env is required: a plan is against one environment');
  const services = commandServices(context);
  const config = await configFrom(options.config, services, options.env);
  const [environment] = environmentsFor(config, options.env, 'deploy');
  const { plan, promotion } = await withEnvironment(config, environment!, services, (sides) => planOf(environment!, options, sides, context));
  const text = (format: PlanCommandOptions['format']) => {
    if (format === 'json') return `${JSON.stringify(promotion ? { ...(plan ?? {}), promotion } : plan, null, 2)}\n`;
    const head = promotion ? `${promotionHead(environment!.name, promotion, format)}\n${format === 'markdown' ? '\n' : ''}` : '';
    return head + (plan ? (format === 'markdown' ? planMarkdown(plan) : planText(plan)) : '');
  };
  context.io.stdout.write(text(options.format));
  // Under GitHub Actions the plan also goes to the job summary.
  const summary = context.io.env.GITHUB_STEP_SUMMARY;
  if (summary) appendFileSync(summary, text('markdown'));
  return 0;
}

/** The plan of the ref (or the branch), or, for a pipeline stage, of what a promotion would deploy. */
async function planOf(environment: EnvironmentConfig, options: PlanCommandOptions, sides: Sides, context: CommandContext): Promise<Partial<StagePlan>> {
  const sync = environment.direction === 'sync';
  const shape = workflowEnvironment(environment);
  const plan = (ref: string | undefined, repo = sides.repo) => runPlan({ ...sides, repo, environment: shape, sync, log: context.log, ...(ref ? { ref } : {}) });
  if (!shape.stage) return { plan: await plan(options.ref) };
  if (options.ref !== undefined) throw new StageRefError(environment.name, shape.stage.promoteFrom);
  const promotion = await promotionOf(sides, environment.name, shape.stage);
  // The plan reads the remote as promotionOf fetched it, without a fetch of its own.
  const fetched = asFetched(sides.repo);
  return { promotion, ...(promotion.commit ? { plan: await plan(promotion.commit, fetched) } : {}) };
}

/** What an approved promotion of the stage would deploy (a plan shows it whether or not the stage waits for an approval). */
async function promotionOf(sides: Sides, name: string, stage: StageSettings): Promise<StagePlan['promotion']> {
  await sides.repo.fetch();
  const promotion = await stageCommit(sides.repo, name, stage, true);
  return { ...promotion, behind: await commitsBehind(sides.repo, name, promotion.commit) };
}

function promotionHead(name: string, promotion: StagePlan['promotion'], format: PlanCommandOptions['format']): string {
  const code = (text: string) => (format === 'markdown' ? `\`${text}\`` : text);
  if (!promotion.commit) return `${name} promotes from ${promotion.from}: nothing to deploy (${promotion.reason ?? ''})`;
  const brings = promotion.behind === 0 ? `${name} runs it already` : `${promotion.behind} commit${promotion.behind === 1 ? '' : 's'} ${name} does not run yet`;
  const approval = promotion.approval === 'manual' ? `; approval: manual (tmlsync promote --env ${name})` : '';
  return `${name} promotes from ${promotion.from}: commit ${code(promotion.commit.slice(0, 12))}, the last ${promotion.from} deployed successfully (${brings})${approval}`;
}
