import { Command, CommanderError, Option } from 'commander';
import { createLogger, isLogLevel, logFormat, Redactor, wantsColour, type LogFormat } from '../log/index.js';
// Every command's module is loaded at start; the daemon's and the emulator's own modules are loaded
// by the commands that start them (daemon, demo, emulator): they were a third of every start's CPU,
// `tmlsync --help` 1.0 s against 0.7 s without them (user + sys, 3 runs each, side by side).
import { assignObjIdsCommand } from './commands/assign-obj-ids.js';
import { emulatorCommand } from './commands/emulator.js';
import { daemonCommand } from './commands/daemon.js';
import { demoCommand } from './commands/demo.js';
import { doctorCommand } from './commands/doctor.js';
import { deployCommand } from './commands/deploy.js';
import { exportCommand } from './commands/export.js';
import { initCommand } from './commands/init.js';
import { planCommand } from './commands/plan.js';
import { promoteCommand } from './commands/promote.js';
import { rotatePasswordCommand } from './commands/rotate-password.js';
import { snapshotCommand } from './commands/snapshot.js';
import { statusCommand } from './commands/status.js';
import { syncCommand } from './commands/sync.js';
import { triggerCommand } from './commands/trigger.js';
import { validateCommand } from './commands/validate.js';
import type { CommandAction } from './context.js';
import { wantsProgress } from './progress.js';
import type { CliIo } from './io.js';
import { packageVersion } from './io.js';
import { EXIT_INVALID, EXIT_OK, exitCodeFor, failureReport, messageFor, type ExitCode } from './outcome.js';

const formatOption = (choices: string[]) =>
  new Option('--format <format>', 'output format of the result on stdout').choices(choices).default(choices[0]);

interface CommandSpec {
  name: string;
  description: string;
  action: CommandAction<never>;
  /** Declares the command's arguments and options; `--help` comes from here. */
  options?: (command: Command) => Command;
}

const configOption = () => new Option('-c, --config <file>', 'configuration file (YAML)');
const envOption = () => new Option('-e, --env <name>', 'environment from the configuration');

/** The command table. Each command declares its options once; `--help` on every command comes from here. */
const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'init',
    description: 'write a starter tmlsync.yaml for a content repository (and with --github its workflows)',
    action: initCommand,
    options: (c) =>
      c
        .option('--dir <dir>', 'the content repository', '.')
        .option('--remote <url>', "the content repository's git URL (repository.url)")
        .option('--environment <spec...>', 'an environment: name=dev,url=https://…,user=svc[,direction=export][,branch=dev][,org=Sales][,api=v1|v2|auto][,auth=password|trusted] (asked on a terminal without)')
        .option('--github', 'also write the three GitHub workflows (export, pull-request plan, deploy) that run the tmlsync action')
        .option('--force', 'overwrite files that exist'),
  },
  {
    name: 'doctor',
    description: 'check an environment before its first run: ThoughtSpot, login, Org, privileges, connections, git access',
    action: doctorCommand,
    options: (c) => c.addOption(configOption()).addOption(envOption()).addOption(formatOption(['text', 'json'])),
  },
  {
    name: 'emulator',
    description: 'run the ThoughtSpot REST API emulator (v1 and v2) on this machine',
    action: emulatorCommand,
    options: (c) =>
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
        .option('--api <versions>', 'REST API versions to serve: v1, v2 or v1,v2 (the other answers 404)', 'v1,v2')
        .option('--orgs <names>', 'create these Orgs (comma-separated, e.g. "Dev,Prod") besides the Primary Org, unless they exist'),
  },
  {
    name: 'export',
    description: 'export TML from an environment into git (one run of the export loop)',
    action: exportCommand,
    options: (c) =>
      c
        .addOption(configOption())
        .addOption(envOption())
        .option('--dry-run', 'show what would change; write nothing')
        .option('--full', 'list everything and find deletions now, not only what changed since the last run')
        .addOption(formatOption(['text', 'json'])),
  },
  {
    name: 'plan',
    description: 'show the object-level plan of deploying a git ref into an environment',
    action: planCommand,
    options: (c) =>
      c
        .addOption(configOption())
        .addOption(envOption())
        .option('--ref <ref>', 'git ref to plan')
        .addOption(formatOption(['text', 'markdown', 'json'])),
  },
  {
    name: 'validate',
    description: 'check TML files offline (and against an environment with --env)',
    action: validateCommand,
    options: (c) =>
      c
        .argument('[paths...]', 'TML files or folders (default: the repository)')
        .addOption(configOption())
        .addOption(envOption())
        .addOption(formatOption(['text', 'json'])),
  },
  {
    name: 'deploy',
    description: 'deploy a git ref into an environment',
    action: deployCommand,
    options: (c) =>
      c
        .addOption(configOption())
        .addOption(envOption())
        .option('--ref <ref>', 'git ref to deploy')
        .option('--dry-run', 'plan and validate; write nothing')
        .addOption(formatOption(['text', 'json'])),
  },
  {
    name: 'promote',
    description: "approve a pipeline stage's promotion: deploy the commit its promoteFrom environment last deployed successfully",
    action: promoteCommand,
    options: (c) =>
      c
        .addOption(configOption())
        .addOption(envOption())
        .option('--dry-run', 'plan and validate; write nothing')
        .addOption(formatOption(['text', 'json'])),
  },
  {
    name: 'sync',
    description: 'one run of a sync environment: deploy git changes, export ThoughtSpot changes, report conflicts',
    action: syncCommand,
    options: (c) =>
      c
        .addOption(configOption())
        .addOption(envOption())
        .addOption(new Option('--policy <policy>', 'conflict policy for this run (default: the environment\'s conflictPolicy)').choices(['manual', 'git-wins', 'thoughtspot-wins']))
        .option('--dry-run', 'show what would change; write nothing')
        .addOption(formatOption(['text', 'json'])),
  },
  {
    name: 'assign-obj-ids',
    description: 'give every object of an environment without an object id (obj_id) one: kind and slugged name, unique in the Org (API v2)',
    action: assignObjIdsCommand,
    options: (c) =>
      c
        .addOption(configOption())
        .addOption(envOption())
        .option('--dry-run', 'show the ids it would assign; set nothing')
        .addOption(formatOption(['text', 'json'])),
  },
  {
    name: 'rotate-password',
    description: "change an environment's service-account password, then log in with the new one",
    action: rotatePasswordCommand,
    options: (c) =>
      c
        .addOption(configOption())
        .addOption(envOption())
        .option('--current-env <var>', "environment variable holding the current password (default: the environment's password)")
        .option('--new-env <var>', 'environment variable holding the new password (default: passwordRotation.newPasswordEnv)')
        .option('--dry-run', 'log in with the current password and check that the new one is set; change nothing'),
  },
  {
    name: 'snapshot',
    description: 'save a PDF of each changed liveboard as an environment renders it',
    action: snapshotCommand,
    options: (c) =>
      c
        .addOption(configOption())
        .addOption(envOption())
        .option('--changed-since <ref>', 'only liveboards whose files changed since this commit (default: all)')
        .option('--out <dir>', 'folder for the PDFs')
        .addOption(formatOption(['text', 'json'])),
  },
  {
    name: 'demo',
    description: 'run the embedded default: the emulator with demo content, a local remote, and the daemon',
    action: demoCommand,
    options: (c) =>
      c.addOption(configOption().default('config/default.yaml')).option('--data-dir <dir>', "the emulator's data", '.demo/emulator'),
  },
  {
    name: 'daemon',
    description: 'run the service: schedules, webhook, trigger API, status',
    action: daemonCommand,
    options: (c) =>
      c.addOption(configOption()),
  },
  {
    name: 'status',
    description: "print the daemon's status per environment",
    action: statusCommand,
    options: (c) =>
      c.addOption(configOption()).option('--url <url>', 'daemon URL').addOption(formatOption(['text', 'json'])),
  },
  {
    name: 'trigger',
    description: 'ask a running daemon to export or deploy an environment now (or promote a pipeline stage)',
    action: triggerCommand,
    options: (c) =>
      c
        .argument('<action>', 'export, deploy or promote (a pipeline stage\'s approval)')
        .addOption(envOption())
        .option('--url <url>', 'daemon URL')
        // The variable the daemon's own configuration reads its token from (server.apiToken: ${TMLSYNC_API_TOKEN} in
        // the examples, doctor's advice): one secret under one name on both sides of the trigger API.
        .option('--token-env <name>', 'environment variable holding the bearer token (server.apiToken)', 'TMLSYNC_API_TOKEN')
        .option('--wait', "follow the run and exit with its outcome")
        .option('--timeout <seconds>', 'give up waiting after this long', '3600'),
  },
];

/** The root command: global options, output through the CLI's streams, no process.exit. */
function rootCommand(io: CliIo): Command {
  return new Command('tmlsync')
    .description('GitOps for ThoughtSpot: TML in git, exported on a schedule, planned, validated and deployed per environment.')
    .version(packageVersion(), '-V, --version')
    .option('--log-level <level>', 'trace, debug, info, warn, error, fatal or silent (default: $LOG_LEVEL or info)')
    .option('--progress', 'print the progress of long runs (objects listed, exported, imported) on stderr even when it is not a terminal')
    .addOption(new Option('--log-format <format>', 'readable lines (pretty) or JSON lines (json) on stderr (default: pretty on a terminal, else json)').choices(['pretty', 'json']))
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .exitOverride();
}

type OnAction = (action: CommandAction<never>, options: unknown, args: string[]) => void;

function register(program: Command, spec: CommandSpec, onAction: OnAction): void {
  const command = program.command(spec.name).description(spec.description).exitOverride();
  (spec.options ?? ((c) => c))(command).action((...received: unknown[]) => {
    // commander passes (…positionals, options, command).
    const options = received.at(-2);
    const args = received.slice(0, -2).flat() as string[];
    onAction(spec.action, options, args);
  });
}

/** The program with every command of the table; `onAction` receives the one the command line chose. */
export function createProgram(io: CliIo, onAction: OnAction): Command {
  const program = rootCommand(io);
  for (const spec of COMMANDS) register(program, spec, onAction);
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
    const progress = wantsProgress(program.opts<{ progress?: boolean }>().progress, io.stderr.isTTY === true, format);
    return await chosen.action(chosen.options as never, chosen.args, { io, log, redactor, progress });
  } catch (error) {
    log.debug({ err: error }, 'command failed');
    const code = exitCodeFor(error);
    const message = redactor.scrubText(messageFor(error));
    io.stderr.write(`error: ${message}\n`);
    // A script (the GitHub action keeps stdout as the run's report) reads a report on stdout whatever the outcome.
    if ((chosen.options as { format?: string }).format === 'json') io.stdout.write(`${JSON.stringify(redactor.scrubValue(failureReport(error, message, code)), null, 2)}\n`);
    return code;
  }
}

