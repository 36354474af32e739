import { invalidParameter } from './errors.js';
import { ListSyntaxError, parseList } from './lists.js';

/**
 * The parameters of one request: query string, form fields and multipart
 * parts merged (a body field wins over the query). Parameters a handler does
 * not read are ignored, as the real server ignores misspelt or unknown ones;
 * a bad value of a known parameter is a 400 naming it.
 */
export class Params {
  readonly #values: Map<string, string>;

  constructor(values: Iterable<[string, string]>) {
    this.#values = new Map(values);
  }

  has(name: string): boolean {
    return this.#values.has(name);
  }

  /** The value of the first of `names` present (later names are accepted aliases). */
  string(...names: string[]): string | undefined {
    for (const name of names) {
      const value = this.#values.get(name);
      if (value !== undefined) return value;
    }
    return undefined;
  }

  required(...names: string[]): string {
    const value = this.string(...names);
    if (value === undefined || value === '') throw invalidParameter(names[0]!, 'required');
    return value;
  }

  bool(name: string, fallback: boolean): boolean {
    const value = this.string(name);
    if (value === undefined || value === '') return fallback;
    const lower = value.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
    throw invalidParameter(name, `expected true or false, got '${value}'`);
  }

  int(name: string, fallback: number): number {
    const value = this.string(name);
    if (value === undefined || value === '') return fallback;
    if (!/^-?\d+$/.test(value.trim())) throw invalidParameter(name, `expected an integer, got '${value}'`);
    return Number.parseInt(value, 10);
  }

  list(...names: string[]): string[] | undefined {
    const value = this.string(...names);
    if (value === undefined) return undefined;
    try {
      return parseList(value);
    } catch (error) {
      throw invalidParameter(names[0]!, error instanceof ListSyntaxError ? error.message : 'not a list');
    }
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.string(name);
    if (value === undefined || value === '') return fallback;
    const match = allowed.find((candidate) => candidate.toLowerCase() === value.toLowerCase());
    if (!match) throw invalidParameter(name, `'${value}' is not one of ${allowed.join(', ')}`);
    return match;
  }
}
