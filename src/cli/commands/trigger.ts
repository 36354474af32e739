import { setTimeout as sleep } from 'node:timers/promises';
import type { RunRecord } from '../../sync/kernel/runs.js';
import { InvalidInputError } from '../../errors/index.js';
import type { ExitCode } from '../outcome.js';
import type { CommandContext } from '../context.js';

export interface TriggerCommandOptions {
  env?: string;
  url?: string;
  tokenEnv: string;
  wait?: boolean;
  timeout: string;
}

/**
 * `tmlsync trigger export|deploy|promote --env E --url URL`: asks a running daemon for
 * a run (the trigger API); with `--wait`, follows it and exits with its outcome.
 */
export async function triggerCommand(options: TriggerCommandOptions, args: string[], context: CommandContext): Promise<ExitCode> {
  const action = args[0];
  if (action !== 'export' && action !== 'deploy' && action !== 'promote') throw new InvalidInputError(`the action must be export, deploy or promote (got '${action ?? ''}')`);
  if (!options.env) throw new InvalidInputError('--env is required');
  if (!options.url) throw new InvalidInputError('--url is required (the daemon, e.g. http://tmlsync.internal:8787)');
  const token = context.io.env[options.tokenEnv];
  if (!token) throw new InvalidInputError(`the environment variable ${options.tokenEnv} (--token-env) holds no token`);
  context.redactor.add(token);
  const headers = { authorization: `Bearer ${token}`, accept: 'application/json' };
  const call = async (method: string, path: string) => {
    let res: Response;
    try {
      res = await fetch(new URL(path, options.url), { method, headers, signal: AbortSignal.timeout(30_000) });
    } catch (error) {
      throw new Error(`no tmlsync daemon answers at ${options.url} (${error instanceof Error ? error.message : String(error)})`);
    }
    const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    if (res.status === 401) throw new InvalidInputError(`the daemon refused the token in ${options.tokenEnv} (401)`);
    if (!res.ok) throw new InvalidInputError(`the daemon answered ${res.status}: ${typeof body.error === 'string' ? body.error : ''}`);
    return body;
  };
  const started = await call('POST', `/api/v1/environments/${encodeURIComponent(options.env)}/${action}`);
  const runId = String(started.runId);
  context.io.stdout.write(`${action} of ${options.env}: run ${runId}\n`);
  if (!options.wait) return 0;
  const deadline = Date.now() + Number(options.timeout) * 1000;
  for (;;) {
    const run = (await call('GET', `/api/v1/runs/${runId}`)) as unknown as RunRecord;
    if (run.status === 'ok' || run.status === 'failed') {
      const counts = run.counts ? Object.entries(run.counts).map(([k, v]) => `${v} ${k}`).join(', ') : '';
      context.io.stdout.write(`run ${runId}: ${run.status}${counts ? ` (${counts})` : ''}${run.error ? `: ${run.error}` : ''}\n`);
      return run.status === 'ok' ? 0 : 1;
    }
    if (Date.now() > deadline) throw new Error(`run ${runId} still ${run.status} after ${options.timeout} s`);
    await sleep(500);
  }
}
