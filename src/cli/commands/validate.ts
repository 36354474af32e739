import { clientFor, thoughtspotPort } from '../../daemon/index.js';
import { targetObjects } from '../../sync/target.js';
import { parseFiles, readTmlFiles } from '../../sync/content.js';
import { validateInTarget, validateOffline, type Finding } from '../../sync/validate.js';
import { HostQueues, type ThoughtSpotClient } from '../../thoughtspot/index.js';
import type { KnownObject } from '../../tml/index.js';
import { InvalidInputError, type ExitCode } from '../outcome.js';
import type { CommandContext } from '../program.js';
import { configFrom, environmentsFor } from './export.js';

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
 * enums, references within the files), and with `--env` a `VALIDATE_ONLY`
 * import into that environment in dependency-ordered batches. Exit 2 when
 * anything is invalid.
 */
export async function validateCommand(options: ValidateCommandOptions, args: string[], context: CommandContext): Promise<ExitCode> {
  const cwd = process.cwd();
  // Paths as given, relative to the working directory or absolute.
  const files = readTmlFiles(args.length > 0 ? args : ['tml'], cwd);
  if (files.length === 0) throw new InvalidInputError(`no .tml files under ${args.join(', ') || 'tml/'}`);
  const { docs, findings } = parseFiles(files);

  let known: KnownObject[] = [];
  let client: ThoughtSpotClient | undefined;
  if (options.env) {
    const config = await configFrom(options, context);
    const [environment] = environmentsFor(config, options.env, 'deploy');
    client = clientFor(environment!, { log: context.log, redactor: context.redactor, queues: new HostQueues(), env: context.io.env });
    known = await targetObjects(thoughtspotPort(client));
  }
  findings.push(...validateOffline(docs, known));

  if (client && !findings.some((f) => f.severity === 'error')) {
    findings.push(...(await validateInTarget(thoughtspotPort(client), docs, known)).findings);
    await client.logout().catch(() => undefined);
  }
  print(findings, context, options.format);
  const errors = findings.filter((f) => f.severity === 'error').length;
  context.io.stderr.write(`${files.length} file${files.length === 1 ? '' : 's'} checked${options.env ? ` (offline and against ${options.env})` : ' offline'}: ${errors} error${errors === 1 ? '' : 's'}, ${findings.length - errors} warning${findings.length - errors === 1 ? '' : 's'}\n`);
  return errors > 0 ? 2 : 0;
}
