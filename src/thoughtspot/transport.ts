import { readFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import tls from 'node:tls';
import { got, RequestError, TimeoutError, type Got } from 'got';
import { SessionCookieJar } from './cookie-jar.js';
import { ThoughtSpotNetworkError } from './errors.js';
import { CONNECT_TIMEOUT_MS } from './limits.js';
import { proxyFor, proxyRequest, type ProxyEnv } from './proxy.js';
import type { ApiEndpoint } from './api-endpoint.js';

/** Where the v1 API lives under a cluster's URL (reference §1.1). */
export const API_BASE_PATH = '/callosum/v1/tspublic/v1/';

export type Accept = 'json' | 'text' | 'pdf' | 'file';

/**
 * What each kind of call asks for. v1 (reference §1.2): TML and auth/token
 * are read as text, the PDF as bytes. v2 reads JSON, and a report as bytes
 * or, when it fails, a JSON error (SDK `ThoughtSpotRestApi.md`,
 * exportLiveboardReport: `Accept: application/octet-stream, application/json`).
 */
const ACCEPT: Record<Accept, string> = { json: 'application/json', text: 'text/plain', pdf: 'application/octet-stream', file: 'application/octet-stream, application/json' };

/** Parameters as ThoughtSpot reads them: strings, a list for a repeated name (runtime filter values); undefined is left out. */
export type Fields = Readonly<Record<string, string | readonly string[] | undefined>>;

/** A multipart part sent as a file (`user/sync`'s `principals`, reference §2.5). */
export interface FilePart {
  filename: string;
  contentType: string;
  content: string;
}

/**
 * One call as an endpoint function describes it. The body is one of four
 * encodings: v1's none (parameters in the query string, even on a POST),
 * urlencoded form fields or multipart parts (reference §0), or v2's JSON.
 */
export interface ApiRequest {
  endpoint: ApiEndpoint;
  /** The path under the API base when it is not the endpoint's name: one with a path parameter filled in. */
  path?: string;
  method: 'GET' | 'POST' | 'PUT';
  query?: Fields;
  form?: Fields;
  multipart?: Readonly<Record<string, string | FilePart | undefined>>;
  /** A JSON body (v2); keys whose value is undefined are left out. */
  json?: unknown;
  accept: Accept;
  /** Statuses that mean success for this endpoint. */
  success: readonly number[];
  /** Safe to send again after a 5xx or a network error: reads, and writes that change nothing when repeated. */
  idempotent: boolean;
  /** Never logs in first nor again on a 401: the calls that create a session, and logout. */
  anonymous?: boolean;
  /** Sent without the bearer token even when there is one: the call that issues tokens needs none. */
  withoutToken?: boolean;
  /** Queue priority of the first attempt (`QUEUE_PRIORITY` in limits.ts); normal when absent. */
  priority?: number;
  /**
   * Ends the call when it aborts: out of the queue if it waits there, the request closed if under
   * way, no retry after it; the call rejects with the signal's reason. Only for reads: a write
   * cut off mid-way would leave its outcome unknown. And for a login's own requests, which nobody
   * awaits once it is abandoned (ThoughtSpotHttp): a v2 probe token's revoke that it cuts off
   * leaves that token to expire by itself.
   */
  signal?: AbortSignal;
}

export interface ApiResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface TransportOptions {
  /** The cluster's URL, e.g. `https://my.thoughtspot.cloud` (a path prefix is kept). */
  url: string;
  /** Where the API lives under the cluster's URL: `API_BASE_PATH` (v1, the default) or `V2_BASE_PATH`. */
  basePath?: string;
  /**
   * The session's credential as an `Authorization` value (v2: `Bearer <token>`),
   * read for every request so that a renewed token is used at once.
   */
  authorization?: () => string | undefined;
  timeoutMs: number;
  userAgent: string;
  /** A PEM file of certificate authorities to trust besides Node's bundled ones. */
  caFile?: string;
  /** Where proxy variables are read; `process.env` by default. */
  env?: ProxyEnv;
  /** Keep the cookies the server sets and send them back (v1's session); true by default. */
  cookies?: boolean;
  /** Sees every cookie value the server sets (to register it as a secret). */
  onCookie?: (name: string, value: string) => void;
}

/** Failures after which the request certainly never reached ThoughtSpot: nothing was connected. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ERR_PROXY_CONNECT', 'ERR_PROXY_TIMEOUT']);
const CONNECT_PHASES = new Set(['lookup', 'connect', 'secureConnect']);

/**
 * The transport: one got instance per client, with the base URL, the headers
 * every call carries, the session's cookie jar (v1) or bearer token (v2),
 * deadlines, TLS and proxy settings. It sends one request and returns whatever status came back; got's
 * own retry is off and HTTP errors are not thrown, because retrying and
 * judging statuses belong to the caller (`http.ts`), which knows the
 * endpoint. Any got error leaves here as a `ThoughtSpotNetworkError`.
 */
export class Transport {
  readonly baseUrl: string;
  readonly cookies: SessionCookieJar;
  readonly proxy: URL | undefined;
  readonly #got: Got;
  readonly #authorization: (() => string | undefined) | undefined;

  constructor(options: TransportOptions) {
    const url = new URL(options.url);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError(`ThoughtSpot URL must be http(s): ${url.protocol}`);
    this.baseUrl = `${url.origin}${url.pathname.replace(/\/+$/, '')}${options.basePath ?? API_BASE_PATH}`;
    this.cookies = new SessionCookieJar(options.onCookie);
    this.proxy = proxyFor(url, options.env);
    this.#authorization = options.authorization;
    this.#got = got.extend({
      prefixUrl: this.baseUrl,
      headers: {
        'x-requested-by': 'ThoughtSpot',
        'user-agent': options.userAgent,
        // searchdata parses its keywords in en-US only (reference §1.2, §2.12).
        'accept-language': 'en-US',
      },
      // A bearer-token client keeps no cookies: a cookie session the server may set would outlive a revoked token.
      ...(options.cookies === false ? {} : { cookieJar: this.cookies }),
      timeout: { connect: Math.min(CONNECT_TIMEOUT_MS, options.timeoutMs), request: options.timeoutMs },
      retry: { limit: 0 },
      throwHttpErrors: false,
      // session/login/token answers a redirect unless told not to; a redirect is never what we asked for.
      followRedirect: false,
      ...(options.caFile ? { https: { certificateAuthority: readCertificateAuthorities(options.caFile) } } : {}),
      ...(this.proxy ? { request: proxyRequest(this.proxy, Math.min(CONNECT_TIMEOUT_MS, options.timeoutMs)) } : {}),
    });
  }

  async send(request: ApiRequest): Promise<ApiResponse> {
    const headers: Record<string, string> = { accept: ACCEPT[request.accept] };
    const authorization = request.withoutToken ? undefined : this.#authorization?.();
    if (authorization) headers.authorization = authorization;
    let body: string | FormData | undefined;
    if (request.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(request.json);
    } else if (request.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = searchParams(request.form).toString();
    } else if (request.multipart) {
      body = formData(request.multipart);
    }
    try {
      const response = await this.#got(request.path ?? request.endpoint, {
        method: request.method,
        searchParams: request.query ? searchParams(request.query) : undefined,
        headers,
        body,
        responseType: 'buffer',
        ...(request.signal ? { signal: request.signal } : {}),
      });
      return { status: response.statusCode, headers: response.headers, body: response.body };
    } catch (error) {
      if (request.signal?.aborted) throw request.signal.reason;
      throw networkError(request.endpoint, error);
    }
  }
}

/** Node's bundled roots plus the file's: a private CA for the cluster should not cut off public ones (a proxy, SSO). */
function readCertificateAuthorities(caFile: string): string[] {
  try {
    return [...tls.rootCertificates, readFileSync(caFile, 'utf8')];
  } catch (error) {
    throw new TypeError(`Cannot read caFile ${caFile}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function searchParams(fields: Fields): URLSearchParams {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    for (const item of typeof value === 'string' ? [value] : value) params.append(name, item);
  }
  return params;
}

/** Node's own FormData and Blob, which got encodes as multipart/form-data with a boundary. */
function formData(parts: NonNullable<ApiRequest['multipart']>): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(parts)) {
    if (value === undefined) continue;
    if (typeof value === 'string') form.append(name, value);
    else form.append(name, new Blob([value.content], { type: value.contentType }), value.filename);
  }
  return form;
}

function networkError(endpoint: ApiEndpoint, error: unknown): ThoughtSpotNetworkError {
  const code = error instanceof RequestError ? error.code : undefined;
  const timedOut = error instanceof TimeoutError;
  const neverConnected = (code !== undefined && NOT_SENT_CODES.has(code)) || (error instanceof TimeoutError && CONNECT_PHASES.has(error.event));
  // Only the message: got's error carries the request options, headers and body (the password, the cookies).
  const message = error instanceof Error ? error.message : String(error);
  return new ThoughtSpotNetworkError(endpoint, message, { code, timedOut, sent: !neverConnected });
}
