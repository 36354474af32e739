import { configFrom, environmentsFor, withEnvironment, workflowEnvironment } from '../../app/index.js';
import { InvalidInputError } from '../../errors/index.js';
import { notifiedRun } from '../../notify/index.js';
import { summaryLine } from '../../sync/kernel/report.js';
import { runSync, type ConflictPolicy, type SyncReport } from '../../sync/sync/sync.js';
import type { ExitCode } from '../outcome.js';
import { commandServices, type CommandContext } from '../context.js';
import { progressFor } from '../progress.js';

export interface SyncCommandOptions {
  config?: string;
  env?: string;
  policy?: ConflictPolicy;
  dryRun?: boolean;
  format: 'text' | 'json';
}

export function syncSummary(report: SyncReport): string {
  const lines = [summaryLine(report)];
  for (const o of report.objects.filter((x) => x.outcome === 'failed')) lines.push(`  failed ${o.kind} "${o.name}" (${o.path ?? o.id}): ${o.error ?? ''}`);
  for (const c of report.conflicts) lines.push(`  conflict ${c.kind} "${c.name}" (${c.path}): ${c.git} in git, ${c.thoughtspot} in ThoughtSpot; ${c.resolution}`);
  if (report.conflictsBranch) lines.push(`  ThoughtSpot's side of the conflicts is on branch ${report.conflictsBranch}`);
  if (report.error) lines.push(`  error: ${report.error}`);
  return lines.join('\n');
}

/**
 * `tmlsync sync`: one run of a `sync` environment, both ways. Exit 0 when in
 * step, 1 when something failed or a conflict is left for a person.
 */
export async function syncCommand(options: SyncCommandOptions, _args: string[], context: CommandContext): Promise<ExitCode> {
  if (!options.env) throw new InvalidInputError('--env is required: sync works on one environment');
  const services = commandServices(context);
  const config = await configFrom(options.config, services, options.env);
  const [environment] = environmentsFor(config, options.env, 'sync');
  if (environment!.direction !== 'sync') throw new InvalidInputError(`environment ${environment!.name} has direction ${environment!.direction}; sync is for direction: sync (use export or deploy)`);
  const target = workflowEnvironment(environment!);
  const progress = progressFor(context, `sync ${environment!.name}`);
  const report = await notifiedRun(config.notifications, services, { environment: environment!.name, loop: 'sync', dryRun: options.dryRun === true }, () =>
    withEnvironment(config, environment!, services, (sides) =>
      runSync({
        ...sides,
        environment: options.policy ? { ...target, conflicts: options.policy } : target,
        committer: config.repository.committer,
        log: context.log,
        dryRun: options.dryRun === true,
        progress: { imported: progress?.imported, exported: progress?.exported },
      }),
    ),
  );
  progress?.end();
  context.io.stdout.write(options.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : `${syncSummary(report)}\n`);
  return report.outcome === 'ok' && !report.conflicts.some((c) => c.resolution === 'kept both') ? 0 : 1;
}
