import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../src/emulator/index.js';
import { createLogger } from '../../src/log/index.js';
import { ThoughtSpotClient } from '../../src/thoughtspot/index.js';
import { cli, type CliResult } from '../support/cli.js';

// `tmlsync rotate-password` against the emulator: tsadmin is the service account, with OLD as
// its password on a fresh emulator. Every command runs at trace level, and everything it writes is
// searched for both passwords.

const OLD = 'Old-service-Pass-7';
const NEW = 'N3w-service-Pass';
const SECRET_KEY = '5ec7e7-trusted-key-for-rotation';
const work = mkdtempSync(join(tmpdir(), 'tmlsync-rotate-'));
let emulator: RunningEmulator | undefined;
let answered: string[] = [];

afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function start(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  answered = [];
  const logger = createLogger({ level: 'info', destination: { write: (line: string) => void answered.push(rotationStep(line)) } });
  emulator = await startEmulator({ seed: 'none', adminPassword: OLD, trustedAuthSecret: SECRET_KEY, logger, ...options });
  return emulator;
}

function rotationStep(line: string): string {
  const { path, status } = JSON.parse(line) as { path?: string; status?: number };
  return `${(path ?? '').replace('/callosum/v1/tspublic/v1/', '')} ${status ?? ''}`;
}

let n = 0;
function configFile(environment: string): string {
  const file = join(work, `config-${(n += 1)}.yaml`);
  writeFileSync(file, `repository:\n  url: x.git\nenvironments:\n  prod:\n    url: ${emulator!.url}\n    username: tsadmin\n${environment}`);
  return file;
}

const PASSWORD_ENV = '    password: ${TS_PROD_PASSWORD}\n    passwordRotation:\n      newPasswordEnv: TS_PROD_NEW_PASSWORD\n';

async function rotate(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  const result = await cli(['--log-level', 'trace', 'rotate-password', ...args], env);
  const output = `${result.stdout}${result.stderr}`;
  for (const secret of Object.values(env)) expect(output).not.toContain(secret);
  expect(result.stderr).not.toMatch(/^\s+at /m);
  return result;
}

async function logsIn(password: string): Promise<boolean> {
  const client = new ThoughtSpotClient({ url: emulator!.url, username: 'tsadmin', password, env: {} });
  return client.login().then(
    () => true,
    () => false,
  );
}

function errorLine(result: CliResult): string | undefined {
  return result.stderr.split('\n').find((line) => line.startsWith('error:'));
}

describe('tmlsync rotate-password', () => {
  it('is listed in --help and has its own, which takes variable names, never passwords', async () => {
    expect((await cli(['--help'])).stdout).toMatch(/^ {2}rotate-password\b/m);
    const help = await cli(['rotate-password', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--current-env <var>');
    expect(help.stdout).toContain('--new-env <var>');
    expect(help.stdout).toContain('--dry-run');
  });

  it('changes the password from the variables the configuration names and proves it with a fresh login', async () => {
    await start();
    const result = await rotate(['--config', configFile(PASSWORD_ENV), '--env', 'prod'], { TS_PROD_PASSWORD: OLD, TS_PROD_NEW_PASSWORD: NEW });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('prod: the password of tsadmin was changed, and a new session logged in with it.');
    expect(result.stdout).toContain('Next: put the new password (now in TS_PROD_NEW_PASSWORD) into the secret store that environments.prod.password reads');
    expect(result.stdout).toContain('tmlsync cannot change environment variables or secret stores; until then, runs for prod fail to log in.');
    // Log in with the current password, change it, then a new session with the new one.
    expect(answered.filter((step) => /^session\/login |^user\/updatepassword /.test(step))).toEqual(['session/login 204', 'user/updatepassword 204', 'session/login 204']);
    expect(result.stderr).toContain('"msg":"service account password changed; a new session logged in with the new password"');
    expect(await logsIn(NEW)).toBe(true);
    expect(await logsIn(OLD)).toBe(false);
  });

  it('takes the variables from flags, also for an environment that uses trusted authentication', async () => {
    await start();
    const file = configFile('    secretKey: ${TS_PROD_SECRET_KEY}\n');
    const result = await rotate(['--config', file, '--env', 'prod', '--current-env', 'OLD_PW', '--new-env', 'NEW_PW'], { TS_PROD_SECRET_KEY: SECRET_KEY, OLD_PW: OLD, NEW_PW: NEW });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('into the secret store that the variable OLD_PW reads');
    expect(result.stdout).not.toContain('fail to log in');
    expect(await logsIn(NEW)).toBe(true);
  });

  it('a new password the policy refuses exits 2 saying why, and the old one still logs in', async () => {
    await start();
    const weak = 'weakling';
    const result = await rotate(['--config', configFile(PASSWORD_ENV), '--env', 'prod'], { TS_PROD_PASSWORD: OLD, TS_PROD_NEW_PASSWORD: weak });
    expect(result.code).toBe(2);
    expect(errorLine(result)).toMatch(
      /^error: prod: ThoughtSpot refused to change the password of tsadmin, which is unchanged\. ThoughtSpot user\/updatepassword failed with HTTP 400 \(code 10002\): Invalid parameter values password: the new password does not meet the password policy: it must contain a letter and a digit/,
    );
    expect(result.stdout).toBe('');
    expect(await logsIn(OLD)).toBe(true);
    expect(await logsIn(weak)).toBe(false);
  });

  it('a wrong current password exits 2 before anything is changed, and the real one still logs in', async () => {
    await start();
    const result = await rotate(['--config', configFile(PASSWORD_ENV), '--env', 'prod'], { TS_PROD_PASSWORD: 'not-the-Password-1', TS_PROD_NEW_PASSWORD: NEW });
    expect(result.code).toBe(2);
    expect(errorLine(result)).toMatch(/^error: prod: cannot log in as tsadmin with the current password; nothing was changed\. ThoughtSpot session\/login failed with HTTP 401/);
    expect(answered.some((step) => step.startsWith('user/updatepassword'))).toBe(false);
    expect(await logsIn(OLD)).toBe(true);
    expect(await logsIn(NEW)).toBe(false);
  });

  it('for an environment that uses trusted authentication, a wrong current password still stops before any change', async () => {
    await start();
    // The change is made from a password session, never the trusted one: the current password is proved first.
    const file = configFile('    secretKey: ${TS_PROD_SECRET_KEY}\n');
    const result = await rotate(['--config', file, '--env', 'prod', '--current-env', 'OLD_PW', '--new-env', 'NEW_PW'], { TS_PROD_SECRET_KEY: SECRET_KEY, OLD_PW: 'not-the-Password-1', NEW_PW: NEW });
    expect(result.code).toBe(2);
    expect(errorLine(result)).toMatch(/^error: prod: cannot log in as tsadmin with the current password \(from OLD_PW\); nothing was changed\./);
    expect(await logsIn(OLD)).toBe(true);
  });

  it('--dry-run logs in with the current password and changes nothing', async () => {
    await start();
    const result = await rotate(['--config', configFile(PASSWORD_ENV), '--env', 'prod', '--dry-run'], { TS_PROD_PASSWORD: OLD, TS_PROD_NEW_PASSWORD: NEW });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('dry run: prod: logged in as tsadmin with the current password; the new one is set in TS_PROD_NEW_PASSWORD. Nothing was changed.\n');
    expect(answered.some((step) => step.startsWith('user/updatepassword'))).toBe(false);
    expect(await logsIn(OLD)).toBe(true);
  });

  it('when the change may not have reached ThoughtSpot, checks which password logs in instead of sending it again', async () => {
    // The second request (the change) is answered 503 before the emulator handles it.
    let requests = 0;
    await start({ failRate: 0.5, random: () => ((requests += 1) === 2 ? 0 : 1) });
    const result = await rotate(['--config', configFile(PASSWORD_ENV), '--env', 'prod'], { TS_PROD_PASSWORD: OLD, TS_PROD_NEW_PASSWORD: NEW });
    expect(result.code).toBe(1);
    expect(errorLine(result)).toMatch(/^error: prod: the password change of tsadmin did not take effect \(.*outcome unknown.*\); the current password still applies\. Run rotate-password again\.$/);
    expect(answered.filter((step) => step.startsWith('user/updatepassword'))).toEqual(['user/updatepassword 503']);
    expect(await logsIn(OLD)).toBe(true);
  });

  it('names what is missing: the environment, the variable name, an unset variable, the same password twice', async () => {
    await start();
    const file = configFile(PASSWORD_ENV);
    const cases: [string[], NodeJS.ProcessEnv, string][] = [
      [['--config', file], { TS_PROD_PASSWORD: OLD }, "error: --env is required: rotate-password changes one environment's account"],
      [['--config', configFile('    password: ${TS_PROD_PASSWORD}\n'), '--env', 'prod'], { TS_PROD_PASSWORD: OLD }, 'error: name the variable holding the new password: --new-env VAR, or environments.prod.passwordRotation.newPasswordEnv'],
      [['--config', file, '--env', 'prod'], { TS_PROD_PASSWORD: OLD }, 'error: environments.prod.passwordRotation.newPasswordEnv names TS_PROD_NEW_PASSWORD, which is not set'],
      [['--config', file, '--env', 'prod', '--new-env', 'bad name'], { TS_PROD_PASSWORD: OLD }, "error: --new-env: 'bad name' is not an environment variable name"],
      [['--config', file, '--env', 'prod'], { TS_PROD_PASSWORD: OLD, TS_PROD_NEW_PASSWORD: OLD }, 'error: TS_PROD_NEW_PASSWORD holds the current password of tsadmin in prod: nothing to change'],
    ];
    for (const [args, env, message] of cases) {
      const result = await rotate(args, env);
      expect(result.code).toBe(2);
      expect(errorLine(result)).toBe(message);
    }
    expect(answered).toEqual([]);
  });
});
