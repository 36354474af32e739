import { Command, CommanderError, Option } from 'commander';
import { createLogger, isLogLevel, logFormat, Redactor, wantsColour, type LogFormat } from '../log/index.js';
import { emulatorCommand } from './commands/emulator.js';
import { initCommand } from './commands/init.js';
import { daemonCommand } from './commands/daemon.js';
import { demoCommand } from './commands/demo.js';
import { doctorCommand } from './commands/doctor.js';
import { deployCommand } from './commands/deploy.js';
import { exportCommand } from './commands/export.js';
import { planCommand } from './commands/plan.js';
import { rotatePasswordCommand } from './commands/rotate-password.js';
import { snapshotCommand } from './commands/snapshot.js';
import { statusCommand } from './commands/status.js';
import { syncCommand } from './commands/sync.js';
import { triggerCommand } from './commands/trigger.js';
import { validateCommand } from './commands/validate.js';
import type { CommandAction } from './context.js';
import type { CliIo } from './io.js';
import { packageVersion } from './io.js';
import { EXIT_INVALID, EXIT_OK, exitCodeFor, messageFor, type ExitCode } from './outcome.js';

const formatOption = (choices: string[]) =>
  new Option('--format <format>', 'output format of the result on stdout').choices(choices).default(choices[0]);

/**
 * The command table. Each entry declares its options once; `--help` on every
 * command comes from here.
 */
export function createProgram(io: CliIo, onAction: (action: CommandAction<never>, options: unknown, args: string[]) => void): Command {
  const program = new Command('tmlsync')
    .description('GitOps for ThoughtSpot: TML in git, exported on a schedule, planned, validated and deployed per environment.')
    .version(packageVersion(), '-V, --version')
    .option('--log-level <level>', 'trace, debug, info, warn, error, fatal or silent (default: $LOG_LEVEL or info)')
    .addOption(new Option('--log-format <format>', 'readable lines (pretty) or JSON lines (json) on stderr (default: pretty on a terminal, else json)').choices(['pretty', 'json']))
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .exitOverride();

  const add = (name: string, description: string, action: CommandAction<never>, configure: (c: Command) => Command = (c) => c) => {
    const command = configure(program.command(name).description(description)).exitOverride();
    command.action((...received: unknown[]) => {
      // commander passes (…positionals, options, command).
      const options = received.at(-2);
      const args = received.slice(0, -2).flat() as string[];
      onAction(action, options, args);
    });
    return command;
  };

  const configOption = () => new Option('-c, --config <file>', 'configuration file (YAML)');
  const envOption = () => new Option('-e, --env <name>', 'environment from the configuration');

  add('emulator', 'run the ThoughtSpot v1 API emulator on this machine', emulatorCommand, (c) =>
    c
      .option('--host <host>', 'address to listen on', '127.0.0.1')
      .option('--port <port>', 'port to listen on (0 picks a free one)', '4000')
      .option('--data-dir <dir>', 'persist state here (in memory without)')
      .option('--seed <seed>', 'content of a fresh data dir: demo or none', 'demo')
      .option('--seed-scale <n>', 'add n generated objects of every kind (benchmarks)')
      .option('--admin-password <password>', "tsadmin's password on a fresh data dir (default admin; or $TMLSYNC_EMULATOR_ADMIN_PASSWORD)")
      .option('--trusted-auth-secret <secret>', 'enable trusted authentication with this secret key (or $TMLSYNC_EMULATOR_TRUSTED_AUTH_SECRET)')
      .option('--latency-ms <ms>', 'delay every answer')
      .option('--fail-rate <share>', 'answer this share of requests (0..1) with 503')
      .option('--rate-limit <n>', 'answer 429 with Retry-After beyond n requests per second')
      .option('--drop-rate <share>', 'reset this share of connections (0..1) mid-response')
      .option('--session-ttl <seconds>', 'expire idle sessions after this many seconds')
      .option('--guid-policy <policy>', 'keep or regenerate the unknown GUIDs of imported documents', 'keep')
      .option('--api <versions>', 'REST API versions to serve: v1, v2 or v1,v2 (the other answers 404)', 'v1,v2'),
  );
  add('export', 'export TML from an environment into git (one run of the export loop)', exportCommand, (c) =>
    c
      .addOption(configOption())
      .addOption(envOption())
      .option('--dry-run', 'show what would change; write nothing')
      .addOption(formatOption(['text', 'json'])),
  );
  add('plan', 'show the object-level plan of deploying a git ref into an environment', planCommand, (c) =>
    c
      .addOption(configOption())
      .addOption(envOption())
      .option('--ref <ref>', 'git ref to plan')
      .addOption(formatOption(['text', 'markdown', 'json'])),
  );
  add('validate', 'check TML files offline (and against an environment with --env)', validateCommand, (c) =>
    c
      .argument('[paths...]', 'TML files or folders (default: the repository)')
      .addOption(configOption())
      .addOption(envOption())
      .addOption(formatOption(['text', 'json'])),
  );
  add('deploy', 'deploy a git ref into an environment', deployCommand, (c) =>
    c
      .addOption(configOption())
      .addOption(envOption())
      .option('--ref <ref>', 'git ref to deploy')
      .option('--dry-run', 'plan and validate; write nothing')
      .addOption(formatOption(['text', 'json'])),
  );
  add('sync', 'one run of a sync environment: deploy git changes, export ThoughtSpot changes, report conflicts', syncCommand, (c) =>
    c
      .addOption(configOption())
      .addOption(envOption())
      .addOption(new Option('--policy <policy>', 'conflict policy for this run (default: the environment\'s conflictPolicy)').choices(['manual', 'git-wins', 'thoughtspot-wins']))
      .option('--dry-run', 'show what would change; write nothing')
      .addOption(formatOption(['text', 'json'])),
  );
  add('rotate-password', "change an environment's service-account password, then log in with the new one", rotatePasswordCommand, (c) =>
    c
      .addOption(configOption())
      .addOption(envOption())
      .option('--current-env <var>', "environment variable holding the current password (default: the environment's password)")
      .option('--new-env <var>', 'environment variable holding the new password (default: passwordRotation.newPasswordEnv)')
      .option('--dry-run', 'log in with the current password and check that the new one is set; change nothing'),
  );
  add('snapshot', 'save a PDF of each changed liveboard as an environment renders it', snapshotCommand, (c) =>
    c
      .addOption(configOption())
      .addOption(envOption())
      .option('--changed-since <ref>', 'only liveboards whose files changed since this commit (default: all)')
      .option('--out <dir>', 'folder for the PDFs')
      .addOption(formatOption(['text', 'json'])),
  );
  add('demo', 'run the embedded default: the emulator with demo content, a local remote, and the daemon', demoCommand, (c) =>
    c.addOption(configOption().default('config/default.yaml')).option('--data-dir <dir>', "the emulator's data", '.demo/emulator'),
  );
  add('daemon', 'run the service: schedules, webhook, trigger API, status', daemonCommand, (c) =>
    c.addOption(configOption()),
  );
  add('status', "print the daemon's status per environment", statusCommand, (c) =>
    c.addOption(configOption()).option('--url <url>', 'daemon URL').addOption(formatOption(['text', 'json'])),
  );
  add('trigger', 'ask a running daemon to export or deploy an environment now', triggerCommand, (c) =>
    c
      .argument('<action>', 'export or deploy')
      .addOption(envOption())
      .option('--url <url>', 'daemon URL')
      .option('--token-env <name>', 'environment variable holding the bearer token', 'TMLSYNC_TOKEN')
      .option('--wait', "follow the run and exit with its outcome")
      .option('--timeout <seconds>', 'give up waiting after this long', '3600'),
  );
  add('init', 'write a starter tmlsync.yaml for a content repository (and with --github its workflows)', initCommand, (c) =>
    c
      .option('--dir <dir>', 'the content repository', '.')
      .option('--remote <url>', "the content repository's git URL (repository.url)")
      .option('--environment <spec...>', 'an environment: name=dev,url=https://…,user=svc[,direction=export][,branch=dev][,org=Sales][,api=v1|v2|auto][,auth=password|trusted] (asked on a terminal without)')
      .option('--github', 'also write the three GitHub workflows (export, pull-request plan, deploy) that run the tmlsync action')
      .option('--force', 'overwrite files that exist'),
  );
  add('doctor', 'check an environment before its first run: ThoughtSpot, login, Org, privileges, connections, git access', doctorCommand, (c) =>
    c.addOption(configOption()).addOption(envOption()).addOption(formatOption(['text', 'json'])),
  );
  return program;
}

/**
 * Runs one command line and returns its exit code. Never throws, never prints
 * a stack trace: failures become one message on stderr (the stack is logged
 * at debug level).
 */
export async function run(argv: string[], io: CliIo): Promise<ExitCode> {
  let chosen: { action: CommandAction<never>; options: unknown; args: string[] } | undefined;
  const program = createProgram(io, (action, options, args) => {
    chosen = { action, options, args };
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with code 0; usage errors were printed by commander.
      return error.exitCode === 0 ? EXIT_OK : EXIT_INVALID;
    }
    throw error;
  }
  if (!chosen) {
    program.outputHelp();
    return EXIT_OK;
  }

  const redactor = new Redactor();
  const level = program.opts<{ logLevel?: string }>().logLevel;
  if (level !== undefined && !isLogLevel(level)) {
    io.stderr.write(`error: --log-level must be one of trace, debug, info, warn, error, fatal, silent (got '${level}')\n`);
    return EXIT_INVALID;
  }
  const asked = program.opts<{ logFormat?: LogFormat }>().logFormat;
  const format = logFormat(asked, io.stderr.isTTY === true);
  const log = createLogger({ redactor, ...(level ? { level } : {}), destination: io.stderr, format, colour: format === 'pretty' && io.stderr.isTTY === true && wantsColour(io.env) });
  try {
    return await chosen.action(chosen.options as never, chosen.args, { io, log, redactor });
  } catch (error) {
    log.debug({ err: error }, 'command failed');
    const code = exitCodeFor(error);
    io.stderr.write(`error: ${redactor.scrubText(messageFor(error))}\n`);
    return code;
  }
}

