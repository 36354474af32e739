import { configFrom, environmentsFor, refuseOneWay, withEnvironment, workflowEnvironment, type Services } from '../../app/index.js';
import type { EnvironmentConfig, LoadedConfig } from '../../config/index.js';
import { InvalidInputError } from '../../errors/index.js';
import { notifiedRun } from '../../notify/index.js';
import { runExport } from '../../sync/export/export.js';
import { runDrift } from '../../sync/plan.js';
import { summaryLine, type RunReport } from '../../sync/kernel/report.js';
import type { ExitCode } from '../outcome.js';
import { commandServices, type CommandContext } from '../context.js';
import { progressFor } from '../progress.js';

export interface ExportCommandOptions {
  config?: string;
  env?: string;
  dryRun?: boolean;
  full?: boolean;
  format: 'text' | 'json';
}

/** `tmlsync export`: one run of the export loop per environment; exit 1 if any object failed. */
export async function exportCommand(options: ExportCommandOptions, _args: string[], context: CommandContext): Promise<ExitCode> {
  const services = commandServices(context);
  const config = await configFrom(options.config, services, options.env);
  const environments = environmentsFor(config, options.env, 'export');
  if (environments.length === 0) throw new InvalidInputError(`no environment of ${config.file} exports; name one with --env`);
  refuseOneWay(environments, options.dryRun === true);
  const deployed = environments.filter((e) => e.direction === 'deploy');
  if (deployed.length > 0) {
    // git is the source of truth there: an export only reports drift.
    if (!options.dryRun) throw new InvalidInputError(`environment ${deployed[0]!.name} is deployed from git (direction: deploy): export it with --dry-run to see drift`);
    return driftCommand(config, deployed, services, options, context);
  }
  const reports: RunReport[] = [];
  for (const environment of environments) {
    const progress = progressFor(context, `export ${environment.name}`);
    const report = await notifiedRun(config.notifications, services, { environment: environment.name, loop: 'export', dryRun: options.dryRun === true }, () =>
      withEnvironment(config, environment, services, (sides) =>
        runExport({
          ...sides,
          environment: workflowEnvironment(environment),
          committer: config.repository.committer,
          log: context.log,
          dryRun: options.dryRun === true,
          full: options.full === true,
          onProgress: progress?.exported,
        }),
      ),
    );
    progress?.end();
    reports.push(report);
  }
  context.io.stdout.write(options.format === 'json' ? `${JSON.stringify(reports.length === 1 ? reports[0] : reports, null, 2)}\n` : `${reports.map(summaryLine).join('\n')}\n`);
  return reports.every((r) => r.outcome === 'ok') ? 0 : 1;
}

async function driftCommand(config: LoadedConfig, environments: EnvironmentConfig[], services: Services, options: ExportCommandOptions, context: CommandContext): Promise<ExitCode> {
  const results = [];
  for (const environment of environments) {
    results.push(await withEnvironment(config, environment, services, (sides) => runDrift({ ...sides, environment: workflowEnvironment(environment), log: context.log })));
  }
  if (options.format === 'json') {
    context.io.stdout.write(`${JSON.stringify(results.length === 1 ? results[0] : results, null, 2)}\n`);
  } else {
    for (const r of results) {
      context.io.stdout.write(`drift in ${r.environment} against ${r.commit ? r.commit.slice(0, 12) : 'nothing deployed yet'}: ${r.drift.length} of ${r.checked} objects\n`);
      for (const d of r.drift) context.io.stdout.write(`  ${d.state} ${d.kind} "${d.name}" (${d.path})${d.fields.length ? `: ${d.fields.join(', ')}` : ''}\n`);
    }
  }
  return 0;
}
