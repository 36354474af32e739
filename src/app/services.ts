import type { Logger, Redactor } from '../log/index.js';
import { HostQueues, type CallResult } from '../thoughtspot/index.js';

/** What the process that runs tmlsync (a CLI command, the daemon) hands the application layer. */
export interface Host {
  log: Logger;
  redactor: Redactor;
  env: NodeJS.ProcessEnv;
}

/** What composing needs from the process: one logger, one redactor, one queue registry. */
export interface Services extends Host {
  queues: HostQueues;
  /** Told the outcome of every ThoughtSpot call (the daemon counts them). */
  onApiCall?: (endpoint: string, result: CallResult) => void;
}

/** The process's services: its logger and redactor, and one queue registry for every client it makes (one queue per host). */
export function servicesOf(host: Host): Services {
  return { log: host.log, redactor: host.redactor, env: host.env, queues: new HostQueues() };
}
