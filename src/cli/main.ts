#!/usr/bin/env node
import { boundHeapGrowth } from './heap.js';
import { processIo } from './io.js';
import { run } from './program.js';

boundHeapGrowth();
const io = processIo();
run(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // Only a bug in the CLI itself gets here; still no stack trace for the user.
    io.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
