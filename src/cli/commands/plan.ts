import { appendFileSync } from 'node:fs';
import { configFrom, environmentsFor, withEnvironment, workflowEnvironment } from '../../app/index.js';
import { InvalidInputError } from '../../errors/index.js';
import { planMarkdown, planText, runPlan } from '../../sync/plan.js';
import type { ExitCode } from '../outcome.js';
import { commandServices, type CommandContext } from '../context.js';

/** `tmlsync plan`: what a deploy of the ref would do, per object; writes nothing to ThoughtSpot. */
export async function planCommand(options: { config?: string; env?: string; ref?: string; format: 'text' | 'markdown' | 'json' }, _args: string[], context: CommandContext): Promise<ExitCode> {
  if (!options.env) throw new InvalidInputError('--env is required: a plan is against one environment');
  const services = commandServices(context);
  const config = await configFrom(options.config, services);
  const [environment] = environmentsFor(config, options.env, 'deploy');
  const sync = environment!.direction === 'sync';
  const plan = await withEnvironment(config, environment!, services, (sides) =>
    runPlan({ ...sides, environment: workflowEnvironment(environment!), sync, log: context.log, ...(options.ref ? { ref: options.ref } : {}) }),
  );
  const out = options.format === 'json' ? `${JSON.stringify(plan, null, 2)}\n` : options.format === 'markdown' ? planMarkdown(plan) : planText(plan);
  context.io.stdout.write(out);
  // Under GitHub Actions the plan also goes to the job summary.
  const summary = context.io.env.GITHUB_STEP_SUMMARY;
  if (summary) appendFileSync(summary, planMarkdown(plan));
  return 0;
}
