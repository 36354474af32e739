import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * No import cycle in src/, type-only imports included: the one check of
 * cycles (lint's import-x/no-cycle found only those that run, at a fifth of
 * lint's time). Two modules that need each other's types cannot be read or
 * changed one at a time either (issue 14: deploy.ts ↔ prune.ts).
 */
const src = fileURLToPath(new URL('../../src/', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Each file's imports of other files of src/ (relative specifiers; `.js` names the `.ts` source). */
function importGraph(files: string[]): Map<string, string[]> {
  return new Map(
    files.map((file) => {
      const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
      const local = importedFiles.filter((i) => i.fileName.startsWith('.')).map((i) => join(dirname(file), i.fileName.replace(/\.js$/, '.ts')));
      return [file, local];
    }),
  );
}

/** The strongly connected components with more than one file (Tarjan): each is a cycle. */
function cycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (file: string) => {
    index.set(file, index.size);
    low.set(file, index.get(file)!);
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (!graph.has(next)) continue;
      if (!index.has(next)) {
        visit(next);
        low.set(file, Math.min(low.get(file)!, low.get(next)!));
      } else if (stack.includes(next)) {
        low.set(file, Math.min(low.get(file)!, index.get(next)!));
      }
    }
    if (low.get(file) !== index.get(file)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      component.push(relative(src, member).split('\\').join('/'));
    } while (member !== file);
    if (component.length > 1) found.push(component.sort());
  };
  for (const file of graph.keys()) if (!index.has(file)) visit(file);
  return found;
}

describe('the import graph of src/', () => {
  it('finds a cycle where there is one (the check can fail)', () => {
    const found = cycles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]));
    expect(found.map((cycle) => cycle.map((file) => file.split('/').pop()))).toEqual([['a', 'b', 'c']]);
  });

  it('resolves every relative import of src/ to a file of the graph (none is skipped unseen)', () => {
    const graph = importGraph(sourceFiles(src));
    const unresolved = [...graph.values()].flat().filter((target) => !graph.has(target));
    expect(unresolved).toEqual([]);
  });

  it('has no cycle, counting type-only imports', () => {
    expect(cycles(importGraph(sourceFiles(src)))).toEqual([]);
  });
});
