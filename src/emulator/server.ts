import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { silentLogger, type Logger } from '../log/index.js';
import type { EmulatorSettings, HandlerContext, Reply, Route } from './context.js';
import { CODE, errorBody, V1Error } from './errors.js';
import { Faults, type FaultOptions } from './faults.js';
import { parseCookies, readBody, readParams } from './request.js';
import { Sessions, TrustedTokens } from './sessions.js';
import type { EmulatorState } from './state.js';

export const API_PREFIX = '/callosum/v1/tspublic/v1/';

export interface ServerOptions extends FaultOptions {
  host?: string;
  port?: number;
  /** Largest request body accepted (413 beyond). */
  maxBodyBytes?: number;
  /** Reject requests without `X-Requested-By` (reference §1.2: required on all calls). */
  requireRequestedBy?: boolean;
  sessionTtlMs?: number;
  logger?: Logger;
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const DEFAULT_MAX_BODY = 64 * 1024 * 1024;

/**
 * The request chain, in this fixed order:
 *  1. fault injection (latency, dropped connections, 429, 5xx), from the knobs;
 *  2. routing: unknown path 404, known path with another method 405;
 *  3. the CSRF header: no `X-Requested-By` is a 400;
 *  4. body: size limit (413), encoding (415), parameters merged from query and body;
 *  5. session: `JSESSIONID` cookie or `Authorization: Bearer`, 401 without;
 *  6. the route's handler;
 *  7. the answer, with the headers a real server sends, and one log line.
 */
export async function startServer(
  routes: Route[],
  state: EmulatorState,
  settings: EmulatorSettings,
  options: ServerOptions = {},
): Promise<RunningServer> {
  const log = options.logger ?? silentLogger();
  const sessions = new Sessions(options.sessionTtlMs ?? 30 * 60 * 1000);
  const tokens = new TrustedTokens();
  const faults = new Faults(options);
  const byPath = new Map<string, Route[]>();
  for (const route of routes) byPath.set(route.path, [...(byPath.get(route.path) ?? []), route]);
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const requireRequestedBy = options.requireRequestedBy ?? true;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<Reply | 'dropped'> {
    const fault = await faults.before(req, res);
    if (fault) return fault;

    const url = new URL(req.url ?? '/', 'http://emulator.invalid');
    if (!url.pathname.startsWith(API_PREFIX)) throw new V1Error(404, CODE.notFound, `No such endpoint ${url.pathname}`);
    const candidates = byPath.get(url.pathname.slice(API_PREFIX.length).replace(/\/+$/, '')) ?? [];
    if (candidates.length === 0) throw new V1Error(404, CODE.notFound, `No such endpoint ${url.pathname}`);
    const route = candidates.find((r) => r.method === req.method);
    if (!route) throw new V1Error(405, CODE.invalidParameter, `Method ${req.method ?? ''} not allowed on ${url.pathname}`);

    if (requireRequestedBy && !req.headers['x-requested-by']) {
      throw new V1Error(400, CODE.invalidParameter, 'The X-Requested-By header is required');
    }

    const body = await readBody(req, maxBody);
    const params = await readParams(req, url, body, route.body);

    const context: HandlerContext = { params, state, sessions, tokens, settings, req, secure: false, log };
    if (route.auth === 'session') {
      const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
      const session = sessions.get(parseCookies(req.headers.cookie).get('JSESSIONID') ?? bearer);
      const user = session ? state.users.get(session.userName) : undefined;
      if (!session || !user) throw new V1Error(401, CODE.invalidParameter, 'Not authenticated: log in first (session/login)');
      context.session = session;
      context.user = user;
    }
    return route.handle(context);
  }

  const server: Server = createServer((req, res) => {
    const started = process.hrtime.bigint();
    const incidentId = randomUUID();
    const finish = (reply: Reply) => {
      const micros = Number((process.hrtime.bigint() - started) / 1000n);
      writeReply(res, reply, incidentId, micros);
      log.info({ method: req.method, path: req.url?.split('?')[0], status: reply.status, durationMs: Math.round(micros / 1000) }, 'request');
    };
    handle(req, res).then(
      (reply) => {
        if (reply === 'dropped') {
          log.info({ method: req.method, path: req.url?.split('?')[0], status: 0 }, 'request dropped');
          return;
        }
        finish(reply);
      },
      (error: unknown) => {
        if (error instanceof V1Error) {
          finish({ status: error.status, json: errorBody(error, incidentId) });
          // Drain what the client still sends (e.g. after a 413) so it reads our answer.
          req.resume();
          return;
        }
        log.error({ err: error, incidentId }, 'emulator handler failed');
        finish({ status: 500, json: errorBody(new V1Error(500, CODE.generic, 'Internal error'), incidentId) });
      },
    );
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** Headers of a real server's answers (reference §1.3). */
function writeReply(res: ServerResponse, reply: Reply, incidentId: string, micros: number): void {
  if (res.headersSent || res.destroyed) return;
  res.statusCode = reply.status;
  res.setHeader('server', 'ThoughtSpot');
  res.setHeader('cache-control', 'no-store, no-cache, must-revalidate, max-age=0');
  res.setHeader('pragma', 'no-cache');
  res.setHeader('x-callosum-incident-id', incidentId);
  res.setHeader('x-callosum-trace-id', incidentId);
  res.setHeader('x-callosum-request-time-us', String(micros));
  for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
  if (reply.cookies?.length) res.setHeader('set-cookie', reply.cookies);
  if (reply.status === 204) {
    res.end();
  } else if (reply.bytes) {
    res.setHeader('content-type', reply.contentType ?? 'application/octet-stream');
    res.end(reply.bytes);
  } else if (reply.text !== undefined) {
    res.setHeader('content-type', reply.contentType ?? 'text/plain; charset=utf-8');
    res.end(reply.text);
  } else {
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.end(JSON.stringify(reply.json ?? {}));
  }
}
