import { configFrom, environmentsFor, refuseOneWay, withEnvironment, workflowEnvironment, type Services, type Sides } from '../../app/index.js';
import type { EnvironmentConfig, LoadedConfig } from '../../config/index.js';
import { InvalidInputError } from '../../errors/index.js';
import { notifiedRun } from '../../notify/index.js';
import { checkLines } from '../../sync/deploy/checks.js';
import { runDeploy, type DeployReport } from '../../sync/deploy/deploy.js';
import type { DeployOptions } from '../../sync/deploy/types.js';
import { ownershipLines } from '../../sync/deploy/ownership.js';
import { promotionLine } from '../../sync/deploy/pipeline.js';
import { principalsText } from '../../sync/deploy/principals.js';
import { summaryLine } from '../../sync/kernel/report.js';
import type { ExitCode } from '../outcome.js';
import { commandServices, type CommandContext } from '../context.js';
import { progressFor } from '../progress.js';

export interface DeployCommandOptions {
  config?: string;
  env?: string;
  ref?: string;
  dryRun?: boolean;
  format: 'text' | 'json';
}

export function deploySummary(report: DeployReport): string {
  const lines = [...(report.promotion ? [promotionLine(report.environment, report.promotion)] : []), `${summaryLine(report)}${report.commit ? ` (commit ${report.commit.slice(0, 12)})` : ''}`];
  for (const o of report.objects.filter((x) => x.outcome === 'failed')) lines.push(`  failed ${o.kind} "${o.name}" (${o.path ?? o.id}): ${o.error ?? ''}`);
  for (const path of report.drift) lines.push(`  warning: ${path} differs when exported back`);
  for (const o of report.objects.filter((x) => x.outcome === 'deleted')) lines.push(`  ${report.dryRun ? 'would delete' : 'deleted'} ${o.kind} "${o.name}" (${o.path ?? o.id})`);
  for (const k of report.prune?.kept ?? []) lines.push(`  ${k.kind} "${k.name}" (${k.path}) ${k.reason}`);
  const backup = report.prune?.backup;
  if (backup) lines.push(`  TML of the deleted objects saved to ${backup.ref}${backup.commit ? ` (${backup.commit.slice(0, 12)})` : ''} in the remote`);
  lines.push(...principalsText(report.principals));
  lines.push(...ownershipLines(report.ownership ?? []), ...checkLines(report.checks ?? []));
  return lines.join('\n');
}

/** `tmlsync deploy`: one run of the deploy loop; 0 ok, 1 something failed, 2 stopped at the gate. */
export async function deployCommand(options: DeployCommandOptions, _args: string[], context: CommandContext): Promise<ExitCode> {
  if (!options.env) throw new InvalidInputError('--env is required: deploy writes into one environment');
  const services = commandServices(context);
  const config = await configFrom(options.config, services, options.env);
  const [environment] = environmentsFor(config, options.env, 'deploy');
  refuseOneWay([environment!], options.dryRun === true);
  if (environment!.direction === 'export') throw new InvalidInputError(`environment ${environment!.name} is export-only (direction: export); it is not deployed to`);
  const run = { config, services, environment: environment!, label: `deploy ${environment!.name}`, dryRun: options.dryRun === true, format: options.format };
  return notifiedDeploy(run, context, (sides, onProgress) =>
    runDeploy({ ...sides, environment: workflowEnvironment(environment!), dryRun: options.dryRun === true, log: context.log, onProgress, ...(options.ref ? { ref: options.ref } : {}) }),
  );
}

/** What a command's deploy runs against, and how it is shown. */
export interface CommandDeploy {
  config: LoadedConfig;
  services: Services;
  environment: EnvironmentConfig;
  /** What its progress lines start with: `deploy prod`, `promote prod`. */
  label: string;
  dryRun: boolean;
  format: 'text' | 'json';
}

/**
 * A deploy as `deploy` and `promote` run one: notified as the configuration says, its progress
 * shown, against the environment's ThoughtSpot and work tree, its summary (or JSON report) on
 * stdout. 0 ok, 1 something failed (a gate's exit 2 is thrown).
 */
export async function notifiedDeploy(run: CommandDeploy, context: CommandContext, deploy: (sides: Sides, onProgress: DeployOptions['onProgress']) => Promise<DeployReport>): Promise<ExitCode> {
  const { config, services, environment } = run;
  const progress = progressFor(context, run.label);
  const report = await notifiedRun(config.notifications, services, { environment: environment.name, loop: 'deploy', dryRun: run.dryRun }, () =>
    withEnvironment(config, environment, services, (sides) => deploy(sides, progress?.imported)),
  );
  progress?.end();
  context.io.stdout.write(run.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : `${deploySummary(report)}\n`);
  return report.outcome === 'ok' ? 0 : 1;
}
