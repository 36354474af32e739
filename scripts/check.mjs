#!/usr/bin/env node
// `npm run check`: the type-check and the lint of every TypeScript file, from one TypeScript
// program. `tsc -p .` and `eslint .` each built the same program of tsconfig.json's files, and
// `npm test` runs both beside the tests on a 2-core machine: 17 s and 40 s of CPU apart, 36 s
// together (one run each, back to back). The lint is eslint.config.js's, with the program given
// to typescript-eslint (`parserOptions.programs`) in place of the one it would build.
// Exits 1 on any type error, lint error or lint warning (`eslint --max-warnings=0`), once its output
// is written: it sets the exit code and lets the process end (a pipe's writes are asynchronous,
// and process.exit() dropped what was past the pipe's 64 KiB).
import { ESLint } from 'eslint';
import ts from 'typescript';

/** The program of tsconfig.json, and its type errors (what `tsc -p .` reports, nothing emitted); undefined when tsconfig.json cannot be read. */
function typeCheck() {
  const host = { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (diagnostic) => report([diagnostic]) };
  const config = ts.getParsedCommandLineOfConfigFile('tsconfig.json', {}, host);
  if (!config) return undefined;
  const program = ts.createProgram({ rootNames: config.fileNames, options: config.options, projectReferences: config.projectReferences });
  return { program, errors: [...config.errors, ...ts.getPreEmitDiagnostics(program)] };
}

/** Type errors as `tsc` prints them: with colours and the line on a terminal, one line each otherwise. */
function report(diagnostics) {
  const host = { getCanonicalFileName: (name) => name, getCurrentDirectory: ts.sys.getCurrentDirectory, getNewLine: () => '\n' };
  const format = process.stdout.isTTY ? ts.formatDiagnosticsWithColorAndContext : ts.formatDiagnostics;
  process.stdout.write(format(diagnostics, host));
}

/** eslint.config.js over every file, the TypeScript ones typed by `program`; the number of problems. */
async function lint(program) {
  const eslint = new ESLint({ overrideConfig: [{ files: ['**/*.ts', '**/*.mts', '**/*.cts', '**/*.tsx'], languageOptions: { parserOptions: { project: null, programs: [program] } } }] });
  const results = await eslint.lintFiles(['.']);
  const formatter = await eslint.loadFormatter('stylish');
  process.stdout.write(await formatter.format(results));
  return results.reduce((sum, result) => sum + result.errorCount + result.warningCount, 0);
}

const checked = typeCheck();
if (checked) {
  report(checked.errors);
  const problems = await lint(checked.program);
  process.stdout.write(`type-check: ${checked.errors.length} error(s); lint: ${problems} problem(s)\n`);
  process.exitCode = checked.errors.length === 0 && problems === 0 ? 0 : 1;
} else {
  process.exitCode = 1;
}
