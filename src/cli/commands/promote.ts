import { configFrom, workflowEnvironment, environmentsFor } from '../../app/index.js';
import { InvalidInputError } from '../../errors/index.js';
import { runDeploy } from '../../sync/deploy/deploy.js';
import { approvePromotion, approver } from '../../sync/deploy/pipeline.js';
import type { ExitCode } from '../outcome.js';
import { commandServices, type CommandContext } from '../context.js';
import { notifiedDeploy } from './deploy.js';

export interface PromoteCommandOptions {
  config?: string;
  env?: string;
  dryRun?: boolean;
  format: 'text' | 'json';
}

/**
 * `tmlsync promote --env prod`: the approval of a pipeline stage (issue 13,
 * item 4): approves, in the remote, the commit its source (`promoteFrom`)
 * last deployed successfully, and deploys it into the stage, also when the
 * stage says `approval: manual`.
 * Exit codes as `deploy`; a source that has deployed nothing yet is 0, said.
 */
export async function promoteCommand(options: PromoteCommandOptions, _args: string[], context: CommandContext): Promise<ExitCode> {
  if (!options.env) throw new InvalidInputError('--env is required: promote deploys one pipeline stage');
  const services = commandServices(context);
  const config = await configFrom(options.config, services, options.env);
  const [environment] = environmentsFor(config, options.env, 'deploy');
  if (!environment!.promoteFrom) throw new InvalidInputError(`environment ${environment!.name} is not a pipeline stage (it has no promoteFrom): deploy it with tmlsync deploy --env ${environment!.name}`);
  const stage = workflowEnvironment(environment!);
  const run = { config, services, environment: environment!, label: `promote ${stage.name}`, dryRun: options.dryRun === true, format: options.format };
  return notifiedDeploy(run, context, async (sides, onProgress) => {
    const deploy = { ...sides, environment: stage, log: context.log, onProgress };
    // A dry run shows what the approval would promote, and writes none.
    if (options.dryRun) return runDeploy({ ...deploy, approved: true, dryRun: true });
    // The approval is kept in the remote first: a deploy that cannot run now (another holds the lock) leaves it to the next run, a daemon's too.
    const approved = await approvePromotion(sides.repo, stage.name, stage.stage!, approver('tmlsync promote'));
    context.log.info(approved, 'approved' in approved ? 'promotion approved' : 'nothing to approve');
    return runDeploy({ ...deploy, fetched: true });
  });
}
