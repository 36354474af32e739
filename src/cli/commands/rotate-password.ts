import { configFrom, connect, environmentsFor, withSession, type Services, type ThoughtSpotConnection } from '../../app/index.js';
import type { EnvironmentConfig } from '../../config/index.js';
import { InvalidInputError } from '../../errors/index.js';
import type { Logger } from '../../log/index.js';
import { ThoughtSpotApiError } from '../../thoughtspot/index.js';
import type { ExitCode } from '../outcome.js';
import { commandServices, type CommandContext } from '../context.js';

export interface RotatePasswordOptions {
  config?: string;
  env?: string;
  /** The name of the variable holding the current password (not the password). */
  currentEnv?: string;
  /** The name of the variable holding the new password. */
  newEnv?: string;
  dryRun?: boolean;
}

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A password read from the environment variable a flag or the configuration names. */
function readVariable(name: string, source: string, env: NodeJS.ProcessEnv): string {
  if (!VARIABLE_NAME.test(name)) throw new InvalidInputError(`${source}: '${name}' is not an environment variable name`);
  const value = env[name];
  if (!value) throw new InvalidInputError(`${source} names ${name}, which is not set`);
  return value;
}

/**
 * A connection that logs in with this password, whatever the environment
 * normally uses: what is changed, and proved, is the account's password.
 * It speaks the environment's `api` (connect chooses v1 or v2).
 */
function passwordConnection(environment: EnvironmentConfig, password: string, services: Services): ThoughtSpotConnection {
  return connect({ ...environment, password, secretKey: undefined }, services);
}

/** Whether a fresh session logs in with this password; a refusal is false, anything else an error. */
async function logsIn(environment: EnvironmentConfig, password: string, services: Services): Promise<boolean> {
  return withSession(passwordConnection(environment, password, services), async (connection) => {
    try {
      await connection.login();
      return true;
    } catch (error) {
      if (error instanceof ThoughtSpotApiError && error.status === 401) return false;
      throw error;
    }
  });
}

/** One password change: the account, both passwords, and where the current one came from. */
interface Rotation {
  environment: EnvironmentConfig;
  username: string;
  current: string;
  next: string;
  /** The variable the current password was read from, when not the environment's `password`. */
  currentName?: string;
  services: Services;
  log: Logger;
}

/**
 * Logs in with the current password, then (unless a dry run) changes it; true
 * when it was changed. A change whose answer was lost is never sent again
 * (the current password may no longer be current): which password logs in
 * tells what happened.
 */
async function changePassword(connection: ThoughtSpotConnection, rotation: Rotation, dryRun: boolean): Promise<boolean> {
  const { environment, username, current, next, currentName, services, log } = rotation;
  const { name } = environment;
  try {
    await connection.login();
  } catch (error) {
    if (error instanceof ThoughtSpotApiError && error.status === 401) {
      throw new InvalidInputError(`${name}: cannot log in as ${username} with the current password${currentName ? ` (from ${currentName})` : ''}; nothing was changed. ${error.message}`);
    }
    throw error;
  }
  if (dryRun) return false;
  const answer = await connection.port.changePassword(username, current, next);
  if (answer.answered && answer.ok) return true;
  if (answer.answered) throw new InvalidInputError(`${name}: ThoughtSpot refused to change the password of ${username}, which is unchanged. ${answer.error}`);
  log.warn({ error: answer.error }, 'password change outcome unknown, checking which password logs in');
  if (await logsIn(environment, next, services)) return true;
  const unchanged = await logsIn(environment, current, services);
  throw new Error(
    unchanged
      ? `${name}: the password change of ${username} did not take effect (${answer.error}); the current password still applies. Run rotate-password again.`
      : `${name}: the password change of ${username} may have failed half-way (${answer.error}), and neither password logs in: check the account in ThoughtSpot.`,
  );
}

/**
 * `tmlsync rotate-password`: changes the environment account's password with
 * `user/updatepassword` (v1, reference §2.6) or `users/change-password` (v2),
 * over the API the environment's `api` chooses, then proves the new one by
 * logging in with it in a fresh session. Both passwords come from environment
 * variables named by flags or `passwordRotation` (the current one by default
 * from the environment's `password`); neither is ever printed or logged, and
 * a password ThoughtSpot refuses leaves the old one in place (exit 2). The
 * command cannot update the secret store the configuration reads: it says so.
 */
export async function rotatePasswordCommand(options: RotatePasswordOptions, _args: string[], context: CommandContext): Promise<ExitCode> {
  if (!options.env) throw new InvalidInputError("--env is required: rotate-password changes one environment's account");
  const services = commandServices(context);
  const config = await configFrom(options.config, services, options.env);
  const [environment] = environmentsFor(config, options.env, 'export');
  const { name, username, passwordRotation } = environment!;
  const env = context.io.env;
  if (!username) throw new InvalidInputError(`environments.${name}.username is required to change its password`);

  const newName = options.newEnv ?? passwordRotation?.newPasswordEnv;
  if (!newName) throw new InvalidInputError(`name the variable holding the new password: --new-env VAR, or environments.${name}.passwordRotation.newPasswordEnv`);
  const next = readVariable(newName, options.newEnv ? '--new-env' : `environments.${name}.passwordRotation.newPasswordEnv`, env);
  context.redactor.add(next);
  const currentName = options.currentEnv ?? passwordRotation?.currentPasswordEnv;
  const current = currentName
    ? readVariable(currentName, options.currentEnv ? '--current-env' : `environments.${name}.passwordRotation.currentPasswordEnv`, env)
    : environment!.password;
  if (!current) throw new InvalidInputError(`environment ${name} has no password: name the variable holding the current one with --current-env VAR or passwordRotation.currentPasswordEnv`);
  context.redactor.add(current);
  if (next === current) throw new InvalidInputError(`${newName} holds the current password of ${username} in ${name}: nothing to change`);

  const log = context.log.child({ environment: name, username });
  const rotation: Rotation = { environment: environment!, username, current, next, ...(currentName ? { currentName } : {}), services, log };
  const changed = await withSession(passwordConnection(environment!, current, services), (connection) => changePassword(connection, rotation, options.dryRun === true));
  if (!changed) {
    context.io.stdout.write(`dry run: ${name}: logged in as ${username} with the current password; the new one is set in ${newName}. Nothing was changed.\n`);
    return 0;
  }
  if (!(await logsIn(environment!, next, services))) {
    throw new Error(`${name}: ThoughtSpot accepted the new password of ${username}, but a new session cannot log in with it: check the account in ThoughtSpot before the next run.`);
  }
  log.info('service account password changed; a new session logged in with the new password');
  const source = currentName ? `the variable ${currentName}` : `environments.${name}.password`;
  context.io.stdout.write(
    `${name}: the password of ${username} was changed, and a new session logged in with it.\n` +
      `Next: put the new password (now in ${newName}) into the secret store that ${source} reads, then drop ${newName}. ` +
      `tmlsync cannot change environment variables or secret stores${environment!.secretKey ? '' : `; until then, runs for ${name} fail to log in`}.\n`,
  );
  return 0;
}
