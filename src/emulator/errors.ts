import { randomUUID } from 'node:crypto';

/**
 * A request-level failure, answered with ThoughtSpot's v1 error body
 * (reference §1.6): `code`, `incident_id_guid`, `trace_id_guid`, and `debug`
 * as a JSON-encoded array of strings, which is what cs_tools `json.loads`.
 */
export class V1Error extends Error {
  override readonly name = 'V1Error';
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** Codes seen from real servers (reference §1.6, §3.6). */
export const CODE = {
  generic: 10000,
  invalidParameter: 10002,
  accessDenied: 10023,
  notFound: 10004,
} as const;

export function invalidParameter(name: string, detail?: string): V1Error {
  return new V1Error(400, CODE.invalidParameter, `Invalid parameter values ${name}${detail ? `: ${detail}` : ''}`);
}

export interface V1ErrorBody {
  code: number;
  incident_id_guid: string;
  trace_id_guid: string;
  debug: string;
}

export function errorBody(error: V1Error, incidentId: string = randomUUID()): V1ErrorBody {
  return { code: error.code, incident_id_guid: incidentId, trace_id_guid: incidentId, debug: JSON.stringify([error.message]) };
}

/**
 * The same failure as a REST API v2 route answers it. CONFIRMED: the v2
 * description declares only `{"error": object}` (SDK `models/ErrorResponse.ts`).
 * Observed (answers of live 10.x clusters quoted by public v2 clients, reference
 * §6): the v1 fields nested as `error.message.debug`, whose own `debug` is, as
 * in v1, a JSON-encoded array of strings, e.g.
 * `{"error":{"message":{"debug":{"code":10002,"debug":"[\"Column … is not secured\"]"}}}}`.
 * A client that only looks for `error` survives either way.
 */
export interface V2ErrorBody {
  error: { message: { debug: V1ErrorBody } };
}

export function v2ErrorBody(error: V1Error, incidentId: string = randomUUID()): V2ErrorBody {
  return { error: { message: { debug: errorBody(error, incidentId) } } };
}

/** The error body of each API version. */
export const ERROR_BODIES = { v1: errorBody, v2: v2ErrorBody } as const;
