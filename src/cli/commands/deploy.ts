import { configFrom, environmentsFor, refuseOneWay, withEnvironment, workflowEnvironment } from '../../app/index.js';
import { InvalidInputError } from '../../errors/index.js';
import { notifiedRun } from '../../notify/index.js';
import { checkLines } from '../../sync/deploy/checks.js';
import { runDeploy, type DeployReport } from '../../sync/deploy/deploy.js';
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
  const config = await configFrom(options.config, services);
  const [environment] = environmentsFor(config, options.env, 'deploy');
  refuseOneWay([environment!], options.dryRun === true);
  if (environment!.direction === 'export') throw new InvalidInputError(`environment ${environment!.name} is export-only (direction: export); it is not deployed to`);
  const progress = progressFor(context, `deploy ${environment!.name}`);
  const report = await notifiedRun(config.notifications, services, { environment: environment!.name, loop: 'deploy', dryRun: options.dryRun === true }, () =>
    withEnvironment(config, environment!, services, (sides) =>
      runDeploy({ ...sides, environment: workflowEnvironment(environment!), dryRun: options.dryRun === true, log: context.log, onProgress: progress?.imported, ...(options.ref ? { ref: options.ref } : {}) }),
    ),
  );
  progress?.end();
  context.io.stdout.write(options.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : `${deploySummary(report)}\n`);
  return report.outcome === 'ok' ? 0 : 1;
}
