import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { listenError } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import type { Loop, RunRecord } from '../sync/kernel/runs.js';
import type { Metrics } from './metrics.js';
import type { EnvironmentStatus } from './status.js';
import { bearerToken, mayReadPage, pageCookieHeader, sameSecret } from './page-auth.js';
import { PAGE_HEADERS, renderLoginPage, renderStatusPage, type StatusPageView } from './status-page.js';
import { validSignature } from './webhook.js';

/** GitHub caps payloads at 25 MB; a push of TML changes is far smaller. */
const WEBHOOK_BODY_LIMIT = 5 * 1024 * 1024;
/** The login form posts one token; anything longer is not one. */
const LOGIN_BODY_LIMIT = 4096;
/** How often the status page reloads itself, and how many recent runs it lists. */
const PAGE_REFRESH_SECONDS = 15;
const PAGE_RUNS = 20;

const MALFORMED_PATH = 'the path holds malformed percent-encoding (a % not followed by two hex digits of valid UTF-8)';

/** One path segment decoded; undefined when its percent-encoding is malformed (`%E0%A4%A`), a client's mistake, not a failure. */
function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The body, or undefined past the limit (the rest is drained, not kept). */
async function readLimited(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= limit) chunks.push(chunk);
  }
  return size > limit ? undefined : Buffer.concat(chunks);
}

export type { EnvironmentStatus } from './status.js';

export interface StatusSource {
  status(): EnvironmentStatus[];
}

/** What the trigger routes need of the daemon. */
export interface Triggers {
  /** The environments (the page shows each one's Org, when configured). */
  environments(): readonly { name: string; branch: string; direction: string; org?: string | number }[];
  request(name: string, loop: Loop, trigger: string): RunRecord | undefined;
  /** Approves and asks for the next run of a pipeline stage; undefined when the environment is not one. */
  promote?(name: string, trigger: string): Promise<RunRecord | undefined>;
  runs: { get(id: string): RunRecord | undefined; firstDelivery(id: string): boolean; recent?(limit: number): RunRecord[] };
}

export interface RunningHttp {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** What the daemon's HTTP surface serves. */
export interface HttpOptions {
  host: string;
  port: number;
  webhookSecret?: string;
  apiToken?: string;
  status: StatusSource;
  metrics: Metrics;
  log: Logger;
  daemon?: Triggers;
}

function send(res: ServerResponse, code: number, type: string, body: string): void {
  res.writeHead(code, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

function json(res: ServerResponse, code: number, body: unknown): void {
  send(res, code, 'application/json', `${JSON.stringify(body)}\n`);
}

/** One request, routed: the daemon's routes (webhook, trigger API) first, then the read-only ones. */
async function route(http: HttpOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  if (http.daemon && (await routeTriggers(http, http.daemon, path, req, res))) return;
  if (await routePage(http, path, req, res)) return;
  if (req.method !== 'GET') return send(res, 405, 'application/json', '{"error":"method not allowed"}');
  if (path === '/healthz') return send(res, 200, 'application/json', '{"status":"ok"}');
  if (path === '/status') return send(res, 200, 'application/json', `${JSON.stringify({ environments: http.status.status() }, null, 2)}\n`);
  if (path === '/metrics') return send(res, 200, http.metrics.contentType, await http.metrics.text());
  return send(res, 404, 'application/json', '{"error":"not found"}');
}

/** The webhook and the trigger API; false when the request is not theirs. */
async function routeTriggers(http: HttpOptions, daemon: Triggers, path: string, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  if (path === '/webhooks/github' && req.method === 'POST') {
    await webhook(http, daemon, req, res);
    return true;
  }
  const trigger = /^\/api\/v1\/environments\/([^/]+)\/(deploy|export|promote)$/.exec(path);
  if (trigger && req.method === 'POST') {
    if (authorized(http.apiToken, req)) await requestRun(daemon, trigger[1]!, trigger[2] as Loop | 'promote', res);
    else json(res, 401, { error: 'a bearer token is required' });
    return true;
  }
  const runPath = /^\/api\/v1\/runs\/([^/]+)$/.exec(path);
  if (runPath && req.method === 'GET') {
    if (authorized(http.apiToken, req)) showRun(daemon, runPath[1]!, res);
    else json(res, 401, { error: 'a bearer token is required' });
    return true;
  }
  return false;
}

/** `POST /api/v1/environments/{name}/{loop}` (or `/promote`, a pipeline stage's approval): a run requested (202), or why not. */
async function requestRun(daemon: Triggers, segment: string, loop: Loop | 'promote', res: ServerResponse): Promise<void> {
  const name = decodeSegment(segment);
  if (name === undefined) return json(res, 400, { error: MALFORMED_PATH });
  if (!daemon.environments().some((e) => e.name === name)) return json(res, 404, { error: `no environment ${name}` });
  const run = loop === 'promote' ? await daemon.promote?.(name, 'api promote') : daemon.request(name, loop, 'api');
  if (!run) return json(res, 409, { error: loop === 'promote' ? `environment ${name} is not a pipeline stage (it has no promoteFrom)` : `environment ${name} does not ${loop} (its direction forbids it)` });
  return json(res, 202, { runId: run.id, status: run.status });
}

/** `GET /api/v1/runs/{id}`. */
function showRun(daemon: Triggers, segment: string, res: ServerResponse): void {
  const id = decodeSegment(segment);
  if (id === undefined) return json(res, 400, { error: MALFORMED_PATH });
  const run = daemon.runs.get(id);
  return run ? json(res, 200, run) : json(res, 404, { error: 'no such run' });
}

/** The trigger API's bearer token, compared in constant time; without one configured the API is closed. */
function authorized(apiToken: string | undefined, req: IncomingMessage): boolean {
  const given = bearerToken(req);
  return apiToken !== undefined && given !== undefined && sameSecret(given, apiToken);
}

/**
 * The status page (`GET /`), its login (`POST /login`) and the run JSON it
 * links to (`GET /status/runs/{id}`); false when the request is not theirs.
 * With `server.apiToken` set, each needs the token: as `?token=` or through
 * the form once (then a cookie), or as a bearer token.
 */
async function routePage(http: HttpOptions, path: string, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  if (path === '/' && req.method === 'GET') {
    showPage(http, req, res);
    return true;
  }
  if (path === '/login' && req.method === 'POST') {
    await login(http, req, res);
    return true;
  }
  const runPath = /^\/status\/runs\/([^/]+)$/.exec(path);
  if (runPath && req.method === 'GET') {
    if (!mayReadPage(http.apiToken, req)) json(res, 401, { error: 'the API token is required' });
    else if (!http.daemon) json(res, 404, { error: 'no such run' });
    else showRun(http.daemon, runPath[1]!, res);
    return true;
  }
  return false;
}

function page(res: ServerResponse, code: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(code, { ...PAGE_HEADERS, ...headers });
  res.end(body);
}

/** `GET /`: the page; with `?token=` a right token becomes the cookie and the address loses it (it stays out of history). */
function showPage(http: HttpOptions, req: IncomingMessage, res: ServerResponse): void {
  const token = new URL(req.url ?? '/', 'http://daemon').searchParams.get('token');
  if (http.apiToken && token !== null) return signIn(http.apiToken, token, res);
  if (!mayReadPage(http.apiToken, req)) return page(res, 401, renderLoginPage(false));
  return page(res, 200, renderStatusPage(pageView(http)));
}

/** `POST /login` from the form: the token checked, then the page. */
async function login(http: HttpOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readLimited(req, LOGIN_BODY_LIMIT);
  if (!http.apiToken) return page(res, 303, '', { location: '/' });
  return signIn(http.apiToken, new URLSearchParams(body?.toString('utf8') ?? '').get('token') ?? '', res);
}

function signIn(apiToken: string, given: string, res: ServerResponse): void {
  if (!sameSecret(given, apiToken)) return page(res, 401, renderLoginPage(true));
  return page(res, 303, '', { location: '/', 'set-cookie': pageCookieHeader(apiToken) });
}

/** What the page shows: each environment's status with its Org, and the recent runs. */
function pageView(http: HttpOptions): StatusPageView {
  const orgs = new Map((http.daemon?.environments() ?? []).map((e) => [e.name, e.org]));
  const environments = http.status.status().map((e) => {
    const org = orgs.get(e.name);
    return org === undefined ? e : { ...e, org };
  });
  return { environments, runs: http.daemon?.runs.recent?.(PAGE_RUNS) ?? [], now: new Date(), refreshSeconds: PAGE_REFRESH_SECONDS };
}

/**
 * GitHub push events: verified first (401 and nothing else on a bad or
 * missing signature), run once per delivery, deploy the environments whose
 * branch was pushed; anything else is acknowledged (202) and ignored.
 */
async function webhook(http: HttpOptions, daemon: Triggers, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readLimited(req, WEBHOOK_BODY_LIMIT);
  if (!body) return json(res, 413, { error: `body over ${WEBHOOK_BODY_LIMIT} bytes` });
  if (!http.webhookSecret || !validSignature(http.webhookSecret, body, header(req, 'x-hub-signature-256'))) {
    http.log.warn({ delivery: header(req, 'x-github-delivery') }, 'webhook refused: bad or missing signature');
    return json(res, 401, { error: 'invalid signature' });
  }
  const event = header(req, 'x-github-event');
  const delivery = header(req, 'x-github-delivery') ?? '';
  if (event === 'ping') return json(res, 200, { ok: true });
  if (event !== 'push') return json(res, 202, { ignored: `event ${event ?? 'unknown'}` });
  if (delivery && !daemon.runs.firstDelivery(delivery)) return json(res, 202, { ignored: `delivery ${delivery} already handled` });
  const ref = pushedRef(body);
  if (ref === undefined) return json(res, 400, { error: 'the body is not JSON' });
  const runs = deployPushed(daemon, ref, delivery);
  http.log.info({ delivery, ref, runs: runs.map((r) => r.id) }, 'webhook push');
  if (runs.length === 0) return json(res, 202, { ignored: `no environment deploys ${ref}` });
  return json(res, 202, { runIds: runs.map((r) => r.id) });
}

/** The `ref` of a push event's body ('' without one), or undefined when the body is not JSON. */
function pushedRef(body: Buffer): string | undefined {
  try {
    const parsed = (JSON.parse(body.toString('utf8')) as { ref?: unknown }).ref;
    return typeof parsed === 'string' ? parsed : '';
  } catch {
    return undefined;
  }
}

/** A deploy of every environment that deploys (or syncs) the pushed branch. */
function deployPushed(daemon: Triggers, ref: string, delivery: string): RunRecord[] {
  const branch = ref.replace(/^refs\/heads\//, '');
  return daemon
    .environments()
    .filter((e) => e.branch === branch && ref.startsWith('refs/heads/') && (e.direction === 'deploy' || e.direction === 'sync'))
    .flatMap((e) => daemon.request(e.name, 'deploy', `webhook ${delivery}`) ?? []);
}

/**
 * The daemon's HTTP surface on bare `node:http` (as probot does): `/healthz`
 * answers at once, even during a run; `/status` and `/metrics` read state
 * the runs keep up to date; the webhook and the trigger API start runs.
 */
export async function startHttp(options: HttpOptions): Promise<RunningHttp> {
  const { log } = options;
  const server: Server = createServer((req, res) => {
    route(options, req, res).catch((error: unknown) => {
      log.error({ err: error }, 'daemon HTTP handler failed');
      if (!res.headersSent) send(res, 500, 'application/json', '{"error":"internal error"}');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => reject(listenError(error, options, 'server.host, server.port')));
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
