/**
 * Bad flags, bad files, bad configuration: the user can fix it, and the CLI
 * exits 2 (DESIGN.md "Triggers and interfaces").
 *
 * The one base class of every such error: a module marks its error as the
 * user's by extending it, and the exit-code policy (src/cli/outcome.ts) asks
 * `instanceof`, so that no error needs another's name and no list of names
 * has to be kept in step. It lives in a module of its own that imports
 * nothing, so that every layer (config, sync, app, cli) may extend it;
 * `tml/` is the exception, as it imports nothing of ours at all.
 */
export class InvalidInputError extends Error {
  override readonly name: string = 'InvalidInputError';
}
