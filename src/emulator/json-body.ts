import type { IncomingMessage } from 'node:http';
import { CODE, invalidParameter, V1Error } from './errors.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * A v2 request's JSON body, read field by field: a missing optional field
 * gives the fallback, a field of the wrong type or value is a 400 naming it
 * (`metadata[0].identifier`), and fields a handler does not read are
 * ignored, as the real server ignores unknown ones.
 */
export class JsonBody {
  constructor(
    private readonly value: Record<string, Json>,
    /** Where this object sits in the request body, for error messages. */
    private readonly at = '',
  ) {}

  static empty(): JsonBody {
    return new JsonBody({});
  }

  #name(field: string): string {
    return this.at ? `${this.at}.${field}` : field;
  }

  #get(field: string): Json | undefined {
    const value = this.value[field];
    return value === null ? undefined : value;
  }

  has(field: string): boolean {
    return this.#get(field) !== undefined;
  }

  string(field: string): string | undefined {
    const value = this.#get(field);
    if (value === undefined) return undefined;
    if (typeof value === 'number') return String(value);
    if (typeof value !== 'string') throw invalidParameter(this.#name(field), 'expected a string');
    return value;
  }

  required(field: string): string {
    const value = this.string(field);
    if (value === undefined || value === '') throw invalidParameter(this.#name(field), 'required');
    return value;
  }

  bool(field: string, fallback: boolean): boolean {
    const value = this.#get(field);
    if (value === undefined) return fallback;
    if (typeof value !== 'boolean') throw invalidParameter(this.#name(field), `expected true or false, got ${JSON.stringify(value)}`);
    return value;
  }

  int(field: string, fallback: number): number {
    const value = this.#get(field);
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value)) throw invalidParameter(this.#name(field), `expected an integer, got ${JSON.stringify(value)}`);
    return value;
  }

  oneOf<T extends string>(field: string, allowed: readonly T[], fallback: T): T {
    const value = this.string(field);
    if (value === undefined || value === '') return fallback;
    const match = allowed.find((candidate) => candidate === value.toUpperCase());
    if (!match) throw invalidParameter(this.#name(field), `'${value}' is not one of ${allowed.join(', ')}`);
    return match;
  }

  /** A list of strings; absent gives undefined. */
  strings(field: string): string[] | undefined {
    const value = this.#get(field);
    if (value === undefined) return undefined;
    if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) throw invalidParameter(this.#name(field), 'expected a list of strings');
    return value as string[];
  }

  /** A list of objects, each read as a JsonBody; absent gives an empty list. */
  objects(field: string): JsonBody[] {
    const value = this.#get(field);
    if (value === undefined) return [];
    if (!Array.isArray(value)) throw invalidParameter(this.#name(field), 'expected a list of objects');
    return value.map((item, i) => {
      if (!isObject(item)) throw invalidParameter(`${this.#name(field)}[${i}]`, 'expected an object');
      return new JsonBody(item, `${this.#name(field)}[${i}]`);
    });
  }

  /** A nested object; absent gives an empty one. */
  object(field: string): JsonBody {
    const value = this.#get(field);
    if (value === undefined) return new JsonBody({}, this.#name(field));
    if (!isObject(value)) throw invalidParameter(this.#name(field), 'expected an object');
    return new JsonBody(value, this.#name(field));
  }

  /** The fields of this object as text (runtime filters: `{"col1": "Region", "op1": "EQ", "val1": ["East"]}`). */
  entries(): [string, string[]][] {
    return Object.entries(this.value).map(([key, value]) => [key, (Array.isArray(value) ? value : [value]).map((v) => (typeof v === 'string' ? v : JSON.stringify(v)))]);
  }
}

function isObject(value: Json | undefined): value is Record<string, Json> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A v2 body: JSON (an empty body is an empty object); any other media type is a 415. */
export function readJsonBody(req: IncomingMessage, body: Buffer): JsonBody {
  if (body.length === 0) return JsonBody.empty();
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') throw new V1Error(415, CODE.invalidParameter, `Unsupported media type '${type || 'none'}': application/json expected`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new V1Error(400, CODE.invalidParameter, 'The request body is not valid JSON');
  }
  if (!isObject(parsed as Json)) throw new V1Error(400, CODE.invalidParameter, 'The request body must be a JSON object');
  return new JsonBody(parsed as Record<string, Json>);
}
