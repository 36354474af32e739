import { randomUUID } from 'node:crypto';
import { timingSafeEqual } from 'node:crypto';
import { currentUser, noContent, type EmulatorSettings, type HandlerContext, type Reply, type Route } from '../context.js';
import { CODE, invalidParameter, V1Error } from '../errors.js';
import { checkPassword, type UserRecord } from '../principals.js';
import type { Session } from '../sessions.js';
import type { EmulatorState } from '../state.js';
import { loginOrg, orgOf } from './orgs.js';

/** `JSESSIONID` and `clientId` as a real server sets them (reference §1.4); `Secure` only over https. */
function sessionCookies(session: Session, secure: boolean, rememberMe: boolean): string[] {
  const attributes = `Path=/; HttpOnly${secure ? '; Secure' : ''}${rememberMe ? '; Max-Age=604800' : ''}`;
  return [`JSESSIONID=${session.id}; ${attributes}`, `clientId=${session.clientId}; ${attributes}`];
}

/**
 * Password login, into the Org `orgid` names (the user's default Org
 * without): the password is checked against the user's record in their
 * default Org, then the membership of the Org asked for.
 */
function login(context: HandlerContext): Reply {
  const { instance, params } = context;
  const name = params.required('username');
  const password = params.required('password');
  const rememberMe = params.bool('rememberme', false);
  const user = instance.defaultOrgOf(name)?.users.get(name);
  if (!user || !checkPassword(password, user.passwordHash)) {
    throw new V1Error(401, CODE.invalidParameter, 'Invalid username or password');
  }
  const org = loginOrg(instance, name, params.string('orgid'), 'orgid');
  return noContent(sessionCookies(context.sessions.create(user.name, org.org.id), context.secure, rememberMe));
}

function logout(context: HandlerContext): Reply {
  if (context.session) context.sessions.delete(context.session.id);
  const expired = 'Path=/; HttpOnly; Max-Age=0';
  return noContent([`JSESSIONID=; ${expired}`, `clientId=; ${expired}`]);
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Who a trusted-authentication request may create just in time (`autocreate` in v1, `auto_create` in v2). */
export interface JustInTime {
  autoCreate: boolean;
  displayName?: string;
  email?: string;
  groups: string[];
}

/**
 * The user a trusted-authentication request names, for both API versions:
 * a 500 when the instance has no secret configured, 401 for a wrong secret
 * or an unknown user (unless it may be created just in time).
 */
export function trustedUser(state: EmulatorState, settings: EmulatorSettings, secret: string, name: string, jit: JustInTime): UserRecord {
  if (!settings.trustedAuthSecret) throw new V1Error(500, CODE.generic, 'Trusted authentication is not enabled on this instance');
  if (!sameSecret(secret, settings.trustedAuthSecret)) throw new V1Error(401, CODE.invalidParameter, 'Invalid secret key');
  const existing = state.users.get(name) ?? state.instance.defaultOrgOf(name)?.users.get(name);
  if (existing) return existing;
  if (!jit.autoCreate) throw new V1Error(401, CODE.invalidParameter, `User ${name} not found`);
  const now = state.now();
  const user: UserRecord = {
    kind: 'user', id: randomUUID(), name, displayName: jit.displayName ?? name, mail: jit.email ?? '',
    principalTypeEnum: 'LOCAL_USER', groupNames: ['All', ...jit.groups.filter((g) => g !== 'All')], visibility: 'DEFAULT',
    created: now, modified: now,
  };
  state.users.set(name, user);
  state.commit();
  return user;
}

/**
 * Trusted authentication (reference §2.3): the token as plain text; the
 * checks are `trustedUser`'s.
 */
function authToken(context: HandlerContext): Reply {
  const { params, state, settings } = context;
  if (!settings.trustedAuthSecret) throw new V1Error(500, CODE.generic, 'Trusted authentication is not enabled on this instance');
  const secret = params.required('secret_key');
  const name = params.required('username');
  const accessLevel = params.oneOf('access_level', ['FULL', 'REPORT_BOOK_VIEW'] as const, 'FULL');
  if (!params.has('access_level')) throw invalidParameter('access_level', 'required');
  const objectId = params.string('id');
  if (accessLevel === 'REPORT_BOOK_VIEW' && !objectId) throw invalidParameter('id', 'required with access_level REPORT_BOOK_VIEW');
  const displayName = params.string('display_name');
  const email = params.string('email');
  const requested = params.string('orgid');
  // A just-in-time user is created in the Org asked for (reference §2.3: "missing groups get created in the org").
  const orgState = requested ? orgOf(context.instance, requested, 'orgid') : state;
  trustedUser(orgState, settings, secret, name, {
    autoCreate: params.bool('autocreate', false), groups: params.list('groups') ?? [],
    ...(displayName !== undefined ? { displayName } : {}), ...(email !== undefined ? { email } : {}),
  });
  const org = loginOrg(context.instance, name, requested, 'orgid');
  return { status: 200, text: context.tokens.issue(name, accessLevel, objectId, Date.now(), org.org.id), contentType: 'text/plain; charset=utf-8' };
}

/** `session/login/token`: 204 with `no_url_redirection=true`, else a 302 to `redirect_url`. */
function loginToken(context: HandlerContext): Reply {
  const name = context.params.required('username');
  const token = context.params.required('auth_token');
  const found = context.tokens.check(name, token);
  const org = found ? context.instance.orgs.get(found.orgId ?? -1) ?? context.instance.defaultOrgOf(name) : undefined;
  if (!found || !org?.users.has(name)) {
    throw new V1Error(401, CODE.invalidParameter, 'Invalid or expired authentication token');
  }
  const cookies = sessionCookies(context.sessions.create(name, org.org.id), context.secure, false);
  if (context.params.bool('no_url_redirection', false)) return noContent(cookies);
  return { status: 302, cookies, headers: { location: context.params.string('redirect_url') ?? '/' }, text: '' };
}

export const sessionRoutes: Route[] = [
  { method: 'POST', path: 'session/login', auth: 'none', body: 'form', handle: login },
  { method: 'POST', path: 'session/logout', auth: 'session', body: 'query', handle: logout },
  { method: 'POST', path: 'session/auth/token', auth: 'none', body: 'form', handle: authToken },
  { method: 'POST', path: 'session/login/token', auth: 'none', body: 'form', handle: loginToken },
  { method: 'GET', path: 'session/login/token', auth: 'none', body: 'query', handle: loginToken },
  // Who am I: lets clients check a session without side effects.
  { method: 'GET', path: 'session/info', auth: 'session', body: 'query', handle: (c) => ({ status: 200, json: { userName: currentUser(c).name, userGUID: currentUser(c).id } }) },
];
