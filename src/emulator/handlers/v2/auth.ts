/**
 * v2 authentication and the instance (its Orgs: orgs.ts).
 *
 * Contract notes:
 * - CONFIRMED (SDK `ThoughtSpotRestApi.md` getFullAccessToken, revokeToken,
 *   getCurrentUserInfo, getSystemInformation): the paths; that
 *   `auth/token/full` needs no authorization and answers SDK `models/Token.ts`
 *   (`token`, `creation_time_in_millis`, `expiration_time_in_millis`,
 *   `scope{access_type, org_id, metadata_id}`, `valid_for_user_id`,
 *   `valid_for_username`); `auth/token/revoke` answers 204; the request fields
 *   of SDK `GetFullAccessTokenRequest` (`username` with `password` or
 *   `secret_key`, `validity_time_in_sec`, `org_id`, `auto_create`, `email`,
 *   `display_name`, `group_identifiers`) and `RevokeTokenRequest`
 *   (`user_identifier`, `token`).
 * - CONFIRMED (reference §6, developer docs `api-authv2`): `validity_time_in_sec`
 *   defaults to 300 seconds; `secret_key` is trusted authentication.
 * - UNCONFIRMED, our choices: a wrong password is a 401 as in v1; a token
 *   lives its validity and no longer (use does not extend it), and an expired
 *   or revoked one is a 401; a token is for the Org `org_id` names, and
 *   without one for the user's default Org (handlers/orgs.ts `loginOrg`: an
 *   unknown Org is a 400, one the user is not in a 401); `auth/token/revoke` without
 *   fields revokes the token of the request, with `user_identifier` every
 *   token of that user (an administrator's call for another user);
 *   `system.release_version` is a fixed 10.x cloud release.
 */
import { json, currentUser, type HandlerContext, type Reply, type Route } from '../../context.js';
import { CODE, invalidParameter, V1Error } from '../../errors.js';
import { checkPassword, SYSTEM_ID, TSADMIN_ID } from '../../principals.js';
import { requirePrivilege } from '../principals.js';
import { trustedUser } from '../session.js';
import { done, findUser, v2Route } from './common.js';
import { userForm } from './principals.js';
import { PRIMARY_ORG } from '../../state.js';
import { loginOrg, orgOf } from '../orgs.js';

const DEFAULT_VALIDITY_SEC = 300;

function fullAccessToken(context: HandlerContext): Reply {
  const { body, state, settings } = context;
  const name = body.required('username');
  const secret = body.string('secret_key');
  const password = body.string('password');
  const validity = body.int('validity_time_in_sec', DEFAULT_VALIDITY_SEC);
  if (validity <= 0) throw invalidParameter('validity_time_in_sec', 'must be more than 0');
  const orgId = body.has('org_id') ? body.int('org_id', PRIMARY_ORG.id) : undefined;
  let user;
  if (secret !== undefined) {
    const displayName = body.string('display_name');
    const email = body.string('email');
    // A just-in-time user is created in the Org asked for.
    const orgState = orgId === undefined ? state : orgOf(context.instance, String(orgId), 'org_id');
    user = trustedUser(orgState, settings, secret, name, {
      autoCreate: body.bool('auto_create', false), groups: body.strings('group_identifiers') ?? [],
      ...(displayName !== undefined ? { displayName } : {}), ...(email !== undefined ? { email } : {}),
    });
  } else {
    if (password === undefined) throw invalidParameter('password', 'password or secret_key is required');
    user = context.instance.defaultOrgOf(name)?.users.get(name);
    if (!user || !checkPassword(password, user.passwordHash)) throw new V1Error(401, CODE.invalidParameter, 'Invalid username or password');
  }
  const org = loginOrg(context.instance, user.name, orgId, 'org_id');
  const token = context.bearerTokens.issue(user.name, validity * 1000, org.org.id);
  return json({
    token: token.token,
    creation_time_in_millis: token.createdAt,
    expiration_time_in_millis: token.expiresAt,
    scope: { access_type: 'FULL', org_id: org.org.id, metadata_id: null },
    valid_for_user_id: user.id,
    valid_for_username: user.name,
  });
}

function revokeToken(context: HandlerContext): Reply {
  const { body, bearerTokens } = context;
  const userIdentifier = body.string('user_identifier');
  const token = body.string('token') ?? context.token?.token;
  if (userIdentifier !== undefined) {
    const user = findUser(context.state, userIdentifier, 'user_identifier');
    if (user.name !== currentUser(context).name) requirePrivilege(context, 'ADMINISTRATION');
    bearerTokens.revokeForUser(user.name);
  } else if (token !== undefined) {
    const found = bearerTokens.get(token);
    if (found && found.userName !== currentUser(context).name) requirePrivilege(context, 'ADMINISTRATION');
    bearerTokens.revoke(token);
  } else {
    throw invalidParameter('token', 'token or user_identifier is required (a cookie session has no token)');
  }
  return done();
}

function sessionUser(context: HandlerContext): Reply {
  return json(userForm(currentUser(context), context.state));
}

/** SDK `models/SystemInfo.ts`, with the well-known GUIDs of every instance (reference §1.5). */
function systemInfo(context: HandlerContext): Reply {
  const { state } = context;
  return json({
    id: 'tmlsync-emulator',
    name: 'tmlsync emulator',
    release_version: '10.4.0.cl',
    time_zone: 'UTC',
    locale: 'en-US',
    date_format: 'MM/dd/yyyy',
    api_version: 'v2',
    type: 'SAAS',
    environment: 'emulator',
    license: 'Enterprise',
    date_time_format: 'MM/dd/yyyy h:mm a',
    time_format: 'h:mm:ss a',
    system_user_id: SYSTEM_ID,
    super_user_id: state.users.get('su')?.id ?? null,
    tsadmin_user_id: TSADMIN_ID,
    system_group_id: state.groups.get('System')?.id ?? null,
    admin_group_id: state.groups.get('Administrator')?.id ?? null,
    all_user_group_id: state.groups.get('All')?.id ?? null,
    accept_language: 'en-US',
    all_user_group_member_user_count: [...state.users.values()].filter((u) => u.groupNames.includes('All')).length,
  });
}

export const v2AuthRoutes: Route[] = [
  v2Route('POST', 'auth/token/full', fullAccessToken, 'none'),
  v2Route('POST', 'auth/token/revoke', revokeToken),
  v2Route('GET', 'auth/session/user', sessionUser),
  v2Route('GET', 'system', systemInfo),
];
