import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { listenError } from '../errors/index.js';
import { silentLogger, type Logger } from '../log/index.js';
import { API_VERSIONS, type ApiVersion, type EmulatorSettings, type HandlerContext, type Reply, type Route } from './context.js';
import { CODE, ERROR_BODIES, V1Error } from './errors.js';
import { Faults, type FaultOptions } from './faults.js';
import { JsonBody, readJsonBody } from './json-body.js';
import { Params } from './params.js';
import { parseCookies, readBody, readParams } from './request.js';
import { BearerTokens, Sessions, TrustedTokens } from './sessions.js';
import type { EmulatorInstance } from './state.js';

export const API_PREFIX = '/callosum/v1/tspublic/v1/';
export const API_V2_PREFIX = '/api/rest/2.0/';
const PREFIXES: Record<ApiVersion, string> = { v1: API_PREFIX, v2: API_V2_PREFIX };

export interface ServerOptions extends FaultOptions {
  host?: string;
  port?: number;
  /** Largest request body accepted (413 beyond). */
  maxBodyBytes?: number;
  /** Reject requests without `X-Requested-By` (reference §1.2: required on all calls). */
  requireRequestedBy?: boolean;
  /** Idle cookie sessions end after this; when set, it also caps every v2 bearer token's lifetime. */
  sessionTtlMs?: number;
  /** `--api`: the API versions served; a path of another one is a 404, as on an instance without it. Both by default. */
  apis?: readonly ApiVersion[];
  logger?: Logger;
  /** What chose the address, as a port in use names it (default the emulator command's `--host, --port`; the demo: the environment's url). */
  addressSetting?: string;
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const DEFAULT_MAX_BODY = 64 * 1024 * 1024;

/**
 * The request chain, in this fixed order, the same for both API versions;
 * each error is answered with the body of the version of the path asked for:
 *  1. fault injection (latency, dropped connections, 429, 5xx), from the knobs;
 *  2. routing: the API version by prefix (one not served is a 404), unknown
 *     path 404, known path with another method 405;
 *  3. the CSRF header (v1 only): no `X-Requested-By` is a 400;
 *  4. body: size limit (413), encoding (415); v1 parameters merged from query
 *     and body, the v2 JSON body read as it is;
 *  5. authentication: a `JSESSIONID` cookie, or `Authorization: Bearer` with
 *     a v1 session id or a v2 token (either version's routes take either:
 *     one user, one state), 401 without; the session's or token's Org becomes
 *     the state the handler sees (a deleted Org, or a user no longer in it, is a 401);
 *  6. the route's handler;
 *  7. the answer, with the headers a real server sends, and one log line.
 */
export async function startServer(
  routes: Route[],
  instance: EmulatorInstance,
  settings: EmulatorSettings,
  options: ServerOptions = {},
): Promise<RunningServer> {
  const chain = requestChain(routes, instance, settings, options);
  const server = createServer((req, res) => serve(chain, req, res));
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => reject(listenError(error, { host, port: options.port ?? 0 }, options.addressSetting ?? 'the emulator\'s --host, --port')));
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
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

/** What every request goes through: the server's sessions, tokens, fault knobs and route tables, and steps 1–6 of the chain. */
interface RequestChain {
  log: Logger;
  handle(req: IncomingMessage, res: ServerResponse, api: ApiVersion): Promise<Reply | 'dropped'>;
}

function requestChain(routes: Route[], instance: EmulatorInstance, settings: EmulatorSettings, options: ServerOptions): RequestChain {
  const log = options.logger ?? silentLogger();
  const sessions = new Sessions(options.sessionTtlMs ?? 30 * 60 * 1000);
  const tokens = new TrustedTokens();
  const bearerTokens = new BearerTokens(options.sessionTtlMs);
  const faults = new Faults(options);
  const served = new Set(options.apis ?? API_VERSIONS);
  const tables = new Map(API_VERSIONS.map((api) => [api, routeTable(routes.filter((r) => (r.api ?? 'v1') === api && served.has(api)))]));
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const requireRequestedBy = options.requireRequestedBy ?? true;

  async function handle(req: IncomingMessage, res: ServerResponse, api: ApiVersion): Promise<Reply | 'dropped'> {
    const fault = await faults.before(req, res, (error) => ERROR_BODIES[api](error));
    if (fault) return fault;

    const url = new URL(req.url ?? '/', 'http://emulator.invalid');
    if (!url.pathname.startsWith(PREFIXES[api])) throw new V1Error(404, CODE.notFound, `No such endpoint ${url.pathname}`);
    const { route, pathParams } = tables.get(api)!.find(req.method ?? 'GET', url.pathname.slice(PREFIXES[api].length).replace(/\/+$/, ''), url.pathname);

    if (api === 'v1' && requireRequestedBy && !req.headers['x-requested-by']) {
      throw new V1Error(400, CODE.invalidParameter, 'The X-Requested-By header is required');
    }

    const raw = await readBody(req, maxBody);
    const v2 = route.body === 'json';
    const params = v2 ? new Params(url.searchParams.entries()) : await readParams(req, url, raw, route.body);
    const body = v2 ? readJsonBody(req, raw) : JsonBody.empty();

    const context: HandlerContext = { params, body, pathParams, state: instance.primary, instance, sessions, tokens, bearerTokens, settings, req, secure: false, log };
    if (route.auth === 'session') authenticate(context, sessions, bearerTokens, instance);
    return route.handle(context);
  }
  return { log, handle };
}

/** Step 5: a cookie session, or a bearer token (a v1 session id or a v2 token); its Org becomes the state the handler sees. */
function authenticate(context: HandlerContext, sessions: Sessions, bearerTokens: BearerTokens, instance: EmulatorInstance): void {
  const { req } = context;
  const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
  const session = sessions.get(parseCookies(req.headers.cookie).get('JSESSIONID') ?? bearer);
  const token = session ? undefined : bearerTokens.get(bearer);
  const userName = session?.userName ?? token?.userName;
  const orgState = instance.orgs.get(session?.orgId ?? token?.orgId ?? -1);
  const user = userName === undefined ? undefined : orgState?.users.get(userName);
  if (!user || !orgState) throw new V1Error(401, CODE.invalidParameter, 'Not authenticated: log in first, or the token has expired or was revoked');
  if (session) context.session = session;
  if (token) context.token = token;
  context.state = orgState;
  context.user = user;
}

/** Step 7: one request through the chain, answered (errors in the body of the version asked for) and logged once. */
function serve(chain: RequestChain, req: IncomingMessage, res: ServerResponse): void {
  const { log } = chain;
  const started = process.hrtime.bigint();
  const incidentId = randomUUID();
  const finish = (reply: Reply) => {
    const micros = Number((process.hrtime.bigint() - started) / 1000n);
    writeReply(res, reply, incidentId, micros);
    log.info({ method: req.method, path: req.url?.split('?')[0], status: reply.status, durationMs: Math.round(micros / 1000) }, 'request');
  };
  const api = apiOf(req.url ?? '/');
  chain.handle(req, res, api).then(
    (reply) => {
      if (reply === 'dropped') {
        log.info({ method: req.method, path: req.url?.split('?')[0], status: 0 }, 'request dropped');
        return;
      }
      finish(reply);
    },
    (error: unknown) => {
      if (error instanceof V1Error) {
        finish({ status: error.status, json: ERROR_BODIES[api](error, incidentId) });
        // Drain what the client still sends (e.g. after a 413) so it reads our answer.
        req.resume();
        return;
      }
      log.error({ err: error, incidentId }, 'emulator handler failed');
      finish({ status: 500, json: ERROR_BODIES[api](new V1Error(500, CODE.generic, 'Internal error'), incidentId) });
    },
  );
}

/** The API version a path asks for: by prefix; anything else answers as v1 does (a 404 with its body). */
function apiOf(path: string): ApiVersion {
  return path.startsWith(API_V2_PREFIX) ? 'v2' : 'v1';
}

interface RouteTable {
  /** The route for a path below the prefix (`full` names the request in errors): 404 for none, 405 for another method. */
  find(method: string, path: string, full: string): { route: Route; pathParams: Record<string, string> };
}

/** Exact paths by lookup; paths with `{name}` segments by matching, segment by segment. */
function routeTable(routes: Route[]): RouteTable {
  const exact = new Map<string, Route[]>();
  const patterns: { segments: string[]; route: Route }[] = [];
  for (const route of routes) {
    if (route.path.includes('{')) patterns.push({ segments: route.path.split('/'), route });
    else exact.set(route.path, [...(exact.get(route.path) ?? []), route]);
  }
  const matchPattern = (path: string): { candidates: Route[]; pathParams: Record<string, string> } => {
    const parts = path.split('/');
    const candidates: Route[] = [];
    let pathParams: Record<string, string> = {};
    for (const { segments, route } of patterns) {
      if (segments.length !== parts.length) continue;
      const values: Record<string, string> = {};
      const matches = segments.every((segment, i) => {
        if (segment.startsWith('{') && segment.endsWith('}')) {
          values[segment.slice(1, -1)] = decodeURIComponent(parts[i]!);
          return parts[i] !== '';
        }
        return segment === parts[i];
      });
      if (matches) {
        candidates.push(route);
        pathParams = values;
      }
    }
    return { candidates, pathParams };
  };
  return {
    find(method, path, full) {
      const direct = exact.get(path);
      const { candidates, pathParams } = direct ? { candidates: direct, pathParams: {} } : matchPattern(path);
      if (candidates.length === 0) throw new V1Error(404, CODE.notFound, `No such endpoint ${full}`);
      const route = candidates.find((r) => r.method === method);
      if (!route) throw new V1Error(405, CODE.invalidParameter, `Method ${method} not allowed on ${full}`);
      return { route, pathParams };
    },
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
