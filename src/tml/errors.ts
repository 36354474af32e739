/**
 * A TML document that cannot be read: bad YAML/JSON or no recognisable envelope.
 * `message` is the whole user-facing text (`file:line:column: reason`), so callers print it
 * and never a stack.
 */
export class TmlParseError extends Error {
  override readonly name = 'TmlParseError';
  readonly file: string | undefined;
  /** 1-based; undefined when the problem has no position (an empty file). */
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly reason: string;

  constructor(reason: string, where: { file?: string; line?: number; column?: number } = {}) {
    super(locate(where) + reason);
    this.reason = reason;
    this.file = where.file;
    this.line = where.line;
    this.column = where.column;
  }
}

function locate({ file, line, column }: { file?: string; line?: number; column?: number }): string {
  const parts = [file ?? (line === undefined ? undefined : '<input>'), line, line === undefined ? undefined : column];
  const text = parts.filter((p) => p !== undefined).join(':');
  return text === '' ? '' : `${text}: `;
}

/**
 * A parse error as one line of a list of problems (a configuration's, a
 * principals file's), the file being named by the list: "not valid YAML
 * (line N): …" for bad syntax, "refused (line N): …" for a parse limit.
 */
export function yamlProblem(error: TmlParseError): string {
  const at = error.line === undefined ? '' : ` (line ${error.line})`;
  const syntax = /^invalid YAML: /.exec(error.reason);
  return syntax ? `not valid YAML${at}: ${error.reason.slice(syntax[0].length)}` : `refused${at}: ${error.reason}`;
}
