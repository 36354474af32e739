import type { TmlPath } from './types.js';

/**
 * How large and how deep a YAML or JSON document tmlsync reads may be. Every reader of text
 * that came from outside (a pushed branch, a configuration file, ThoughtSpot's exports) goes
 * through these, so that a few kilobytes cannot exhaust the process (issue 15, item 3): a
 * "billion laughs" of nested aliases, a value too long for the YAML writer, or nesting deep
 * enough to overflow the recursive code that walks a document. Each number is far above
 * what ThoughtSpot exports and people write, and well below what breaks.
 */
export interface ParseLimits {
  /** Characters in one document. */
  readonly maxLength: number;
  /** Characters in one line of YAML (JSON exports may be one line; maxLength bounds those). */
  readonly maxLineLength: number;
  /** Characters in one value or key. */
  readonly maxScalarLength: number;
  /** Levels of nesting, counting what aliases repeat (a mapping inside a list is 2). */
  readonly maxDepth: number;
  /** Alias nodes (`*name`) in one document. */
  readonly maxAliases: number;
  /** Values in the document as a reader sees it, every alias expanded. */
  readonly maxNodes: number;
}

export const PARSE_LIMITS: ParseLimits = {
  // The largest TML exports (models of a few thousand columns) are a few megabytes.
  maxLength: 16 * 1024 * 1024,
  maxLineLength: 1024 * 1024,
  // js-yaml's writer overflows its stack on a scalar of a few megabytes (measured: 2 MB
  // formats, 4 MB throws "Maximum call stack size exceeded"); the longest real values are
  // SQL queries and descriptions, kilobytes long.
  maxScalarLength: 1024 * 1024,
  // TML nests about ten levels deep; 100 is js-yaml's own default for what it parses.
  maxDepth: 100,
  // ThoughtSpot writes no aliases at all; a person may use a few.
  maxAliases: 1_000,
  // A 16 MB document of short values holds about a million; an alias bomb, billions.
  maxNodes: 2_000_000,
};

/** A limit a document exceeds: what to say, and where when that is known. */
export interface LimitBreach {
  readonly reason: string;
  readonly line?: number;
  readonly path?: TmlPath;
}

const count = (n: number): string => n.toLocaleString('en-US');

/** The checks that need only the text, made before parsing it: its length, and for YAML its lines' lengths. */
export function textBreach(text: string, format: 'yaml' | 'json', limits: ParseLimits = PARSE_LIMITS): LimitBreach | undefined {
  if (text.length > limits.maxLength) {
    return { reason: `the document is ${count(text.length)} characters long; the limit is ${count(limits.maxLength)}` };
  }
  if (format === 'json' || text.length <= limits.maxLineLength) return undefined;
  let start = 0;
  for (let line = 1; start <= text.length; line += 1) {
    const end = text.indexOf('\n', start);
    const stop = end === -1 ? text.length : end;
    if (stop - start > limits.maxLineLength) {
      return { reason: `the line is ${count(stop - start)} characters long; the limit is ${count(limits.maxLineLength)}`, line };
    }
    if (end === -1) break;
    start = end + 1;
  }
  return undefined;
}

interface Size {
  /** Values in the subtree, every alias expanded. */
  readonly nodes: number;
  /** Levels below and including this node. */
  readonly height: number;
}

const LEAF: Size = { nodes: 1, height: 0 };

/**
 * The checks on the parsed document: value lengths, depth and size with aliases expanded, and
 * no alias inside the node it names (js-yaml builds that as a cycle). An alias is the same
 * object in each place, so each object is measured once: a bomb is refused in the time it
 * takes to read its few distinct nodes. The walk descends at most maxDepth levels.
 * `shared: false` says no object can appear twice (JSON, YAML without aliases): then the
 * document holds no more values than its text has characters, which maxLength bounds, and a
 * quick walk that keeps no record checks depth and lengths (it costs about what JSON.parse
 * does; the full walk, twice that, runs only to name what breaks a limit).
 */
export function treeBreach(root: unknown, options: { shared: boolean }, limits: ParseLimits = PARSE_LIMITS): LimitBreach | undefined {
  if (!options.shared && fits(root, 0, limits)) return undefined;
  const measured = options.shared ? new Map<object, Size>() : undefined;
  const open = options.shared ? new Set<object>() : undefined;
  const path: (string | number)[] = [];
  let breach: LimitBreach | undefined;
  const stop = (reason: string): undefined => {
    breach = { reason, path: [...path] };
    return undefined;
  };
  const tooLong = (text: string, what: string): boolean =>
    text.length > limits.maxScalarLength && stop(`${what} is ${count(text.length)} characters long; the limit is ${count(limits.maxScalarLength)}`) === undefined;

  const visit = (value: unknown, depth: number): Size | undefined => {
    if (typeof value === 'string') return tooLong(value, 'the value') ? undefined : LEAF;
    if (value === null || typeof value !== 'object') return LEAF;
    const known = measured?.get(value);
    if (known !== undefined) {
      return depth + known.height > limits.maxDepth ? stop(`nested more than ${count(limits.maxDepth)} levels deep (counting what aliases repeat)`) : known;
    }
    if (open?.has(value)) return stop('an alias (*name) refers to a node that contains it');
    if (depth >= limits.maxDepth) return stop(`nested more than ${count(limits.maxDepth)} levels deep (counting what aliases repeat)`);
    open?.add(value);
    let nodes = 1;
    let height = 0;
    for (const [key, child] of Array.isArray(value) ? value.entries() : Object.entries(value)) {
      path.push(key);
      if (typeof key === 'string' && tooLong(key, 'the key')) return undefined;
      const size = visit(child, depth + 1);
      if (size === undefined) return undefined;
      path.pop();
      nodes += size.nodes;
      height = Math.max(height, size.height);
      if (options.shared && nodes > limits.maxNodes) return stop(`the document expands to more than ${count(limits.maxNodes)} values (aliases counted each time they are used); the limit is ${count(limits.maxNodes)}`);
    }
    open?.delete(value);
    const size = { nodes, height: height + 1 };
    measured?.set(value, size);
    return size;
  };
  visit(root, 0);
  return breach;
}

/** Whether a document in which no object appears twice is within the depth and length limits. */
function fits(value: unknown, depth: number, limits: ParseLimits): boolean {
  if (typeof value === 'string') return value.length <= limits.maxScalarLength;
  if (value === null || typeof value !== 'object') return true;
  if (depth >= limits.maxDepth) return false;
  if (Array.isArray(value)) return value.every((item) => fits(item, depth + 1, limits));
  for (const key in value) {
    if (key.length > limits.maxScalarLength || !fits((value as Record<string, unknown>)[key], depth + 1, limits)) return false;
  }
  return true;
}
