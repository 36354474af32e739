import { CODE, V1Error } from '../errors.js';

/**
 * The search-query subset of the v1 API form (reference §2.12): bracketed
 * columns, an optional date bucket (`[date].monthly`, `[date].'day of week'`),
 * filters with `=`, `!=`, `>`, `>=`, `<`, `<=`, `contains`, `not contains`,
 * `begins with`, `ends with` on quoted strings or bare numbers (several
 * comma-separated values mean any of them), `top N`, `bottom N`, and
 * `sort by [c] [ascending|descending]`.
 */

export type FilterOperator = '=' | '!=' | '>' | '>=' | '<' | '<=' | 'contains' | 'not contains' | 'begins with' | 'ends with';

export interface QueryColumn {
  name: string;
  bucket?: string;
}

export interface QueryFilter {
  column: string;
  operator: FilterOperator;
  values: (string | number)[];
}

export interface ParsedQuery {
  columns: QueryColumn[];
  filters: QueryFilter[];
  sort?: { column: string; descending: boolean };
  limit?: { count: number; from: 'top' | 'bottom' };
}

const WORD_OPERATORS: FilterOperator[] = ['not contains', 'contains', 'begins with', 'ends with'];
const SYMBOL_OPERATORS: FilterOperator[] = ['!=', '>=', '<=', '=', '>', '<'];

export function invalidQuery(message: string): V1Error {
  return new V1Error(400, CODE.invalidParameter, `Invalid query_string: ${message}`);
}

export function parseQuery(text: string): ParsedQuery {
  const query: ParsedQuery = { columns: [], filters: [] };
  let i = 0;
  const rest = () => text.slice(i);
  const skip = () => {
    while (i < text.length && /\s/.test(text[i]!)) i += 1;
  };
  const keyword = (word: string) => {
    const match = new RegExp(`^${word.replace(' ', '\\s+')}(?![\\w])`, 'i').exec(rest());
    if (!match) return false;
    i += match[0].length;
    return true;
  };
  const column = (): string => {
    if (text[i] !== '[') throw invalidQuery(`expected a [column] at character ${i + 1}`);
    const end = text.indexOf(']', i);
    if (end < 0) throw invalidQuery(`unclosed [ at character ${i + 1}`);
    const name = text.slice(i + 1, end).trim();
    if (!name) throw invalidQuery(`empty column name at character ${i + 1}`);
    i = end + 1;
    return name;
  };
  const value = (): string | number => {
    skip();
    if (text[i] === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw invalidQuery(`unclosed quote at character ${i + 1}`);
      const v = text.slice(i + 1, end);
      i = end + 1;
      return v;
    }
    const match = /^-?\d+(\.\d+)?/.exec(rest());
    if (match) {
      i += match[0].length;
      return Number(match[0]);
    }
    const word = /^[^\s,[\]]+/.exec(rest());
    if (!word) throw invalidQuery(`expected a value at character ${i + 1}`);
    i += word[0].length;
    return word[0];
  };

  for (skip(); i < text.length; skip()) {
    const limit = /^(top|bottom)\s+(\d+)(?!\w)/i.exec(rest());
    if (limit) {
      i += limit[0].length;
      query.limit = { count: Number(limit[2]), from: limit[1]!.toLowerCase() === 'top' ? 'top' : 'bottom' };
      continue;
    }
    if (keyword('sort by')) {
      skip();
      const name = column();
      skip();
      let descending = false;
      if (keyword('descending')) descending = true;
      else keyword('ascending');
      query.sort = { column: name, descending };
      continue;
    }
    if (keyword('by')) continue;
    const name = column();
    let bucket: string | undefined;
    if (text[i] === '.') {
      i += 1;
      const quoted = /^'([^']*)'/.exec(rest());
      const word = quoted ?? /^[a-z_]+/i.exec(rest());
      if (!word) throw invalidQuery(`expected a date bucket after [${name}].`);
      bucket = (quoted ? quoted[1] : word[0])!.toLowerCase();
      i += word[0].length;
    }
    skip();
    const operator = [...WORD_OPERATORS, ...SYMBOL_OPERATORS].find((op) =>
      /^[a-z]/.test(op) ? new RegExp(`^${op.replace(' ', '\\s+')}\\b`, 'i').test(rest()) : rest().startsWith(op),
    );
    if (operator) {
      i += /^[a-z]/.test(operator) ? new RegExp(`^${operator.replace(' ', '\\s+')}`, 'i').exec(rest())![0].length : operator.length;
      const values = [value()];
      for (skip(); text[i] === ','; skip()) {
        i += 1;
        values.push(value());
      }
      query.filters.push({ column: name, operator, values });
    } else {
      query.columns.push(bucket ? { name, bucket } : { name });
    }
  }
  return query;
}
