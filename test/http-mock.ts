/**
 * Strict HTTP mocking for tests, after renovate's `test/http-mock.ts`: no
 * real network (only 127.0.0.1/localhost, for tests that opt in), and a test
 * fails if it made a request no mock answered or left a mock unused. Every
 * request a scope answers is recorded, so tests assert on what was sent.
 */
import nock from 'nock';
import { afterAll, afterEach, beforeEach } from 'vitest';

export interface RecordedRequest {
  method: string;
  /** Origin, e.g. `https://ts.example.com`. */
  origin: string;
  pathname: string;
  query: URLSearchParams;
  /** Header names in lower case. */
  headers: Record<string, string | undefined>;
  body: string;
  /** When the mock received it (ms, `Date.now()`). */
  at: number;
}

export interface HttpMockOptions {
  /** Let requests to 127.0.0.1 / localhost through to real local servers (e.g. a test proxy). */
  allowLoopback?: boolean;
}

export interface HttpMock {
  /** A nock scope for a base URL whose answered requests are recorded. */
  scope(base: string): nock.Scope;
  /** Requests answered by mocks in the current test, in order. */
  readonly requests: readonly RecordedRequest[];
}

const LOOPBACK_HOST = /^(?:127\.0\.0\.1|localhost|\[?::1\]?)$/;

interface RequestLike {
  method?: string;
  host?: string;
  hostname?: string;
  path?: string;
}

/** 'no match' comes either as (options) or as (request, options, body) depending on where nock gave up. */
function unmatchedRequest(args: unknown[]): { host: string; text: string } {
  const options = (args.length > 1 ? args[1] : args[0]) as RequestLike | undefined;
  const host = options?.hostname ?? options?.host?.replace(/:\d+$/, '') ?? '?';
  return { host, text: `${options?.method ?? '?'} ${options?.host ?? host}${options?.path ?? ''}` };
}

type HeaderValue = string | number | readonly string[] | undefined;

function headerRecord(raw: Record<string, HeaderValue>): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(raw)) {
    headers[name.toLowerCase()] = value === undefined ? undefined : typeof value === 'object' ? value.join(', ') : String(value);
  }
  return headers;
}

/** Installs the strict mock for every test of the calling file. */
export function useHttpMock(options: HttpMockOptions = {}): HttpMock {
  const requests: RecordedRequest[] = [];
  const unmatched: string[] = [];
  const onNoMatch = (...args: unknown[]): void => {
    const request = unmatchedRequest(args);
    if (options.allowLoopback && LOOPBACK_HOST.test(request.host)) return;
    unmatched.push(request.text);
  };

  beforeEach(() => {
    requests.length = 0;
    unmatched.length = 0;
    if (!nock.isActive()) nock.activate();
    nock.disableNetConnect();
    if (options.allowLoopback) nock.enableNetConnect((host: string) => LOOPBACK_HOST.test(host.replace(/:\d+$/, '')));
    nock.emitter.on('no match', onNoMatch);
  });

  afterEach(() => {
    nock.emitter.removeListener('no match', onNoMatch);
    const unused = nock.pendingMocks();
    nock.cleanAll();
    nock.disableNetConnect();
    const problems = [...unused.map((mock) => `unused mock: ${mock}`), ...unmatched.map((request) => `unmatched request: ${request}`)];
    if (problems.length > 0) throw new Error(`HTTP mock:\n${problems.join('\n')}`);
  });

  // Test files share a worker's module cache (vitest `isolate: false`): leave the network as
  // the next file expects it, real and unmocked.
  afterAll(() => {
    nock.enableNetConnect();
    nock.restore();
  });

  return {
    scope(base: string): nock.Scope {
      const scope = nock(base);
      const origin = new URL(base).origin;
      scope.on('request', (request: { method: string; path: string; headers: Record<string, HeaderValue> }, _interceptor: unknown, body: string) => {
        const url = new URL(request.path, origin);
        requests.push({
          method: request.method,
          origin,
          pathname: url.pathname,
          query: url.searchParams,
          headers: headerRecord(request.headers),
          body,
          at: Date.now(),
        });
      });
      return scope;
    },
    get requests() {
      return requests;
    },
  };
}

/** The fields of an `application/x-www-form-urlencoded` body. */
export function formFields(request: RecordedRequest): URLSearchParams {
  return new URLSearchParams(request.body);
}

export interface MultipartPart {
  value: string;
  /** Set for file parts. */
  filename?: string;
  contentType?: string;
}

/** The parts of a `multipart/form-data` body, parsed by Node's own `Request`. */
export async function multipartParts(request: RecordedRequest): Promise<Map<string, MultipartPart>> {
  const form = await new Request('http://parse.invalid/', {
    method: 'POST',
    headers: { 'content-type': request.headers['content-type'] ?? '' },
    body: request.body,
  }).formData();
  const parts = new Map<string, MultipartPart>();
  for (const [name, value] of form.entries()) {
    parts.set(name, typeof value === 'string' ? { value } : { value: await value.text(), filename: value.name, contentType: value.type });
  }
  return parts;
}
