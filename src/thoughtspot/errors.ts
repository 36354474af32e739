import type { ApiEndpoint } from './api-endpoint.js';
import type { Guid, TmlStatusCode, V1ErrorBody } from './types.js';

/**
 * Typed failures of the ThoughtSpot client. None carries a got error, a
 * request's options, headers, cookies or body: only what the server said and
 * which endpoint it was, so that any of them can be logged or shown as is.
 */
export class ThoughtSpotError extends Error {
  override name = 'ThoughtSpotError';
  constructor(
    readonly endpoint: ApiEndpoint,
    message: string,
  ) {
    super(message);
  }
}

export interface ApiErrorDetails {
  status: number;
  code?: number;
  incidentId?: string;
  traceId?: string;
  /** The server's `debug` text, decoded (reference §1.6). */
  detail?: string;
  /** On a 429 that was not retried: how long the server asked to wait. */
  retryAfterMs?: number;
}

/** ThoughtSpot answered with an unexpected HTTP status. */
export class ThoughtSpotApiError extends ThoughtSpotError {
  override name = 'ThoughtSpotApiError';
  readonly status: number;
  readonly code: number | undefined;
  readonly incidentId: string | undefined;
  readonly traceId: string | undefined;
  readonly detail: string | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(endpoint: ApiEndpoint, details: ApiErrorDetails) {
    const code = details.code === undefined ? '' : ` (code ${details.code})`;
    const detail = details.detail ? `: ${details.detail}` : '';
    const incident = details.incidentId ? ` [incident ${details.incidentId}]` : '';
    super(endpoint, `ThoughtSpot ${endpoint} failed with HTTP ${details.status}${code}${detail}${incident}`);
    this.status = details.status;
    this.code = details.code;
    this.incidentId = details.incidentId;
    this.traceId = details.traceId;
    this.detail = details.detail;
    this.retryAfterMs = details.retryAfterMs;
  }
}

export interface NetworkErrorDetails {
  /** Node's or got's error code, e.g. `ECONNRESET`, `ETIMEDOUT`. */
  code: string | undefined;
  timedOut: boolean;
  /** False when the request certainly never reached the server (refused, unresolvable, no TLS session). */
  sent: boolean;
}

/** No HTTP answer: connection, TLS, proxy or timeout failure. */
export class ThoughtSpotNetworkError extends ThoughtSpotError {
  override name = 'ThoughtSpotNetworkError';
  readonly code: string | undefined;
  readonly timedOut: boolean;
  readonly sent: boolean;

  constructor(endpoint: ApiEndpoint, message: string, details: NetworkErrorDetails) {
    super(endpoint, `ThoughtSpot ${endpoint}: ${details.timedOut ? 'timed out' : 'network error'}${details.code ? ` ${details.code}` : ''}: ${message}`);
    this.code = details.code;
    this.timedOut = details.timedOut;
    this.sent = details.sent;
  }
}

/** A success status with a body that is not what the reference says it is. */
export class ThoughtSpotResponseError extends ThoughtSpotError {
  override name = 'ThoughtSpotResponseError';
  constructor(
    endpoint: ApiEndpoint,
    readonly status: number,
    problem: string,
  ) {
    super(endpoint, `ThoughtSpot ${endpoint} answered HTTP ${status} with an unexpected body: ${problem}`);
  }
}

/**
 * A write (`tml/import`, `user/sync`, …) failed in a way that does not tell
 * whether ThoughtSpot applied it: a 5xx or a network error after the request
 * was sent. It is never re-sent (DESIGN "The queue"); the caller checks, e.g.
 * by re-exporting, whether it took effect (reference §3.5 item 7).
 */
export class ThoughtSpotUncertainWriteError extends ThoughtSpotError {
  override name = 'ThoughtSpotUncertainWriteError';
  readonly status: number | undefined;
  constructor(
    endpoint: ApiEndpoint,
    /** What went wrong: an error status, no answer, or (a v2 background import) an answer that does not say what was applied. */
    readonly failure: ThoughtSpotApiError | ThoughtSpotNetworkError | ThoughtSpotResponseError,
  ) {
    super(endpoint, `ThoughtSpot ${endpoint}: outcome unknown, the write may or may not have been applied; verify before retrying. ${failure.message}`);
    this.status = failure instanceof ThoughtSpotApiError ? failure.status : undefined;
  }
}

export interface TmlObjectErrorDetails {
  /** Position of the object in the request (import) or response (export). */
  index: number;
  name?: string;
  guid?: Guid;
  statusCode: TmlStatusCode;
  errorCode?: number;
  /** ThoughtSpot's message with its `<b>`/`<br/>` markup turned into text. */
  detail: string;
}

/** One object of a TML export or import failed, inside an HTTP 200 (reference §3.6). */
export class TmlObjectError extends ThoughtSpotError {
  override name = 'TmlObjectError';
  readonly index: number;
  readonly objectName: string | undefined;
  readonly guid: Guid | undefined;
  readonly statusCode: TmlStatusCode;
  readonly errorCode: number | undefined;
  readonly detail: string;

  constructor(endpoint: ApiEndpoint, details: TmlObjectErrorDetails) {
    super(endpoint, `${tmlObjectLabel(details)}: ThoughtSpot ${details.statusCode}${details.errorCode === undefined ? '' : ` ${details.errorCode}`}: ${details.detail}`);
    this.index = details.index;
    this.objectName = details.name;
    this.guid = details.guid;
    this.statusCode = details.statusCode;
    this.errorCode = details.errorCode;
    this.detail = details.detail;
  }
}

function tmlObjectLabel(details: TmlObjectErrorDetails): string {
  const name = details.name === undefined ? `object #${details.index + 1}` : `"${details.name}"`;
  return details.guid === undefined ? name : `${name} (${details.guid})`;
}

/** Thrown on request (`throwOnError`) when any object of a TML call failed; lists every failure. */
export class TmlBatchError extends ThoughtSpotError {
  override name = 'TmlBatchError';
  constructor(
    endpoint: ApiEndpoint,
    readonly errors: readonly TmlObjectError[],
  ) {
    super(endpoint, `ThoughtSpot ${endpoint}: ${errors.length} object(s) failed:\n${errors.map((e) => `- ${e.message}`).join('\n')}`);
  }
}

/**
 * The text of a v1 error body's `debug`: a plain string or a JSON-encoded
 * array of strings (cs_tools `json.loads` it; reference §1.6). Live v2 500s
 * have been seen with `"debug":"[null]"`: an array with no text says nothing.
 */
export function decodeDebug(debug: unknown): string | undefined {
  if (Array.isArray(debug)) return joinLines(debug);
  if (typeof debug !== 'string' || debug.trim() === '') return undefined;
  const text = debug.trim();
  if (text.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (Array.isArray(parsed)) return joinLines(parsed);
    } catch {
      // not JSON after all: keep the text
    }
  }
  return text;
}

function joinLines(lines: unknown[]): string | undefined {
  const text = lines.filter((line) => line !== null && line !== undefined && line !== '').map(String).join('; ');
  return text === '' ? undefined : text;
}

const MARKUP = /<\/?(?:b|i|em|strong|u|p|span|div|code)\b[^>]*>/gi;
const ENTITIES: Record<string, string> = { '&lt;': '<', '&gt;': '>', '&amp;': '&', '&quot;': '"', '&#39;': "'", '&nbsp;': ' ' };

/**
 * TML messages are HTML fragments (`Invalid value <b> X </b> of field … <br/>`,
 * reference §2.16); clients split on `<br/>` and newlines. Lines are kept,
 * markup and the spaces it leaves before punctuation are dropped.
 */
export function tmlMessageText(message: string | undefined): string {
  return (message ?? '')
    .split(/<br\s*\/?>|\r?\n/i)
    .map((line) =>
      line
        .replace(MARKUP, '')
        .replace(/&(?:lt|gt|amp|quot|#39|nbsp);/g, (entity) => ENTITIES[entity] ?? entity)
        .replace(/\s+/g, ' ')
        .replace(/ ([.,;:])/g, '$1')
        .trim(),
    )
    .filter((line) => line !== '')
    .join('\n');
}

/**
 * The fields of an error response, v1 or v2; a body that is neither gives
 * only its first characters.
 */
export function apiErrorDetails(status: number, body: string, headers: Record<string, string | string[] | undefined>): ApiErrorDetails {
  const header = (name: string): string | undefined => {
    const value = headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  let parsed: V1ErrorBody | undefined;
  try {
    parsed = errorFields(JSON.parse(body));
  } catch {
    parsed = undefined;
  }
  const snippet = body.trim().replace(/\s+/g, ' ').slice(0, 200);
  return {
    status,
    code: typeof parsed?.code === 'number' ? parsed.code : undefined,
    incidentId: stringOr(parsed?.incident_id_guid) ?? header('x-callosum-incident-id'),
    traceId: stringOr(parsed?.trace_id_guid) ?? header('x-callosum-trace-id'),
    detail: parsed ? decodeDebug(parsed.debug) : snippet || undefined,
  };
}

/**
 * The v1 fields of an error body. v1 sends them at the top (reference §1.6).
 * v2 wraps the same fields: the SDK declares only `{"error": object}`
 * (models/ErrorResponse.ts), and live v2 answers recorded by ThoughtSpot's own
 * tooling nest them as `{"error": {"message": {"debug": {code,
 * incident_id_guid, trace_id_guid, debug}}}}` (reference §6); an `error`,
 * `error.message` or `error.message.debug` that is plain text is kept as the detail.
 */
function errorFields(value: unknown): V1ErrorBody | undefined {
  if (!isRecord(value)) return undefined;
  if (!('error' in value)) return value;
  const { error } = value;
  if (typeof error === 'string') return { debug: error };
  const message = isRecord(error) ? error.message : undefined;
  if (typeof message === 'string') return { debug: message };
  const fields = isRecord(message) ? message.debug : undefined;
  if (typeof fields === 'string') return { debug: fields };
  return isRecord(fields) ? fields : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function stringOr(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
