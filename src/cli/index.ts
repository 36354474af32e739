export { run, createProgram } from './program.js';
export type { CommandContext, CommandAction } from './context.js';
export { processIo, type CliIo } from './io.js';
export { EXIT_OK, EXIT_FAILED, EXIT_INVALID, exitCodeFor, type ExitCode } from './outcome.js';
export { InvalidInputError } from '../errors/index.js';
