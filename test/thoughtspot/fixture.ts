import type nock from 'nock';
import { expect } from 'vitest';
import { ThoughtSpotClient, type ThoughtSpotClientOptions } from '../../src/thoughtspot/index.js';
import type { RecordedRequest } from '../http-mock.js';

export const BASE = 'https://ts.example.com';
export const PASSWORD = 'S3cret-Pa55word';

/** The path of an endpoint under the v1 base (reference §1.1). */
export function at(endpoint: string): string {
  return `/callosum/v1/tspublic/v1/${endpoint}`;
}

/** A client with fast retries, no practical rate limit and no proxy variables from the machine. */
export function testClient(options: Partial<ThoughtSpotClientOptions> = {}): ThoughtSpotClient {
  return new ThoughtSpotClient({
    url: BASE,
    username: 'tsadmin',
    password: PASSWORD,
    env: {},
    ...options,
    retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 5_000, ...options.retry },
    rateLimit: { concurrency: 8, intervalCap: 1_000, intervalMs: 1_000, ...options.rateLimit },
  });
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
