/** Errors shared by every layer: the base class of the user's mistakes (exit 2). Imports nothing. */
export { InvalidInputError } from './input-error.js';
export { listenError } from './listen.js';
