import { CORE_SCHEMA, YAMLException, load } from 'js-yaml';
import { parse as parseLosslessJson } from 'lossless-json';
import { TmlParseError } from './errors.js';
import { handlers } from './kinds/index.js';
import { PARSE_LIMITS, textBreach, treeBreach, type LimitBreach } from './limits.js';
import { createLineLocator } from './locate.js';
import { NUMBER_FORM_TAGS, mayHoldWrittenNumbers, readJsonNumber, settleNumbers, writtenForm } from './numbers.js';
import { isMap } from './path.js';
import type { KindHandler, TmlDocument, TmlFormat, TmlMap, TmlPath } from './types.js';

export interface ParseOptions {
  /** Named in errors and issues; never opened (this module does no I/O). */
  readonly file?: string;
}

/**
 * Reads one TML document, YAML or JSON (`formattype=JSON` exports, §2.15). Throws
 * TmlParseError with file, line and column when the text is not YAML/JSON, exceeds the parse
 * limits (limits.ts), or is not a TML envelope (§3.1: identity keys and exactly one kind
 * key, or the envelope-less connection).
 */
export function parse(text: string, options: ParseOptions = {}): TmlDocument {
  const format: TmlFormat = /^\uFEFF?\s*\{/.test(text) ? 'json' : 'yaml';
  const lineOf = createLineLocator(text);
  const data = readWithinLimits(text, format, options.file, lineOf);
  return envelope(data, { file: options.file, format, lineOf });
}

/**
 * Reads one YAML document that is not TML (a configuration, `principals/principals.yaml`)
 * under the same limits as TML. Throws TmlParseError naming the file, and the line when known.
 */
export function parseYaml(text: string, options: ParseOptions = {}): unknown {
  return readWithinLimits(text, 'yaml', options.file, createLineLocator(text));
}

function readWithinLimits(text: string, format: TmlFormat, file: string | undefined, lineOf: (path: TmlPath) => number | undefined): unknown {
  const refuse = (breach: LimitBreach): never => {
    const line = breach.line ?? (breach.path && lineOf(breach.path));
    throw new TmlParseError(breach.reason, { ...(file !== undefined && { file }), ...(line !== undefined && { line }) });
  };
  const before = textBreach(text, format);
  if (before) return refuse(before);
  const data = settleNumbers(format === 'json' ? readJson(text, file) : readYaml(text, file));
  // Only a YAML alias (`*name`) makes one object appear in two places.
  const after = treeBreach(data, { shared: format === 'yaml' && text.includes('*') });
  return after ? refuse(after) : data;
}

/** YAML 1.2's core schema, whose numbers keep their written form (numbers.ts). */
const READ_SCHEMA = CORE_SCHEMA.withTags(NUMBER_FORM_TAGS);

function readYaml(text: string, file: string | undefined, label = 'YAML'): unknown {
  try {
    return load(text, { schema: READ_SCHEMA, maxDepth: PARSE_LIMITS.maxDepth, maxAliases: PARSE_LIMITS.maxAliases });
  } catch (error) {
    // js-yaml documents that it may throw more than YAMLException on hostile input.
    const reason = error instanceof YAMLException ? error.reason : error instanceof Error ? error.message : String(error);
    const mark = error instanceof YAMLException ? error.mark : undefined;
    throw new TmlParseError(`invalid ${label}: ${reason}`, { ...(file !== undefined && { file }), ...(mark && { line: mark.line + 1, column: mark.column + 1 }) });
  }
}

/**
 * Strict JSON, each number with its written form: lossless-json (MIT, no dependencies, kept
 * up by the author of mathjs) hands over every number's lexeme, which JSON.parse cannot.
 * It reads only texts that may
 * hold such a number (mayHoldWrittenNumbers); JSON.parse reads the others. Cost, measured over the
 * three JSON exports of test/fixtures/real-tml (24 KB, median of 31 rounds): 2.8 ms against
 * JSON.parse's 0.13 ms, i.e. about 0.12 ms per KB, below what reading and writing YAML costs
 * (the whole corpus, 297 KB, parse + format: median 255 ms per round after this change, 273 ms
 * before, on a noisy 2-core machine: scripts/measure-tml-corpus.mts). The YAML parser (which
 * reads JSON) locates an error when it finds one too, and the message's offset otherwise.
 */
function readJson(text: string, file: string | undefined): unknown {
  try {
    const json = text.replace(/^\uFEFF/, '');
    // A key that is an array index loses its place in a JavaScript object (numbers.ts, keyOrders);
    // the YAML reader keeps it, as it keeps numbers' forms. No ThoughtSpot export has such a key.
    if (INDEX_KEY_IN_JSON.test(json)) return readYaml(text, file, 'JSON');
    return mayHoldWrittenNumbers(json) ? readLosslessJson(json) : JSON.parse(json);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    readYaml(text, file, 'JSON');
    const offset = /at position (\d+)/.exec(reason)?.[1];
    const before = offset === undefined ? undefined : text.slice(0, Number(offset)).split('\n');
    throw new TmlParseError(`invalid JSON: ${reason.replace(/\s+/g, ' ')}`, {
      ...(file !== undefined && { file }),
      ...(before && { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 }),
    });
  }
}

/** A JSON key that is an array index (`"12":`); it may match inside a string too, which only costs the slower reader. */
const INDEX_KEY_IN_JSON = /"(?:0|[1-9]\d*)"\s*:/;

/** A key written twice (which lossless-json refuses) is read as JSON.parse reads it, the last one winning, without the numbers' forms. */
function readLosslessJson(json: string): unknown {
  try {
    return parseLosslessJson(json, null, readJsonNumber);
  } catch (error) {
    if (error instanceof Error && /^Duplicate key/.test(error.message)) return JSON.parse(json);
    throw error;
  }
}

/**
 * A document from data already in memory (built, transformed or decoded elsewhere). Same
 * envelope checks as parse(); no line numbers.
 */
export function fromData(data: TmlMap, options: ParseOptions & { readonly format?: TmlFormat } = {}): TmlDocument {
  return envelope(data, { file: options.file, format: options.format ?? 'yaml', lineOf: () => undefined });
}

/** Identity keys of the envelope (§3.1, §3.5). */
const IDENTITY_KEYS = new Set(['guid', 'obj_id']);
/** Other envelope fields of `ObjectEDocProto` (§3.1), kept as they are. */
const PASSIVE_KEYS = new Set(['object_id', 'joins', 'permissions', 'hidden', 'is_demo_data']);
/** Kinds of the proto we do not handle: named, so the error says so rather than "unknown". */
const UNSUPPORTED_KINDS = new Set(['monitor_alert', 'action_object', 'role_object', 'group_object', 'user_object']);

interface Context {
  readonly file: string | undefined;
  readonly format: TmlFormat;
  readonly lineOf: (path: TmlPath) => number | undefined;
}

function envelope(data: unknown, context: Context): TmlDocument {
  const { file, lineOf } = context;
  const fail = (reason: string, path: TmlPath = []): never => {
    const line = lineOf(path);
    throw new TmlParseError(reason, { ...(file !== undefined && { file }), ...(line !== undefined && { line }) });
  };
  if (!isMap(data)) return fail(`a TML document is a mapping (guid: and one kind key); this one is ${Array.isArray(data) ? 'a list' : `a ${data === null ? 'null' : typeof data} value`}`);

  const keys = Object.keys(data);
  const kinds = keys.flatMap((key) => {
    const found = handlerOf(key);
    return found === undefined ? [] : [{ key, handler: found }];
  });
  const known = (key: string): boolean => IDENTITY_KEYS.has(key) || PASSIVE_KEYS.has(key) || handlerOf(key) !== undefined;

  // The envelope-less connection has a top-level `table:` list, which is not a table body:
  // recognise it before looking for kind keys.
  const bare = keys.some((k) => IDENTITY_KEYS.has(k)) ? undefined : handlers().find((h) => h.recognizesBare?.(data));
  let handler: KindHandler;
  let kindKey: string | null;
  let body: TmlMap;
  const [first, second] = kinds;
  if (bare !== undefined) {
    [handler, kindKey, body] = [bare, null, data];
  } else if (first === undefined) {
    const unsupported = keys.find((k) => UNSUPPORTED_KINDS.has(k));
    if (unsupported !== undefined) return fail(`TML kind "${unsupported}" is not supported (supported: ${supportedKeys()})`, [unsupported]);
    return fail(`no TML kind key: expected one of ${supportedKeys()}; found ${keys.length === 0 ? 'no keys' : keys.map((k) => JSON.stringify(k)).join(', ')}`);
  } else {
    if (second !== undefined) return fail(`more than one TML kind key (${kinds.map((k) => k.key).join(', ')}); a document holds exactly one object`, [second.key]);
    const unknown = keys.find((k) => !known(k));
    if (unknown !== undefined) return fail(`unknown top-level key ${JSON.stringify(unknown)} next to "${first.key}"`, [unknown]);
    const value = data[first.key];
    if (!isMap(value)) return fail(`"${first.key}" must be a mapping of the object's fields`, [first.key]);
    [handler, kindKey, body] = [first.handler, first.key, value];
  }

  const identity = (key: string): string | undefined => {
    const value = kindKey === null ? undefined : data[key];
    // `guid:`, `guid: null` and `guid: ""` all say "no GUID yet": hand-made import files and
    // templates write each (test/fixtures/real-tml: ts_migration's TEMPLATE files, cs_tools'
    // `guid: null`), and ThoughtSpot creates a new object for them, as for a file without `guid`.
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string') return fail(`"${key}" must be a string`, [key]);
    return value;
  };
  const guid = identity('guid');
  const objId = identity('obj_id');
  return {
    kind: handler.kind,
    kindKey,
    ...(guid !== undefined && { guid }),
    ...(objId !== undefined && { objId }),
    name: nameOf(body),
    body,
    data,
    format: context.format,
    ...(file !== undefined && { file }),
    lineOf,
  };
}

/** A name written unquoted as a number or boolean (`name: 2024`, `name: 1e5`) still names the
 * object, as written. */
function nameOf(body: TmlMap): string {
  const value = body.name;
  if (typeof value === 'number') return writtenForm(body, 'name', value) ?? String(value);
  return typeof value === 'string' ? value : typeof value === 'boolean' ? String(value) : '';
}

function handlerOf(key: string): KindHandler | undefined {
  return handlers().find((h) => h.keys.includes(key));
}

function supportedKeys(): string {
  return handlers()
    .flatMap((h) => h.keys)
    .join(', ');
}
