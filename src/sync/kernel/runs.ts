/** A run as the daemon tracks it, from request to outcome (DESIGN.md "Concepts": run). */

export type Loop = 'export' | 'deploy' | 'sync';

export interface RunRecord {
  id: string;
  environment: string;
  loop: Loop;
  /** `standby`: another daemon on the same configuration held the environment's lease, and ran it. */
  status: 'queued' | 'running' | 'ok' | 'failed' | 'standby';
  /** What asked for it: `start`, `schedule`, `webhook <delivery>`, `api`. */
  trigger: string;
  requestedAt: string;
  startedAt?: string;
  finishedAt?: string;
  counts?: Record<string, number>;
  error?: string;
}
