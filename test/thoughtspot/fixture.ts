import type nock from 'nock';
import { expect } from 'vitest';
import { ThoughtSpotClient, ThoughtSpotV2Client, type ThoughtSpotClientOptions, type ThoughtSpotV2ClientOptions } from '../../src/thoughtspot/index.js';
import type { RecordedRequest } from '../http-mock.js';

export const BASE = 'https://ts.example.com';
export const PASSWORD = 'S3cret-Pa55word';

/** The path of an endpoint under the v1 base (reference §1.1). */
export function at(endpoint: string): string {
  return `/callosum/v1/tspublic/v1/${endpoint}`;
}

/** A client with fast retries, no practical rate limit and no proxy variables from the machine. */
export function testClient(options: Partial<ThoughtSpotClientOptions> = {}): ThoughtSpotClient {
  return new ThoughtSpotClient(fastOptions(options));
}

/** The options both test clients share, under any the test gives (its retry and rate-limit fields merged in). */
function fastOptions<T extends Partial<ThoughtSpotClientOptions> | Partial<ThoughtSpotV2ClientOptions>>(options: T) {
  return {
    url: BASE,
    username: 'tsadmin',
    password: PASSWORD,
    env: {},
    ...options,
    retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 5_000, ...options.retry },
    rateLimit: { concurrency: 8, intervalCap: 1_000, intervalMs: 1_000, ...options.rateLimit },
  };
}

/** `session/login` answering 204 with the session cookies of `session`. */
export function mockLogin(scope: nock.Scope, session = 'session-1'): nock.Scope {
  return scope
    .post(at('session/login'))
    .reply(204, '', { 'set-cookie': [`JSESSIONID=${session}; Path=/; HttpOnly`, `clientId=client-${session}; Path=/; Secure; HttpOnly`] });
}

/** The headers every call carries, the `Accept` of its kind, and its content type (or none). */
export function expectHeaders(request: RecordedRequest | undefined, accept: string, contentType: RegExp | undefined): void {
  expect(request?.headers['x-requested-by']).toBe('ThoughtSpot');
  expect(request?.headers.accept).toBe(accept);
  expect(request?.headers['user-agent']).toMatch(/^tmlsync\/\d+\.\d+\.\d+/);
  if (contentType) expect(request?.headers['content-type']).toMatch(contentType);
  else expect(request?.headers['content-type']).toBeUndefined();
}

export const FORM = /^application\/x-www-form-urlencoded$/;
export const MULTIPART = /^multipart\/form-data; boundary=/;
export const JSON_ACCEPT = 'application/json';

/** The path of an endpoint under the v2 base (SDK: every path starts with `/api/rest/2.0/`). */
export function v2at(endpoint: string): string {
  return `/api/rest/2.0/${endpoint}`;
}

/** A v2 client with fast retries, no practical rate limit and no proxy variables from the machine. */
export function testV2Client(options: Partial<ThoughtSpotV2ClientOptions> = {}): ThoughtSpotV2Client {
  return new ThoughtSpotV2Client(fastOptions(options));
}

/** `auth/token/full` answering a `Token` (SDK models/Token.ts) that lasts `lifetimeMs` from now. */
export function mockToken(scope: nock.Scope, token = 'token-1', lifetimeMs = 1_800_000): nock.Scope {
  return scope.post(v2at('auth/token/full')).reply(200, () => ({
    token,
    creation_time_in_millis: Date.now(),
    expiration_time_in_millis: Date.now() + lifetimeMs,
    scope: { access_type: 'FULL', org_id: 0, metadata_id: null },
    valid_for_user_id: 'u-tsadmin',
    valid_for_username: 'tsadmin',
  }));
}

/** A v2 error body as live v2 answers nest it (reference §6). */
export function v2Error(code: number, debug: string, incident = 'inc-v2'): nock.Body {
  return { error: { message: { debug: { code, incident_id_guid: incident, trace_id_guid: 'trace-v2', debug: JSON.stringify([debug]) } } } };
}

/** The JSON body a request carried. */
export function jsonBody(request: RecordedRequest | undefined): unknown {
  return JSON.parse(request?.body ?? 'null');
}

/** What every v2 call carries: JSON both ways (or none sent), the bearer token unless it asks for one. */
export function expectV2Headers(request: RecordedRequest | undefined, token: string | undefined, accept = JSON_ACCEPT, body = true): void {
  expect(request?.headers.accept).toBe(accept);
  expect(request?.headers['user-agent']).toMatch(/^tmlsync\/\d+\.\d+\.\d+/);
  expect(request?.headers['content-type']).toBe(body ? 'application/json' : undefined);
  expect(request?.headers.authorization).toBe(token === undefined ? undefined : `Bearer ${token}`);
  expect(request?.headers.cookie).toBeUndefined();
}
