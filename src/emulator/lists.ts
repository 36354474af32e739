/**
 * List-valued parameters as real clients send them (reference §1.5, §2.16):
 * a JSON array (`["a","b"]`), a single-quoted one (`['a','b']`, as in the
 * docs' examples), unquoted GUIDs (`[guid1,guid2]`), or a Python `repr` of a
 * list of strings, which the official Python client sends for
 * `import_objects` (single quotes, or double quotes around strings holding a
 * `'`, with `\'`, `\\`, `\n`, `\xNN` and `\uNNNN` escapes). Elements that are
 * JSON objects (the docs' curl example for `import_objects`) come back as JSON text.
 */

export class ListSyntaxError extends Error {
  override readonly name = 'ListSyntaxError';
}

export function parseList(text: string): string[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  if (!trimmed.startsWith('[')) return [trimmed];
  try {
    const parsed: unknown = JSON.parse(trimmed);
    if (Array.isArray(parsed)) return parsed.map((item) => (typeof item === 'string' ? item : JSON.stringify(item)));
  } catch {
    // Not JSON: one of the lenient spellings below.
  }
  return parseLenientList(trimmed);
}

const PYTHON_ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '\\': '\\', "'": "'", '"': '"', '0': '\0', a: '\x07', b: '\b', f: '\f', v: '\v' };

function parseLenientList(text: string): string[] {
  const items: string[] = [];
  let i = 1;
  const skipSpace = () => {
    while (i < text.length && /\s/.test(text[i]!)) i += 1;
  };
  skipSpace();
  if (text[i] === ']') return expectEnd(i + 1, items);
  for (;;) {
    skipSpace();
    const quote = text[i];
    if (quote === "'" || quote === '"') {
      const [value, next] = readQuoted(text, i + 1, quote);
      items.push(value);
      i = next;
    } else {
      const start = i;
      while (i < text.length && text[i] !== ',' && text[i] !== ']') i += 1;
      items.push(text.slice(start, i).trim());
    }
    skipSpace();
    if (text[i] === ',') {
      i += 1;
      continue;
    }
    if (text[i] === ']') return expectEnd(i + 1, items);
    throw new ListSyntaxError(`expected ',' or ']' at character ${i + 1}`);
  }

  function expectEnd(at: number, result: string[]): string[] {
    if (text.slice(at).trim() !== '') throw new ListSyntaxError(`unexpected text after ']' at character ${at + 1}`);
    return result;
  }
}

function readQuoted(text: string, start: number, quote: string): [string, number] {
  let out = '';
  let i = start;
  while (i < text.length) {
    const c = text[i]!;
    if (c === quote) return [out, i + 1];
    if (c !== '\\') {
      out += c;
      i += 1;
      continue;
    }
    const e = text[i + 1];
    if (e === undefined) break;
    const hexLength = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
    if (hexLength > 0) {
      const hex = text.slice(i + 2, i + 2 + hexLength);
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== hexLength) throw new ListSyntaxError(`bad \\${e} escape at character ${i + 1}`);
      out += String.fromCodePoint(parseInt(hex, 16));
      i += 2 + hexLength;
    } else if (e in PYTHON_ESCAPES) {
      out += PYTHON_ESCAPES[e];
      i += 2;
    } else {
      // Python keeps unknown escapes as written; so does JSON's `\/` become `/`.
      out += e === '/' ? '/' : `\\${e}`;
      i += 2;
    }
  }
  throw new ListSyntaxError(`unterminated string starting at character ${start}`);
}
