import { configFrom, connect, environmentsFor, withSession } from '../../app/index.js';
import { InvalidInputError } from '../../errors/index.js';
import { objIdText, runAssignObjIds } from '../../sync/obj-ids.js';
import type { ExitCode } from '../outcome.js';
import { commandServices, type CommandContext } from '../context.js';

export interface AssignObjIdsCommandOptions {
  config?: string;
  env?: string;
  dryRun?: boolean;
  format: 'text' | 'json';
}

/** `tmlsync assign-obj-ids`: gives the objects of an environment that have no obj_id one (src/sync/obj-ids.ts has the rule). */
export async function assignObjIdsCommand(options: AssignObjIdsCommandOptions, _args: string[], context: CommandContext): Promise<ExitCode> {
  if (!options.env) throw new InvalidInputError('--env is required: object ids are assigned in one environment');
  const services = commandServices(context);
  const config = await configFrom(options.config, services, options.env);
  const [environment] = environmentsFor(config, options.env, 'export');
  const report = await withSession(connect(environment!, services), (connection) =>
    runAssignObjIds({ environment: environment!.name, thoughtspot: connection.port, dryRun: options.dryRun === true, log: context.log }),
  );
  context.io.stdout.write(options.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : objIdText(report));
  return 0;
}
