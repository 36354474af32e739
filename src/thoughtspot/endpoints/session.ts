import type { ApiCaller } from '../http.js';
import type { AccessLevel, Guid } from '../types.js';
import { bool, int, jsonList, parseJson } from './encode.js';

export interface LoginParams {
  username: string;
  password: string;
  rememberMe?: boolean;
  /** The org to log into (9.2.0.cl+); field name `orgid` is UNCONFIRMED (reference §2.1). */
  orgId?: number;
}

/** `POST session/login`: form fields; 204 and the session cookies (reference §2.1; 200 also documented). */
export async function login(api: ApiCaller, params: LoginParams): Promise<void> {
  await api.send({
    endpoint: 'session/login',
    method: 'POST',
    form: { username: params.username, password: params.password, rememberme: bool(params.rememberMe ?? false), orgid: int(params.orgId) },
    accept: 'json',
    success: [204, 200],
    idempotent: true,
    anonymous: true,
  });
}

/**
 * `POST session/logout`: no parameters; 204 (reference §2.2). Logging out
 * twice changes nothing. Sent with the current cookies but never logs in for
 * itself: a 401 means the session is already over, which is what was asked.
 */
export async function logout(api: ApiCaller): Promise<void> {
  await api.send({ endpoint: 'session/logout', method: 'POST', accept: 'json', success: [204, 200, 401], idempotent: true, anonymous: true });
}

export interface AuthTokenParams {
  secretKey: string;
  username: string;
  accessLevel: AccessLevel;
  /** The liveboard or visualization, with `REPORT_BOOK_VIEW`. */
  objectId?: Guid;
  orgId?: number;
  groups?: readonly string[];
  autocreate?: boolean;
  email?: string;
  displayName?: string;
}

/**
 * `POST session/auth/token` (trusted authentication): form fields, `Accept:
 * text/plain`; the body is the token itself (reference §2.3). Asking again
 * only issues another token, so it may be retried.
 */
export async function authToken(api: ApiCaller, params: AuthTokenParams): Promise<string> {
  const response = await api.send({
    endpoint: 'session/auth/token',
    method: 'POST',
    form: {
      secret_key: params.secretKey,
      username: params.username,
      access_level: params.accessLevel,
      id: params.objectId,
      orgid: int(params.orgId),
      groups: jsonList(params.groups),
      autocreate: bool(params.autocreate),
      email: params.email,
      display_name: params.displayName,
    },
    accept: 'text',
    success: [200],
    idempotent: true,
    anonymous: true,
  });
  return response.body.toString('utf8').trim();
}

/**
 * `POST session/login/token`: trades the token for session cookies. With
 * `no_url_redirection=true` the answer is 204 instead of a 302 to
 * `redirect_url` (reference §2.3); redirects are not followed.
 */
export async function loginToken(api: ApiCaller, params: { username: string; authToken: string }): Promise<void> {
  await api.send({
    endpoint: 'session/login/token',
    method: 'POST',
    form: { username: params.username, auth_token: params.authToken, no_url_redirection: 'true' },
    accept: 'json',
    success: [204],
    idempotent: true,
    anonymous: true,
  });
}

/** `GET session/orgs`: the Orgs of the session's user and the session's current one (field names: thoughtspot/cs_tools). */
export interface SessionOrgs {
  currentOrgId?: number;
  orgs?: { orgId: number; orgName: string; description?: string }[];
}

/**
 * `GET session/orgs?batchsize=-1&offset=-1`: every Org of the session's
 * user. Sent while logging in, with the new session's cookies. A read.
 */
export async function sessionOrgs(api: ApiCaller): Promise<SessionOrgs> {
  const response = await api.send({
    endpoint: 'session/orgs', method: 'GET', query: { batchsize: '-1', offset: '-1' }, accept: 'json', success: [200], idempotent: true, anonymous: true,
  });
  return parseJson<SessionOrgs>('session/orgs', response, 'object');
}

/**
 * `PUT session/orgs` with the form field `orgid`: the session works in that
 * Org from the next call on. Sent while logging in; switching to the same
 * Org again changes nothing, so it may be retried.
 */
export async function switchOrg(api: ApiCaller, orgId: number): Promise<void> {
  await api.send({ endpoint: 'session/orgs', method: 'PUT', form: { orgid: int(orgId) }, accept: 'json', success: [204, 200], idempotent: true, anonymous: true });
}
