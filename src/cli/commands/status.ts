import { configFrom } from '../../app/index.js';
import { InvalidInputError } from '../../errors/index.js';
import type { EnvironmentStatus } from '../../server/http.js';
import { stageLine } from '../../sync/deploy/pipeline.js';
import type { ExitCode } from '../outcome.js';
import type { CommandContext } from '../context.js';

export function statusText(environments: EnvironmentStatus[]): string {
  return environments
    .map((e) => {
      const last = e.lastRun;
      const lastText = last
        ? `last ${last.loop} ${last.outcome} at ${last.startedAt} (${Object.entries(last.counts).map(([k, v]) => `${v} ${k}`).join(', ')})${last.error ? `: ${last.error}` : ''}${last.checks ? `, data checks ${last.checks.ok} ok, ${last.checks.empty} empty, ${last.checks.failed} failed` : ''}`
        : 'no run yet';
      const line = `${e.name} [${e.direction} → ${e.branch}]: ${e.running ? 'running' : 'idle'}${e.pending ? ', run pending' : ''}; ${lastText}${e.nextRun ? `; next ${e.nextRun}` : ''}${e.api ? `; REST API ${e.api}` : ''}`;
      return e.stage ? `${line}\n  pipeline: ${stageLine(e.name, e.stage)}` : line;
    })
    .join('\n');
}

/** `tmlsync status`: what a running daemon says on `/status`. */
export async function statusCommand(options: { config?: string; url?: string; format: 'text' | 'json' }, _args: string[], context: CommandContext): Promise<ExitCode> {
  let url = options.url;
  if (!url) {
    const config = await configFrom(options.config, { env: context.io.env, redactor: context.redactor });
    url = `http://${config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host}:${config.server.port}`;
  }
  let body: { environments: EnvironmentStatus[] };
  try {
    const res = await fetch(new URL('/status', url), { signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    body = (await res.json()) as typeof body;
  } catch (error) {
    throw new InvalidInputError(`no tmlsync daemon answers at ${url} (${error instanceof Error ? error.message : String(error)})`);
  }
  context.io.stdout.write(options.format === 'json' ? `${JSON.stringify(body, null, 2)}\n` : `${statusText(body.environments)}\n`);
  return 0;
}
