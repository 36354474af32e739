import { configFrom, connect, environmentsFor, withSession } from '../../app/index.js';
import { InvalidInputError } from '../../errors/index.js';
import { parseFiles, readTmlFiles } from '../../sync/kernel/content.js';
import { targetObjects } from '../../sync/kernel/target.js';
import { validateInTarget, validateOffline, type Finding } from '../../sync/kernel/validate.js';
import type { ExitCode } from '../outcome.js';
import { commandServices, type CommandContext } from '../context.js';

export interface ValidateCommandOptions {
  config?: string;
  env?: string;
  format: 'text' | 'json';
}

function print(findings: Finding[], context: CommandContext, formatName: 'text' | 'json'): void {
  const { io } = context;
  if (formatName === 'json') {
    io.stdout.write(`${JSON.stringify({ errors: findings.filter((f) => f.severity === 'error').length, findings }, null, 2)}\n`);
  } else {
    for (const f of findings) {
      const where = f.file ? `${f.file}${f.line !== undefined ? `:${f.line}` : ''}: ` : '';
      const text = f.message.startsWith(where.slice(0, -2)) ? f.message : `${where}${f.message}`;
      io.stdout.write(`${f.severity}: ${text}${f.source === 'thoughtspot' ? ' (ThoughtSpot)' : ''}\n`);
    }
  }
  // GitHub Actions reads these as file annotations on the pull request.
  if (io.env.GITHUB_ACTIONS === 'true') {
    for (const f of findings) {
      const props = [f.file ? `file=${f.file}` : '', f.line !== undefined ? `line=${f.line}` : ''].filter(Boolean).join(',');
      const message = f.message.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
      io.stdout.write(`::${f.severity === 'error' ? 'error' : 'warning'}${props ? ` ${props}` : ''}::${message}\n`);
    }
  }
}

/**
 * `tmlsync validate [paths…]`: offline checks (parse, kind, required fields,
 * enums, references within the files, and the identities a deploy refuses:
 * `identityFindings`), and with `--env` a `VALIDATE_ONLY`
 * import into that environment in dependency-ordered batches. Exit 2 when
 * anything is invalid.
 */
export async function validateCommand(options: ValidateCommandOptions, args: string[], context: CommandContext): Promise<ExitCode> {
  // Paths as given, relative to the working directory or absolute.
  const files = readTmlFiles(args.length > 0 ? args : ['tml'], process.cwd());
  if (files.length === 0) throw new InvalidInputError(`no .tml files under ${args.join(', ') || 'tml/'}`);
  const { docs, findings } = parseFiles(files);

  if (options.env) {
    const services = commandServices(context);
    const config = await configFrom(options.config, services, options.env);
    const [environment] = environmentsFor(config, options.env, 'deploy');
    await withSession(connect(environment!, services), async ({ port }) => {
      const known = await targetObjects(port);
      findings.push(...validateOffline(docs, known));
      // The deploy's own gate: ThoughtSpot sees the documents only once they pass offline.
      if (!findings.some((f) => f.severity === 'error')) findings.push(...(await validateInTarget(port, docs, known)).findings);
    });
  } else {
    findings.push(...validateOffline(docs, []));
  }
  print(findings, context, options.format);
  const errors = findings.filter((f) => f.severity === 'error').length;
  context.io.stderr.write(`${files.length} file${files.length === 1 ? '' : 's'} checked${options.env ? ` (offline and against ${options.env})` : ' offline'}: ${errors} error${errors === 1 ? '' : 's'}, ${findings.length - errors} warning${findings.length - errors === 1 ? '' : 's'}\n`);
  return errors > 0 ? 2 : 0;
}
