import { servicesOf, type Services } from '../app/index.js';
import type { Logger, Redactor } from '../log/index.js';
import type { CliIo } from './io.js';
import type { ExitCode } from './outcome.js';

/** What every command receives: its IO, a logger, and the redactor that scrubs secrets from both. */
export interface CommandContext {
  io: CliIo;
  log: Logger;
  redactor: Redactor;
  /** Whether long runs print their progress on stderr (`wantsProgress`). */
  progress?: boolean;
}

export type CommandAction<O> = (options: O, args: string[], context: CommandContext) => Promise<ExitCode>;

/** The application layer's services for one command: its logger and redactor, its environment variables. */
export function commandServices(context: CommandContext): Services {
  return servicesOf({ log: context.log, redactor: context.redactor, env: context.io.env });
}
