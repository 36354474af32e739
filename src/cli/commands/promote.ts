import { configFrom, workflowEnvironment, environmentsFor, withEnvironment } from '../../app/index.js';
import { InvalidInputError } from '../../errors/index.js';
import { runDeploy } from '../../sync/deploy/deploy.js';
import type { ExitCode } from '../outcome.js';
import { commandServices, type CommandContext } from '../context.js';
import { deploySummary } from './deploy.js';

export interface PromoteCommandOptions {
  config?: string;
  env?: string;
  dryRun?: boolean;
  format: 'text' | 'json';
}

/**
 * `tmlsync promote --env prod`: the approval of a pipeline stage (issue 13,
 * item 4): deploys into it the commit its source (`promoteFrom`) last
 * deployed successfully, also when the stage says `approval: manual`.
 * Exit codes as `deploy`; a source that has deployed nothing yet is 0, said.
 */
export async function promoteCommand(options: PromoteCommandOptions, _args: string[], context: CommandContext): Promise<ExitCode> {
  if (!options.env) throw new InvalidInputError('--env is required: promote deploys one pipeline stage');
  const services = commandServices(context);
  const config = await configFrom(options.config, services);
  const [environment] = environmentsFor(config, options.env, 'deploy');
  if (!environment!.promoteFrom) throw new InvalidInputError(`environment ${environment!.name} is not a pipeline stage (it has no promoteFrom): deploy it with tmlsync deploy --env ${environment!.name}`);
  const report = await withEnvironment(config, environment!, services, (sides) =>
    runDeploy({ ...sides, environment: workflowEnvironment(environment!), approved: true, dryRun: options.dryRun === true, log: context.log }),
  );
  context.io.stdout.write(options.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : `${deploySummary(report)}\n`);
  return report.outcome === 'ok' ? 0 : 1;
}
