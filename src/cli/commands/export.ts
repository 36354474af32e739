import { loadConfig, type EnvironmentConfig, type LoadedConfig } from '../../config/index.js';
import { clientFor, deployEnvironment, repoFor, thoughtspotPort, type Services } from '../../daemon/compose.js';
import { isTracked } from '../../git/index.js';
import { runExport } from '../../sync/export.js';
import { runDrift } from '../../sync/plan.js';
import { summaryLine, type RunReport } from '../../sync/report.js';
import { HostQueues } from '../../thoughtspot/index.js';
import { InvalidInputError, type ExitCode } from '../outcome.js';
import type { CommandContext } from '../program.js';
import type { ContentRepo, ThoughtSpotPort } from '../../sync/ports.js';

export interface ExportCommandOptions {
  config?: string;
  env?: string;
  dryRun?: boolean;
  format: 'text' | 'json';
}

/** Loads the configuration named by `--config` (or $TMLSYNC_CONFIG), refusing literal secrets in tracked files. */
export async function configFrom(options: { config?: string }, context: CommandContext): Promise<LoadedConfig> {
  const file = options.config ?? context.io.env.TMLSYNC_CONFIG;
  if (!file) throw new InvalidInputError('--config is required (or set TMLSYNC_CONFIG)');
  const tracked = await isTracked(file);
  const config = loadConfig(file, { env: context.io.env, isTracked: () => tracked });
  for (const e of config.environments) {
    context.redactor.add(e.password);
    context.redactor.add(e.secretKey);
  }
  context.redactor.add(config.server.webhookSecret);
  context.redactor.add(config.server.apiToken);
  return config;
}

/** The environments a command acts on: the one named, or every one whose direction is `loop`. */
export function environmentsFor(config: LoadedConfig, name: string | undefined, loop: 'export' | 'deploy' | 'sync'): EnvironmentConfig[] {
  if (name) {
    const found = config.environments.find((e) => e.name === name);
    if (!found) throw new InvalidInputError(`--env ${name}: no such environment in ${config.file} (has ${config.environments.map((e) => e.name).join(', ')})`);
    return [found];
  }
  return config.environments.filter((e) => e.direction === loop);
}

/** The process's services for one command: its logger and redactor, one queue registry for every client. */
export function servicesOf(context: CommandContext): Services {
  return { log: context.log, redactor: context.redactor, queues: new HostQueues(), env: context.io.env };
}

/**
 * Runs a workflow against one environment: its ThoughtSpot (a client logged
 * out however the work ends) and its working tree.
 */
export async function withEnvironment<T>(
  config: LoadedConfig, environment: EnvironmentConfig, services: Services,
  work: (sides: { thoughtspot: ThoughtSpotPort; repo: ContentRepo }) => Promise<T>,
): Promise<T> {
  const client = clientFor(environment, services);
  try {
    return await work({ thoughtspot: thoughtspotPort(client), repo: await repoFor(config, environment, services) });
  } finally {
    await client.logout().catch(() => undefined);
  }
}

/** One way only on a two-way environment would leave its ledgers out of step: such a run writes nothing or is refused. */
export function refuseOneWay(environments: EnvironmentConfig[], dryRun: boolean): void {
  const synced = environments.find((e) => e.direction === 'sync');
  if (synced && !dryRun) throw new InvalidInputError(`environment ${synced.name} is synced both ways (direction: sync): run tmlsync sync --env ${synced.name}`);
}

/** `tmlsync export`: one run of the export loop per environment; exit 1 if any object failed. */
export async function exportCommand(options: ExportCommandOptions, _args: string[], context: CommandContext): Promise<ExitCode> {
  const config = await configFrom(options, context);
  const environments = environmentsFor(config, options.env, 'export');
  if (environments.length === 0) throw new InvalidInputError(`no environment of ${config.file} exports; name one with --env`);
  const services = servicesOf(context);
  refuseOneWay(environments, options.dryRun === true);
  const deployed = environments.filter((e) => e.direction === 'deploy');
  if (deployed.length > 0) {
    // git is the source of truth there: an export only reports drift.
    if (!options.dryRun) throw new InvalidInputError(`environment ${deployed[0]!.name} is deployed from git (direction: deploy): export it with --dry-run to see drift`);
    return driftCommand(config, deployed, services, options, context);
  }
  const reports: RunReport[] = [];
  const terminal = (context.io.stderr as { isTTY?: boolean }).isTTY === true;
  for (const environment of environments) {
    const report = await withEnvironment(config, environment, services, (sides) =>
      runExport({
        ...sides,
        environment: environment.name,
        branch: environment.branch,
        committer: config.repository.committer,
        log: context.log,
        dryRun: options.dryRun === true,
        ...(terminal ? { onProgress: (done, total) => context.io.stderr.write(`\rexporting ${environment.name}: ${done}/${total}${done === total ? '\n' : ''}`) } : {}),
      }),
    );
    reports.push(report);
  }
  context.io.stdout.write(options.format === 'json' ? `${JSON.stringify(reports.length === 1 ? reports[0] : reports, null, 2)}\n` : `${reports.map(summaryLine).join('\n')}\n`);
  return reports.every((r) => r.outcome === 'ok') ? 0 : 1;
}

async function driftCommand(config: LoadedConfig, environments: EnvironmentConfig[], services: Services, options: ExportCommandOptions, context: CommandContext): Promise<ExitCode> {
  const results = [];
  for (const environment of environments) {
    results.push(await withEnvironment(config, environment, services, (sides) => runDrift({ ...sides, environment: deployEnvironment(environment), log: context.log })));
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
