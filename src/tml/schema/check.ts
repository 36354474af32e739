import { formatPath, isMap } from '../path.js';
import type { LocalIssue, TmlPath, TmlSeverity, TmlValue } from '../types.js';
import { ENUMS, EXPORTED_FIELDS, MESSAGES as DEFINED } from './edoc.js';

/**
 * Schema-checked fields (issue 18): every field of a TML body against ThoughtSpot's own message
 * definitions (edoc.ts). An unknown field is a warning naming the closest known one (ThoughtSpot's
 * newer builds add fields faster than its published definitions: `spotter_config`, `ai_context`);
 * a value of the wrong type, or an enum value the definition does not have, is an error, as
 * ThoughtSpot's import refuses both.
 *
 * What counts as the right type follows protobuf's JSON reading, which ThoughtSpot's import uses:
 * a string field takes any scalar; a number field a number or a string holding one; a bool field
 * `true`/`false` or those words as strings; an enum field one of its names (or its number); a
 * message field a mapping; a repeated field a list; a map field a list of `key:`/`value:` entries
 * (as ThoughtSpot writes it) or a mapping. A field may also be written in protobuf's lowerCamel
 * JSON name (`dbColumnName`). A string holding a template placeholder (`${VAR}`, `{{ VAR }}`,
 * `<< VAR >>`) is left alone: a pipeline fills it in before the import sees it.
 */
export interface SchemaFinding extends LocalIssue {
  readonly severity: TmlSeverity;
}

interface FieldType {
  /** `s`, `i`, `d`, `b`, or an enum or message name. */
  readonly type: string;
  readonly shape: 'one' | 'list' | 'map';
}

/** The published definitions with the fields real exports add (edoc.ts). */
const MESSAGES: Readonly<Record<string, string>> = Object.fromEntries(
  [...new Set([...Object.keys(DEFINED), ...Object.keys(EXPORTED_FIELDS)])].map((name) => [name, `${DEFINED[name] ?? ''} ${EXPORTED_FIELDS[name] ?? ''}`.trim()]),
);

const parsed = new Map<string, ReadonlyMap<string, FieldType>>();

/** The fields of a message, by TML name and by lowerCamel JSON name. */
export function fieldsOf(message: string): ReadonlyMap<string, FieldType> {
  const cached = parsed.get(message);
  if (cached) return cached;
  const fields = new Map<string, FieldType>();
  for (const entry of (MESSAGES[message] ?? '').split(' ').filter(Boolean)) {
    const [name = '', spec = ''] = entry.split(':');
    const shape = spec.endsWith('[]') ? 'list' : spec.endsWith('{}') ? 'map' : 'one';
    fields.set(name, { type: shape === 'one' ? spec : spec.slice(0, -2), shape });
  }
  parsed.set(message, fields);
  return fields;
}

/** JSON names are accepted but not suggested: `descripton` is told `description`. */
const lowerCamel = (name: string): string => name.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

/** The message of a kind's body: what `ObjectEDocProto` has under that key (`pinboard` and `liveboard` share one). */
export function messageOfKindKey(kindKey: string | null): string | undefined {
  return kindKey === null ? 'ConnectionDoc' : fieldsOf('ObjectEDocProto').get(kindKey)?.type;
}

const PLACEHOLDER = /\$\{[^}]*\}|\{\{[^}]*\}\}|<<[^>]*>>/;

/** Checks `value` (at `path` from the document root) as the message `message`. */
export function checkMessage(value: TmlValue, message: string, path: TmlPath): SchemaFinding[] {
  if (!isMap(value)) return [mismatch(path, value, 'a map')];
  const fields = fieldsOf(message);
  const findings: SchemaFinding[] = [];
  for (const [key, inner] of Object.entries(value)) {
    const field = fields.get(key) ?? [...fields].find(([name]) => lowerCamel(name) === key)?.[1];
    if (field === undefined) findings.push(unknownField(key, fields, path));
    else findings.push(...checkField(inner, field, [...path, key]));
  }
  return findings;
}

function checkField(value: TmlValue, field: FieldType, path: TmlPath): SchemaFinding[] {
  if (value === null) return [];
  if (field.shape === 'list') {
    if (!Array.isArray(value)) return [mismatch(path, value, 'a list')];
    return value.flatMap((item, i) => checkValue(item, field.type, [...path, i]));
  }
  if (field.shape === 'map') return checkMapField(value, field.type, path);
  return checkValue(value, field.type, path);
}

/** ThoughtSpot writes a map field as a list of `key:`/`value:` entries; protobuf's JSON form is a mapping. */
function checkMapField(value: TmlValue, type: string, path: TmlPath): SchemaFinding[] {
  if (isMap(value)) return Object.entries(value).flatMap(([key, inner]) => checkValue(inner, type, [...path, key]));
  if (!Array.isArray(value)) return [mismatch(path, value, 'a list of key/value entries')];
  return value.flatMap((entry, i) => {
    if (!isMap(entry)) return [mismatch([...path, i], entry, 'a key/value entry')];
    return entry.value === undefined || entry.value === null ? [] : checkValue(entry.value, type, [...path, i, 'value']);
  });
}

function checkValue(value: TmlValue, type: string, path: TmlPath): SchemaFinding[] {
  if (value === null || (typeof value === 'string' && PLACEHOLDER.test(value))) return [];
  if (MESSAGES[type] !== undefined) return checkMessage(value, type, path);
  const names = ENUMS[type];
  if (names !== undefined) return checkEnum(value, names.split(' '), path);
  const expected = scalarProblem(value, type);
  return expected === undefined ? [] : [mismatch(path, value, expected)];
}

/** What the scalar type wants, when `value` is not it. */
function scalarProblem(value: TmlValue, type: string): string | undefined {
  const scalar = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
  switch (type) {
    case 's':
      return scalar ? undefined : 'a string';
    case 'i':
      return Number.isInteger(typeof value === 'string' ? Number(value.trim() === '' ? NaN : value) : value) ? undefined : 'a whole number';
    case 'd':
      return Number.isFinite(typeof value === 'string' ? Number(value.trim() === '' ? NaN : value) : value) ? undefined : 'a number';
    case 'b':
      return typeof value === 'boolean' || value === 'true' || value === 'false' ? undefined : 'true or false';
    default:
      return undefined;
  }
}

function checkEnum(value: TmlValue, names: readonly string[], path: TmlPath): SchemaFinding[] {
  if ((typeof value === 'string' && names.includes(value)) || Number.isInteger(value)) return [];
  const field = String(path.at(-1));
  return [{ severity: 'error', code: 'invalid-enum', tsCode: 14528, path, message: `invalid value ${JSON.stringify(value)} for "${field}"; allowed values are ${names.join(', ')}` }];
}

function mismatch(path: TmlPath, value: TmlValue, expected: string): SchemaFinding {
  const what = Array.isArray(value) ? 'a list' : isMap(value) ? 'a map' : `the ${typeof value} ${JSON.stringify(value)}`;
  return { severity: 'error', code: 'invalid-type', path, message: `"${String(path.at(-1))}" must be ${expected}, not ${what}` };
}

function unknownField(key: string, fields: ReadonlyMap<string, FieldType>, path: TmlPath): SchemaFinding {
  const closest = closestName(key, [...fields.keys()]);
  const hint = closest === undefined ? '' : `, did you mean \`${closest}\`?`;
  return { severity: 'warning', code: 'unknown-field', path: [...path, key], message: `\`${key}\`: unknown field of \`${ownerName(path)}\`${hint}` };
}

/** `liveboard`, `liveboard->visualizations(1st)->answer`; the envelope-less connection's body is the document. */
function ownerName(path: TmlPath): string {
  return path.length === 0 ? 'connection' : formatPath(path);
}

/** The known name nearest to `key` by edit distance, when near enough to be a typo (a third of its length, at least 2). */
export function closestName(key: string, names: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(key.length / 3)) + 1;
  for (const name of names) {
    const distance = editDistance(key.toLowerCase(), name.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [name, distance];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
