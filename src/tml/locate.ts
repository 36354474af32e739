import { EVENT_ID, getScalarValue, parseEvents } from 'js-yaml';
import type { Event } from 'js-yaml';
import type { TmlPath } from './types.js';

/** Source position of one YAML node: its line, and its children's. */
interface Located {
  line: number;
  /** mapping: key → line of the key, and the value's node */
  entries?: Map<string, { keyLine: number; node: Located }>;
  items?: Located[];
}

/**
 * Maps a field path to its 1-based line in the source text (YAML or JSON, which js-yaml reads
 * as YAML flow). The event stream is only built on the first call: most documents are valid
 * and never asked. A path that runs past the document answers with the nearest ancestor's
 * line, so "field missing" is reported where its parent is.
 */
export function createLineLocator(text: string): (path: TmlPath) => number | undefined {
  let root: Located | null | undefined;
  return (path) => {
    if (root === undefined) root = buildTree(text);
    if (root === null) return undefined;
    let node: Located = root;
    let line = root.line;
    for (const segment of path) {
      const next: { line: number; node: Located } | undefined =
        typeof segment === 'number' ? wrap(node.items?.[segment]) : keyed(node.entries?.get(segment));
      if (next === undefined) return line;
      ({ line, node } = next);
    }
    return line;
  };
}

function wrap(node: Located | undefined): { line: number; node: Located } | undefined {
  return node && { line: node.line, node };
}

function keyed(entry: { keyLine: number; node: Located } | undefined): { line: number; node: Located } | undefined {
  return entry && { line: entry.keyLine, node: entry.node };
}

function buildTree(text: string): Located | null {
  let events: Event[];
  try {
    events = parseEvents(text, {});
  } catch {
    return null;
  }
  const lineAt = lineIndex(text);
  // Containers being filled; a mapping remembers the key it is waiting to give a value.
  const stack: { node: Located; pendingKey?: { key: string | undefined; line: number } }[] = [];
  let root: Located | null = null;
  // An empty scalar (`description:`) has no offset: it sits where the last node was.
  let lastLine = 1;

  /** Places a node: as the root, a list item, a mapping key (its text and line are kept until
   * the value comes), or the value of the pending key. */
  const attach = (node: Located, key?: string): void => {
    const parent = stack.at(-1);
    if (parent === undefined) root ??= node;
    else if (parent.node.items) parent.node.items.push(node);
    else if (parent.pendingKey === undefined) parent.pendingKey = { key, line: node.line };
    else {
      const { key: pending, line } = parent.pendingKey;
      if (pending !== undefined) parent.node.entries?.set(pending, { keyLine: line, node });
      parent.pendingKey = undefined;
    }
  };

  for (const event of events) {
    switch (event.type) {
      case EVENT_ID.MAPPING:
      case EVENT_ID.SEQUENCE: {
        if (event.start >= 0) lastLine = lineAt(event.start);
        const node: Located = { line: lastLine };
        if (event.type === EVENT_ID.MAPPING) node.entries = new Map();
        else node.items = [];
        // A collection used as a mapping key has no text; it cannot be named in a path.
        attach(node);
        stack.push({ node });
        break;
      }
      case EVENT_ID.SCALAR:
        if (event.valueStart >= 0) lastLine = lineAt(event.valueStart);
        attach({ line: lastLine }, getScalarValue(text, event));
        break;
      case EVENT_ID.ALIAS:
        if (event.anchorStart >= 0) lastLine = lineAt(event.anchorStart);
        attach({ line: lastLine });
        break;
      case EVENT_ID.POP:
        stack.pop();
        break;
      default:
        break;
    }
  }
  return root;
}

/** offset → 1-based line, by binary search over line starts. */
function lineIndex(text: string): (offset: number) => number {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset) => {
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((starts[mid] ?? 0) <= offset) low = mid;
      else high = mid - 1;
    }
    return low + 1;
  };
}
