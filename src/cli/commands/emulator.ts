import { untilSignal } from '../../app/index.js';
import { ApiListError, parseApis } from '../../emulator/apis.js';
import type { EmulatorOptions } from '../../emulator/index.js';
import { InvalidInputError } from '../../errors/index.js';
import type { ExitCode } from '../outcome.js';
import type { CommandContext } from '../context.js';

export interface EmulatorCommandOptions {
  host: string;
  port: string;
  dataDir?: string;
  seed: string;
  seedScale?: string;
  adminPassword?: string;
  trustedAuthSecret?: string;
  latencyMs?: string;
  failRate?: string;
  rateLimit?: string;
  dropRate?: string;
  sessionTtl?: string;
  guidPolicy: string;
  api?: string;
  orgs?: string;
}

function number(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < min || parsed > max) {
    throw new InvalidInputError(`--${name} must be a number from ${min} to ${max} (got '${value}')`);
  }
  return parsed;
}

function apiList(text: string): EmulatorOptions['apis'] {
  try {
    return parseApis(text);
  } catch (error) {
    throw error instanceof ApiListError ? new InvalidInputError(error.message) : error;
  }
}

/** `--orgs "Dev,Prod"`: Org names, each once; a number is refused (Orgs are found by id or name). */
function orgNames(text: string): string[] {
  const names = [...new Set(text.split(',').map((name) => name.trim()).filter((name) => name !== ''))];
  const numeric = names.find((name) => /^\d+$/.test(name));
  if (names.length === 0 || numeric !== undefined) throw new InvalidInputError(`--orgs must list Org names, e.g. "Dev,Prod" (got '${text}')`);
  return names;
}

/** Parses the flags into emulator options; every bad flag is an exit-2 error naming it. */
export function emulatorOptions(options: EmulatorCommandOptions, env: NodeJS.ProcessEnv): EmulatorOptions {
  const port = number('port', options.port, 0, 65535)!;
  if (options.guidPolicy !== 'keep' && options.guidPolicy !== 'regenerate') {
    throw new InvalidInputError(`--guid-policy must be keep or regenerate (got '${options.guidPolicy}')`);
  }
  if (options.seed !== 'demo' && options.seed !== 'none') throw new InvalidInputError(`--seed must be demo or none (got '${options.seed}')`);
  const result: EmulatorOptions = { host: options.host, port, guidPolicy: options.guidPolicy, seed: options.seed };
  const set = <K extends keyof EmulatorOptions>(key: K, value: EmulatorOptions[K] | undefined) => {
    if (value !== undefined) result[key] = value;
  };
  set('dataDir', options.dataDir);
  set('adminPassword', options.adminPassword ?? env.TMLSYNC_EMULATOR_ADMIN_PASSWORD);
  set('trustedAuthSecret', options.trustedAuthSecret ?? env.TMLSYNC_EMULATOR_TRUSTED_AUTH_SECRET);
  set('seedScale', number('seed-scale', options.seedScale, 0, 1_000_000));
  set('latencyMs', number('latency-ms', options.latencyMs, 0, 600_000));
  set('failRate', number('fail-rate', options.failRate, 0, 1));
  set('rateLimit', number('rate-limit', options.rateLimit, 0, 1_000_000));
  set('dropRate', number('drop-rate', options.dropRate, 0, 1));
  const ttl = number('session-ttl', options.sessionTtl, 1, 7 * 24 * 3600);
  if (ttl !== undefined) result.sessionTtlMs = ttl * 1000;
  if (options.api !== undefined) result.apis = apiList(options.api);
  if (options.orgs !== undefined) result.orgs = orgNames(options.orgs);
  return result;
}

/**
 * `tmlsync emulator`: loads the data dir, then binds the port and prints
 * `listening on http://HOST:PORT`; stops cleanly on SIGTERM or SIGINT.
 */
export async function emulatorCommand(options: EmulatorCommandOptions, _args: string[], context: CommandContext): Promise<ExitCode> {
  const parsed = emulatorOptions(options, context.io.env);
  context.redactor.add(parsed.adminPassword);
  context.redactor.add(parsed.trustedAuthSecret);
  const { startEmulator } = await import('../../emulator/index.js');
  const emulator = await startEmulator({ ...parsed, logger: context.log.child({ component: 'emulator' }) });
  context.io.stdout.write(`listening on ${emulator.url}\n`);
  await untilSignal();
  await emulator.close();
  context.log.info('emulator stopped');
  return 0;
}
