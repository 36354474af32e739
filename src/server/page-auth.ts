import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * Who may read the status page when `server.apiToken` is set: the holder of
 * the token, given once (`?token=` or the login form) and then remembered by
 * a cookie. The cookie holds a value derived from the token, not the token:
 * a stolen cookie reads the page but cannot start runs through the trigger API.
 */

export const PAGE_COOKIE = 'tmlsync_page';

/** Two secrets compared in constant time (the trigger API's bearer token, the page's token and cookie). */
export function sameSecret(given: string, expected: string): boolean {
  const [a, b] = [Buffer.from(given), Buffer.from(expected)];
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The cookie's value for a token: an HMAC, so the cookie is worth only the page. */
export function pageCookieValue(apiToken: string): string {
  return createHmac('sha256', apiToken).update('tmlsync status page').digest('hex');
}

/** `Set-Cookie` for a reader who gave the right token: HttpOnly (no script reads it), SameSite=Strict (no other site sends it), for this session. */
export function pageCookieHeader(apiToken: string): string {
  return `${PAGE_COOKIE}=${pageCookieValue(apiToken)}; Path=/; HttpOnly; SameSite=Strict`;
}

function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

/** The bearer token of a request's Authorization header. */
export function bearerToken(req: IncomingMessage): string | undefined {
  return /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
}

/** Whether a request may read the page: always without a token configured; else with the page cookie or the bearer token. */
export function mayReadPage(apiToken: string | undefined, req: IncomingMessage): boolean {
  if (!apiToken) return true;
  const given = cookie(req, PAGE_COOKIE);
  if (given !== undefined && sameSecret(given, pageCookieValue(apiToken))) return true;
  const bearer = bearerToken(req);
  return bearer !== undefined && sameSecret(bearer, apiToken);
}
