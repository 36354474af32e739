import { afterAll, beforeAll } from 'vitest';
import { API_V2_PREFIX, startEmulator, type EmulatorOptions, type RunningEmulator } from '../../src/emulator/index.js';

/** Plain HTTP against the emulator's REST API v2, as other real clients send it: JSON in, bearer token. */
export async function v2(base: string, method: string, path: string, body?: unknown, token?: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(new URL(`${API_V2_PREFIX}${path}`, base), {
    method,
    headers: {
      Accept: 'application/json',
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    signal: AbortSignal.timeout(10_000),
  });
}

export interface TokenAnswer {
  token: string;
  creation_time_in_millis: number;
  expiration_time_in_millis: number;
  scope: { access_type: string; org_id: number | null; metadata_id: string | null };
  valid_for_user_id: string;
  valid_for_username: string;
}

/** `auth/token/full` with a password; throws unless 200. */
export async function v2Token(base: string, username = 'tsadmin', password = 'admin', extra: Record<string, unknown> = {}): Promise<string> {
  const res = await v2(base, 'POST', 'auth/token/full', { username, password, ...extra });
  if (res.status !== 200) throw new Error(`token failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as TokenAnswer).token;
}

/** A 200 answer's JSON; fails with the body otherwise. */
export async function ok<T>(response: Promise<Response>): Promise<T> {
  const res = await response;
  if (res.status !== 200) throw new Error(`expected 200, got ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

/** The message of a v2 error body (`error.message.debug.debug`, a JSON-encoded array of strings as v1's `debug`). */
export async function v2Error(res: Response): Promise<{ status: number; code: number; message: string }> {
  const body = (await res.json()) as { error: { message: { debug: { code: number; debug: string } } } };
  return { status: res.status, code: body.error.message.debug.code, message: (JSON.parse(body.error.message.debug.debug) as string[]).join('; ') };
}

/** A file's emulator and tsadmin's bearer token on it. */
export interface V2Emulator {
  readonly emulator: RunningEmulator;
  readonly url: string;
  readonly token: string;
}

/**
 * One emulator for the calling file's tests, with a token of tsadmin (`tokenFields`
 * adds fields to its `auth/token/full` request, e.g. an Org): started before them, stopped after.
 */
export function useV2Emulator(options: EmulatorOptions = {}, tokenFields: (emulator: RunningEmulator) => Record<string, unknown> = () => ({})): V2Emulator {
  let emulator: RunningEmulator | undefined;
  let token = '';
  beforeAll(async () => {
    emulator = await startEmulator(options);
    token = await v2Token(emulator.url, 'tsadmin', 'admin', tokenFields(emulator));
  });
  afterAll(() => emulator?.close());
  return {
    get emulator() {
      return emulator!;
    },
    get url() {
      return emulator!.url;
    },
    get token() {
      return token;
    },
  };
}
