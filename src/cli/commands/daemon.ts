import { Daemon } from '../../daemon/index.js';
import { HostQueues } from '../../thoughtspot/index.js';
import type { ExitCode } from '../outcome.js';
import type { CommandContext } from '../program.js';
import { configFrom } from './export.js';

/** Resolves on the first SIGTERM or SIGINT. */
export function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (signal: string) => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      resolve(signal);
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}

/** `tmlsync daemon`: runs until SIGTERM, then lets the current runs finish. */
export async function daemonCommand(options: { config?: string }, _args: string[], context: CommandContext): Promise<ExitCode> {
  const config = await configFrom(options, context);
  const daemon = new Daemon(config, { log: context.log, redactor: context.redactor, queues: new HostQueues(), env: context.io.env });
  const http = await daemon.start();
  context.io.stdout.write(`tmlsync daemon listening on ${http.url} (status: ${http.url}/status)\n`);
  const signal = await untilSignal();
  context.log.info({ signal }, 'stopping: letting running runs finish');
  await daemon.stop();
  return 0;
}
