export { run, createProgram, type CommandContext, type CommandAction } from './program.js';
export { processIo, type CliIo } from './io.js';
export { EXIT_OK, EXIT_FAILED, EXIT_INVALID, InvalidInputError, exitCodeFor, type ExitCode } from './outcome.js';
