import { configFrom, untilSignal } from '../../app/index.js';
import type { ExitCode } from '../outcome.js';
import { commandServices, type CommandContext } from '../context.js';

/** `tmlsync daemon`: runs until SIGTERM, then lets the current runs finish. */
export async function daemonCommand(options: { config?: string }, _args: string[], context: CommandContext): Promise<ExitCode> {
  const services = commandServices(context);
  const config = await configFrom(options.config, services);
  // The service itself: this command and `demo` start it, and import nothing else of the daemon
  // (eslint.config.js); loaded here, not by every command (program.ts).
  const { Daemon } = await import('../../daemon/index.js');
  const daemon = new Daemon(config, services);
  const http = await daemon.start();
  context.io.stdout.write(`tmlsync daemon listening on ${http.url} (status: ${http.url}/status)\n`);
  const signal = await untilSignal();
  context.log.info({ signal }, 'stopping: letting running runs finish');
  await daemon.stop();
  return 0;
}
