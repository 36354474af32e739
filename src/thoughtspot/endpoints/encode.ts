import { ThoughtSpotResponseError } from '../errors.js';
import type { ApiResponse } from '../transport.js';
import type { ApiEndpoint } from '../api-endpoint.js';
import type { RuntimeFilter } from '../types.js';

/** Booleans travel as the strings `true`/`false` (reference §1.5). */
export function bool(value: boolean | undefined): 'true' | 'false' | undefined {
  return value === undefined ? undefined : value ? 'true' : 'false';
}

/** Lists travel as a JSON array inside a string: `["a","b"]` (reference §1.5). */
export function jsonList(values: readonly string[] | undefined): string | undefined {
  return values === undefined ? undefined : JSON.stringify(values);
}

export function int(value: number | undefined): string | undefined {
  return value === undefined ? undefined : String(Math.trunc(value));
}

/** Runtime filters as `col<n>`, `op<n>`, `val<n>` (repeated for several values), n from 1 (reference §2.13). */
export function filterFields(filters: readonly RuntimeFilter[] | undefined): Record<string, string | string[]> {
  const fields: Record<string, string | string[]> = {};
  (filters ?? []).forEach((filter, index) => {
    fields[`col${index + 1}`] = filter.column;
    fields[`op${index + 1}`] = filter.operator;
    fields[`val${index + 1}`] = filter.values.map(String);
  });
  return fields;
}

/** A JSON body, checked to have the expected outer shape; anything else is a `ThoughtSpotResponseError`. */
export function parseJson<T>(endpoint: ApiEndpoint, response: ApiResponse, shape: 'array' | 'object'): T {
  let value: unknown;
  try {
    value = JSON.parse(response.body.toString('utf8'));
  } catch {
    throw new ThoughtSpotResponseError(endpoint, response.status, 'not JSON');
  }
  const isArray = Array.isArray(value);
  const fits = shape === 'array' ? isArray : value !== null && typeof value === 'object' && !isArray;
  if (!fits) throw new ThoughtSpotResponseError(endpoint, response.status, `expected a JSON ${shape}`);
  return value as T;
}
