import { servicesOf, type Services } from '../app/index.js';
import type { CommandContext } from './program.js';

/** The application layer's services for one command: its logger and redactor, its environment variables. */
export function commandServices(context: CommandContext): Services {
  return servicesOf({ log: context.log, redactor: context.redactor, env: context.io.env });
}
