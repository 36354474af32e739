import { configFrom, environmentsFor } from '../../app/index.js';
import { ConfigError, type LoadedConfig } from '../../config/index.js';
import { detailLogger } from '../../log/index.js';
import { check, checkEnvironment, checkServer, type Check, type RemoteProbes } from '../doctor/checks.js';
import { EXIT_FAILED, EXIT_INVALID, EXIT_OK, type ExitCode } from '../outcome.js';
import { commandServices, type CommandContext } from '../context.js';

export interface DoctorOptions {
  config?: string;
  env?: string;
  format: 'text' | 'json';
}

export interface DoctorReport {
  config: string;
  ok: boolean;
  /** The configuration and the daemon's secrets. */
  checks: Check[];
  environments: { name: string; direction: string; branch: string; checks: Check[] }[];
}

/**
 * `tmlsync doctor`: a checklist per environment, each failure with its fix.
 * Exit 0 when nothing needed failed (warnings do not count), 1 when a check
 * failed, 2 when the configuration itself cannot be loaded.
 */
export async function doctorCommand(options: DoctorOptions, _args: string[], context: CommandContext): Promise<ExitCode> {
  // The checklist is the output: what connecting logs at info (the API version chosen) is a line of it already.
  const services = commandServices({ ...context, log: detailLogger(context.log) });
  let config: LoadedConfig;
  try {
    config = await configFrom(options.config, services, options.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const report: DoctorReport = { config: error.file, ok: false, checks: [check('configuration', 'fail', error.message, 'correct the keys named above (tmlsync init writes a starter configuration)')], environments: [] };
    print(report, options.format, context);
    return EXIT_INVALID;
  }
  const environments = options.env ? environmentsFor(config, options.env, 'export') : config.environments;
  const names = config.environments.map((e) => e.name).join(', ');
  const report: DoctorReport = { config: config.file, ok: true, checks: [check('configuration', 'pass', `valid; environments ${names}`), ...checkServer(config)], environments: [] };
  const probes: RemoteProbes = new Map();
  for (const environment of environments) {
    const checks = await checkEnvironment(config, environment, services, probes);
    report.environments.push({ name: environment.name, direction: environment.direction, branch: environment.branch, checks });
  }
  report.ok = [...report.checks, ...report.environments.flatMap((e) => e.checks)].every((c) => c.status !== 'fail');
  print(report, options.format, context);
  return report.ok ? EXIT_OK : EXIT_FAILED;
}

const MARK: Record<Check['status'], string> = { pass: '[ok]  ', fail: '[FAIL]', warn: '[warn]', skip: '[skip]' };

function print(report: DoctorReport, format: DoctorOptions['format'], context: CommandContext): void {
  if (format === 'json') {
    context.io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  const lines = [`tmlsync doctor: ${report.config}`, ...report.checks.flatMap(checkLines)];
  for (const e of report.environments) lines.push('', `${e.name} (direction ${e.direction}, branch ${e.branch})`, ...e.checks.flatMap(checkLines));
  const failed = [...report.checks, ...report.environments.flatMap((e) => e.checks)].filter((c) => c.status === 'fail').length;
  lines.push('', report.ok ? 'Ready: every needed check passed.' : `${failed} check${failed === 1 ? '' : 's'} failed.`, '');
  context.io.stdout.write(lines.join('\n'));
}

function checkLines(c: Check): string[] {
  const [first, ...rest] = c.detail.split('\n');
  return [`  ${MARK[c.status]} ${c.id}: ${first}`, ...rest.map((l) => `         ${l}`), ...(c.fix && c.status !== 'pass' ? [`         fix: ${c.fix}`] : [])];
}
