import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log/index.js';
import type { Metrics } from './metrics.js';

/** What the daemon shows of one environment on `/status`. */
export interface EnvironmentStatus {
  name: string;
  direction: string;
  branch: string;
  running: boolean;
  pending: boolean;
  nextRun?: string;
  lastRun?: {
    runId: string;
    loop: string;
    outcome: string;
    startedAt: string;
    durationMs: number;
    counts: Record<string, number>;
    error?: string;
  };
}

export interface StatusSource {
  status(): EnvironmentStatus[];
}

export interface RunningHttp {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * The daemon's HTTP surface on bare `node:http` (as probot does): `/healthz`
 * answers at once, even during a run; `/status` and `/metrics` read state
 * the runs keep up to date. Later routes (webhooks, trigger API) join here.
 */
export async function startHttp(options: { host: string; port: number; status: StatusSource; metrics: Metrics; log: Logger }): Promise<RunningHttp> {
  const { status, metrics, log } = options;
  const send = (res: ServerResponse, code: number, type: string, body: string) => {
    res.writeHead(code, { 'content-type': type, 'cache-control': 'no-store' });
    res.end(body);
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') return send(res, 405, 'application/json', '{"error":"method not allowed"}');
    if (path === '/healthz') return send(res, 200, 'application/json', '{"status":"ok"}');
    if (path === '/status') return send(res, 200, 'application/json', `${JSON.stringify({ environments: status.status() }, null, 2)}\n`);
    if (path === '/metrics') return send(res, 200, metrics.contentType, await metrics.text());
    return send(res, 404, 'application/json', '{"error":"not found"}');
  };
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log.error({ err: error }, 'daemon HTTP handler failed');
      if (!res.headersSent) send(res, 500, 'application/json', '{"error":"internal error"}');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host}:${port}`,
    port,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
