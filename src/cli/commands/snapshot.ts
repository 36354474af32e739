import { resolve } from 'node:path';
import { configFrom, environmentsFor, withEnvironment } from '../../app/index.js';
import { InvalidInputError } from '../../errors/index.js';
import { runSnapshot, snapshotText } from '../../sync/snapshot.js';
import type { ExitCode } from '../outcome.js';
import { commandServices, type CommandContext } from '../context.js';

export interface SnapshotCommandOptions {
  config?: string;
  env?: string;
  changedSince?: string;
  out?: string;
  format: 'text' | 'json';
}

/** `tmlsync snapshot`: a PDF of each (changed) liveboard of an environment; 1 when any export failed. */
export async function snapshotCommand(options: SnapshotCommandOptions, _args: string[], context: CommandContext): Promise<ExitCode> {
  if (!options.env) throw new InvalidInputError('--env is required: liveboards are rendered by one environment');
  if (!options.out) throw new InvalidInputError('--out is required: the folder the PDFs are written to');
  const services = commandServices(context);
  const config = await configFrom(options.config, services, options.env);
  const [environment] = environmentsFor(config, options.env, 'deploy');
  const out = resolve(options.out);
  const report = await withEnvironment(config, environment!, services, (sides) =>
    runSnapshot({
      ...sides,
      environment: { name: environment!.name, branch: environment!.branch, direction: environment!.direction },
      out,
      log: context.log,
      ...(options.changedSince ? { changedSince: options.changedSince } : {}),
    }),
  );
  context.io.stdout.write(options.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : snapshotText(report));
  return report.snapshots.some((s) => s.error) ? 1 : 0;
}
