import { API_PREFIX } from '../../src/emulator/index.js';

/** Raw HTTP as other real clients send it: no tmlsync client involved. */
export interface RawCall {
  query?: Record<string, string>;
  form?: Record<string, string>;
  multipart?: FormData;
  body?: string;
  headers?: Record<string, string>;
  cookie?: string;
}

export async function raw(base: string, method: string, path: string, call: RawCall = {}): Promise<Response> {
  const url = new URL(`${API_PREFIX}${path}`, base);
  for (const [k, v] of Object.entries(call.query ?? {})) url.searchParams.set(k, v);
  const headers: Record<string, string> = { 'X-Requested-By': 'ThoughtSpot', Accept: 'application/json', ...call.headers };
  if (call.cookie) headers.cookie = call.cookie;
  let body: string | FormData | undefined = call.body;
  if (call.form) {
    body = new URLSearchParams(call.form).toString();
    headers['content-type'] = 'application/x-www-form-urlencoded';
  }
  if (call.multipart) body = call.multipart;
  return fetch(url, { method, headers, ...(body !== undefined ? { body } : {}), redirect: 'manual', signal: AbortSignal.timeout(10_000) });
}

/** Logs in and returns the `Cookie` header value for later calls. */
export async function loginCookie(base: string, username = 'tsadmin', password = 'admin'): Promise<string> {
  const res = await raw(base, 'POST', 'session/login', { form: { username, password, rememberme: 'true' } });
  if (res.status !== 204) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  return res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
}
