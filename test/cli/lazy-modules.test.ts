import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { CLI_MAIN } from '../support/cli.js';

/**
 * Every `tmlsync` start loads the modules `dist/cli/main.js` imports, transitively; the daemon's
 * and the emulator's are loaded by the commands that start them (`await import`), as 660e894 made
 * them: they were a third of every start's CPU. Read from the build the suite runs (the global
 * setup makes it again after an edit): what Node loads, with type-only imports gone.
 */
const dist = dirname(dirname(CLI_MAIN));

/** The files of dist/ a module imports: statically (`import … from`, `export … from`), and with `dynamic`, by `import()` too. */
function importsOf(file: string, dynamic: boolean): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, false, ts.ScriptKind.JS);
  const specifiers: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) specifiers.push(node.moduleSpecifier.text);
    if (dynamic && ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && ts.isStringLiteral(node.arguments[0]!)) specifiers.push(node.arguments[0].text);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return specifiers.filter((s) => s.startsWith('.')).map((s) => join(dirname(file), s));
}

/** The modules of dist/ loaded by loading `entry` (and, with `dynamic`, by every `import()` on the way). */
function loadedBy(entry: string, dynamic: boolean): string[] {
  const seen = new Set([entry]);
  for (const file of seen) for (const next of importsOf(file, dynamic)) seen.add(next);
  return [...seen].map((file) => relative(dist, file).split('\\').join('/')).sort();
}

/** The emulator's flag parser (`apis.js`, and the constants it imports): the emulator command's own, loaded at start. */
const flagParser = new Set(loadedBy(join(dist, 'emulator', 'apis.js'), false));

/** The daemon's and the emulator's modules, but for the flag parser. */
const started = (file: string) => file.startsWith('daemon/') || (file.startsWith('emulator/') && !flagParser.has(file));

describe('the modules every tmlsync command loads', () => {
  it('leave the daemon and the emulator to the commands that start them', () => {
    const atStart = loadedBy(CLI_MAIN, false);
    // The walk sees the program and its commands.
    expect(atStart).toEqual(expect.arrayContaining(['cli/main.js', 'cli/program.js', 'cli/commands/deploy.js', 'sync/sync/sync.js']));
    expect(atStart.filter(started)).toEqual([]);
    // They are there, a dynamic import away: the check would see them loaded at start.
    expect(loadedBy(CLI_MAIN, true)).toEqual(expect.arrayContaining(['daemon/index.js', 'emulator/index.js']));
  });
});
