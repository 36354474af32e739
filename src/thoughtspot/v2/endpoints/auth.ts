/**
 * v2 authentication: bearer tokens.
 *
 * Contract notes:
 * - CONFIRMED `POST auth/token/full`, JSON `{username, password | secret_key,
 *   validity_time_in_sec, org_id, auto_create, …}`, no authorization needed;
 *   200 with a `Token`: `{token, creation_time_in_millis,
 *   expiration_time_in_millis, scope, valid_for_user_id, valid_for_username}`
 *   (SDK ThoughtSpotRestApi.md getFullAccessToken; models/GetFullAccessTokenRequest.ts, models/Token.ts).
 * - CONFIRMED a token lasts 5 minutes unless `validity_time_in_sec` says
 *   otherwise; with both `password` and `secret_key`, `password` wins; without
 *   `org_id` the user lands in the org of their last session, or with a secret
 *   key in the key's org (same section, GetFullAccessTokenRequest `org_id`).
 *   We send exactly one credential, so which one is used is never left to the server.
 * - CONFIRMED `POST auth/token/revoke` `{user_identifier?, token?}` → 204
 *   (SDK revokeToken, models/RevokeTokenRequest.ts).
 * - UNCONFIRMED (our choice): the token to revoke goes in the body as well as in
 *   the `Authorization` header, so the server never has to guess which one is meant;
 *   a 401 on revoke means the token is already over, which is what was asked.
 * - CONFIRMED `GET auth/session/user` → the `User` of the token (SDK getCurrentUserInfo, models/User.ts).
 */
import { ThoughtSpotResponseError } from '../../errors.js';
import type { ApiCaller } from '../../http.js';
import { parseJson } from '../../endpoints/encode.js';
import type { V2Token, V2User } from '../types.js';

export interface FullAccessTokenParams {
  username: string;
  /** Exactly one of `password` and `secretKey` (trusted authentication). */
  password?: string;
  secretKey?: string;
  validityTimeInSec?: number;
  orgId?: number;
}

/**
 * `POST auth/token/full`. Asking again only issues another token, so it may
 * be retried; it never needs a token itself and never carries one.
 */
export async function fullAccessToken(api: ApiCaller, params: FullAccessTokenParams): Promise<V2Token> {
  const response = await api.send({
    endpoint: 'auth/token/full',
    method: 'POST',
    json: {
      username: params.username,
      ...(params.secretKey ? { secret_key: params.secretKey } : { password: params.password }),
      validity_time_in_sec: params.validityTimeInSec,
      org_id: params.orgId,
    },
    accept: 'json',
    success: [200],
    idempotent: true,
    anonymous: true,
    withoutToken: true,
  });
  const token = parseJson<V2Token>('auth/token/full', response, 'object');
  if (typeof token.token !== 'string' || token.token === '') throw new ThoughtSpotResponseError('auth/token/full', response.status, 'no "token"');
  return token;
}

/** `POST auth/token/revoke`: sent with the token it revokes; never logs in for itself. */
export async function revokeToken(api: ApiCaller, token: string): Promise<void> {
  await api.send({ endpoint: 'auth/token/revoke', method: 'POST', json: { token }, accept: 'json', success: [204, 200, 401], idempotent: true, anonymous: true });
}

/**
 * `GET auth/session/user`: who the token belongs to, with their Orgs
 * (`orgs`) and the token's (`current_org`). A read; `duringLogin` sends it
 * with the token just issued, without asking for one first.
 */
export async function currentUser(api: ApiCaller, duringLogin = false): Promise<V2User> {
  const response = await api.send({ endpoint: 'auth/session/user', method: 'GET', accept: 'json', success: [200], idempotent: true, ...(duringLogin ? { anonymous: true } : {}) });
  return parseJson<V2User>('auth/session/user', response, 'object');
}
