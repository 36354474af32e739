import type { IncomingMessage } from 'node:http';
import type { Logger } from '../log/index.js';
import type { JsonBody } from './json-body.js';
import type { Params } from './params.js';
import type { UserRecord } from './principals.js';
import type { BodyEncoding } from './request.js';
import type { BearerToken, BearerTokens, Session, Sessions, TrustedTokens } from './sessions.js';
import type { EmulatorInstance, EmulatorState } from './state.js';

export interface EmulatorSettings {
  /** `--trusted-auth-secret`: without one, `session/auth/token` answers 500 as on an instance without trusted auth. */
  trustedAuthSecret?: string;
  /** `--guid-policy`: `keep` a document's unknown GUID on create (8.10.0.cl+), or `regenerate` it. */
  guidPolicy: 'keep' | 'regenerate';
  /**
   * Visualizations (by name) whose data queries fail, as they do when the
   * warehouse rejects the SQL behind them (a dropped table or column): a
   * fault for tests of the data checks after a deploy.
   */
  failingVisualizations?: readonly string[];
}

/** The REST API versions the emulator serves: v1 under `/callosum/v1/tspublic/v1/`, v2 under `/api/rest/2.0/`. */
export type ApiVersion = 'v1' | 'v2';
export const API_VERSIONS: readonly ApiVersion[] = ['v1', 'v2'];

export interface HandlerContext {
  /** v1: query, form and multipart fields; v2: the query string only. */
  params: Params;
  /** v2: the JSON request body (an empty object without one). */
  body: JsonBody;
  /** v2: the values of a route path's `{name}` segments. */
  pathParams: Record<string, string>;
  /**
   * The Org of the request's session or token: everything a handler reads or
   * changes through it stays in that Org. The Primary Org on routes without a session.
   */
  state: EmulatorState;
  /** Every Org: for the routes that manage Orgs or choose one (login, tokens). */
  instance: EmulatorInstance;
  sessions: Sessions;
  tokens: TrustedTokens;
  settings: EmulatorSettings;
  req: IncomingMessage;
  /** Present on every route that requires a session. */
  session?: Session;
  /** The v2 bearer token a request authenticated with, if any. */
  token?: BearerToken;
  bearerTokens: BearerTokens;
  user?: UserRecord;
  /** Whether cookies may carry `Secure` (never over plain http). */
  secure: boolean;
  log: Logger;
}

export interface Reply {
  status: number;
  json?: unknown;
  text?: string;
  bytes?: Uint8Array;
  contentType?: string;
  cookies?: string[];
  headers?: Record<string, string>;
}

export interface Route {
  /** v1 when absent. */
  api?: ApiVersion;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Below the API's prefix; a `{name}` segment matches any one segment (v2 `groups/{group_identifier}/update`). */
  path: string;
  /** Login calls need no session; everything else does (a cookie session, or a bearer token). */
  auth: 'session' | 'none';
  body: BodyEncoding;
  handle(context: HandlerContext): Reply | Promise<Reply>;
}

/** The user of a session-bearing request (routes with `auth: 'session'` always have one). */
export function currentUser(context: HandlerContext): UserRecord {
  if (!context.user) throw new Error('route declared auth: session but has no user');
  return context.user;
}

export const noContent = (cookies?: string[]): Reply => ({ status: 204, ...(cookies ? { cookies } : {}) });
export const json = (body: unknown, status = 200): Reply => ({ status, json: body });
