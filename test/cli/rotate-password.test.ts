import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { API_PREFIX, API_V2_PREFIX, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { hashPassword } from '../../src/emulator/principals.js';
import { createLogger } from '../../src/log/index.js';
import { API_VERSIONS, clientOf, endpointOf, type ApiVersion } from '../support/api.js';
import { cli, type CliResult } from '../support/cli.js';

// `tmlsync rotate-password` against one emulator, over the API version each environment names:
// every case has a service account of its own (svc-N, with OLD as its password), so that cases
// share the emulator. Every command runs at trace level, and everything it writes is searched for
// both passwords.

const OLD = 'Old-service-Pass-7';
const NEW = 'N3w-service-Pass';
const SECRET_KEY = '5ec7e7-trusted-key-for-rotation';
const work = mkdtempSync(join(tmpdir(), 'tmlsync-rotate-'));
let emulator: RunningEmulator;
let answered: string[] = [];
/** The emulator answers the request this many requests from now with a 503 (failRate 0.5, `random` below); negative: none. */
let failIn = -1;

beforeAll(async () => {
  const logger = createLogger({ level: 'info', destination: { write: (line: string) => void answered.push(rotationStep(line)) } });
  emulator = await startEmulator({ seed: 'none', trustedAuthSecret: SECRET_KEY, logger, failRate: 0.5, random: () => ((failIn -= 1) === -1 ? 0 : 1) });
});
afterAll(async () => {
  await emulator.close();
  rmSync(work, { recursive: true, force: true });
});

function rotationStep(line: string): string {
  const { path, status } = JSON.parse(line) as { path?: string; status?: number };
  return `${(path ?? '').replace(API_PREFIX, '').replace(API_V2_PREFIX, '')} ${status ?? ''}`;
}

let accounts = 0;
/** A new local user of the Primary Org whose password is OLD: the case's service account. */
function serviceAccount(): string {
  const name = `svc-${(accounts += 1)}`;
  const now = emulator.state.now();
  emulator.state.users.set(name, {
    kind: 'user', id: crypto.randomUUID(), name, displayName: name, mail: '', principalTypeEnum: 'LOCAL_USER', groupNames: ['All'],
    visibility: 'DEFAULT', created: now, modified: now, passwordHash: hashPassword(OLD),
  });
  return name;
}

let n = 0;
function configFile(api: ApiVersion, username: string, environment: string): string {
  const file = join(work, `config-${(n += 1)}.yaml`);
  writeFileSync(file, `repository:\n  url: x.git\nenvironments:\n  prod:\n    url: ${emulator.url}\n    api: ${api}\n    username: ${username}\n${environment}`);
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
});

describe.each(API_VERSIONS)('tmlsync rotate-password over %s', (api) => {
  const login = endpointOf(api, 'login');
  const change = endpointOf(api, 'passwordChange');
  /** The steps of a rotation: logins and password changes, with their status. */
  const steps = () => answered.filter((step) => step.startsWith(`${login} `) || step.startsWith(`${change} `));
  let user: string;

  beforeEach(() => {
    answered = [];
    failIn = -1;
    user = serviceAccount();
  });

  async function logsIn(password: string): Promise<boolean> {
    const client = clientOf(api, emulator.url, { username: user, password });
    return client.login().then(
      () => true,
      () => false,
    );
  }

  it('changes the password from the variables the configuration names and proves it with a fresh login', async () => {
    const result = await rotate(['--config', configFile(api, user, PASSWORD_ENV), '--env', 'prod'], { TS_PROD_PASSWORD: OLD, TS_PROD_NEW_PASSWORD: NEW });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`prod: the password of ${user} was changed, and a new session logged in with it.`);
    expect(result.stdout).toContain('Next: put the new password (now in TS_PROD_NEW_PASSWORD) into the secret store that environments.prod.password reads');
    expect(result.stdout).toContain('tmlsync cannot change environment variables or secret stores; until then, runs for prod fail to log in.');
    // Log in with the current password, change it, then a new session with the new one: in the environment's API version.
    const signedIn = api === 'v1' ? 204 : 200;
    expect(steps()).toEqual([`${login} ${signedIn}`, `${change} 204`, `${login} ${signedIn}`]);
    expect(result.stderr).toContain(`"api":"${api}"`);
    expect(result.stderr).toContain('"msg":"service account password changed; a new session logged in with the new password"');
    expect(await logsIn(NEW)).toBe(true);
    expect(await logsIn(OLD)).toBe(false);
  });

  it('takes the variables from flags, also for an environment that uses trusted authentication', async () => {
    const file = configFile(api, user, '    secretKey: ${TS_PROD_SECRET_KEY}\n');
    const result = await rotate(['--config', file, '--env', 'prod', '--current-env', 'OLD_PW', '--new-env', 'NEW_PW'], { TS_PROD_SECRET_KEY: SECRET_KEY, OLD_PW: OLD, NEW_PW: NEW });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('into the secret store that the variable OLD_PW reads');
    expect(result.stdout).not.toContain('fail to log in');
    expect(await logsIn(NEW)).toBe(true);
  });

  it('a new password the policy refuses exits 2 saying why, and the old one still logs in', async () => {
    const weak = 'weakling';
    const result = await rotate(['--config', configFile(api, user, PASSWORD_ENV), '--env', 'prod'], { TS_PROD_PASSWORD: OLD, TS_PROD_NEW_PASSWORD: weak });
    expect(result.code).toBe(2);
    expect(errorLine(result)).toMatch(
      new RegExp(`^error: prod: ThoughtSpot refused to change the password of ${user}, which is unchanged\\. ThoughtSpot ${change} failed with HTTP 400 .*the new password does not meet the password policy: it must contain a letter and a digit`),
    );
    expect(result.stdout).toBe('');
    expect(await logsIn(OLD)).toBe(true);
    expect(await logsIn(weak)).toBe(false);
  });

  it('a wrong current password exits 2 before anything is changed, and the real one still logs in', async () => {
    const result = await rotate(['--config', configFile(api, user, PASSWORD_ENV), '--env', 'prod'], { TS_PROD_PASSWORD: 'not-the-Password-1', TS_PROD_NEW_PASSWORD: NEW });
    expect(result.code).toBe(2);
    expect(errorLine(result)).toMatch(new RegExp(`^error: prod: cannot log in as ${user} with the current password; nothing was changed\\. ThoughtSpot ${login} failed with HTTP 401`));
    expect(answered.some((step) => step.startsWith(change))).toBe(false);
    expect(await logsIn(OLD)).toBe(true);
    expect(await logsIn(NEW)).toBe(false);
  });

  it('for an environment that uses trusted authentication, a wrong current password still stops before any change', async () => {
    // The change is made from a password session, never the trusted one: the current password is proved first.
    const file = configFile(api, user, '    secretKey: ${TS_PROD_SECRET_KEY}\n');
    const result = await rotate(['--config', file, '--env', 'prod', '--current-env', 'OLD_PW', '--new-env', 'NEW_PW'], { TS_PROD_SECRET_KEY: SECRET_KEY, OLD_PW: 'not-the-Password-1', NEW_PW: NEW });
    expect(result.code).toBe(2);
    expect(errorLine(result)).toMatch(new RegExp(`^error: prod: cannot log in as ${user} with the current password \\(from OLD_PW\\); nothing was changed\\.`));
    expect(await logsIn(OLD)).toBe(true);
  });

  it('--dry-run logs in with the current password and changes nothing', async () => {
    const result = await rotate(['--config', configFile(api, user, PASSWORD_ENV), '--env', 'prod', '--dry-run'], { TS_PROD_PASSWORD: OLD, TS_PROD_NEW_PASSWORD: NEW });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`dry run: prod: logged in as ${user} with the current password; the new one is set in TS_PROD_NEW_PASSWORD. Nothing was changed.\n`);
    expect(answered.some((step) => step.startsWith(change))).toBe(false);
    expect(await logsIn(OLD)).toBe(true);
  });

  it('when the change may not have reached ThoughtSpot, checks which password logs in instead of sending it again', async () => {
    // The second request (the change, after the login) is answered 503 before the emulator handles it.
    failIn = 1;
    const result = await rotate(['--config', configFile(api, user, PASSWORD_ENV), '--env', 'prod'], { TS_PROD_PASSWORD: OLD, TS_PROD_NEW_PASSWORD: NEW });
    expect(result.code).toBe(1);
    expect(errorLine(result)).toMatch(new RegExp(`^error: prod: the password change of ${user} did not take effect \\(.*outcome unknown.*\\); the current password still applies\\. Run rotate-password again\\.$`));
    expect(answered.filter((step) => step.startsWith(change))).toEqual([`${change} 503`]);
    expect(await logsIn(OLD)).toBe(true);
  });
});

describe('tmlsync rotate-password input', () => {
  it('names what is missing: the environment, the variable name, an unset variable, the same password twice', async () => {
    answered = [];
    const user = serviceAccount();
    const file = configFile('v2', user, PASSWORD_ENV);
    const cases: [string[], NodeJS.ProcessEnv, string][] = [
      [['--config', file], { TS_PROD_PASSWORD: OLD }, "error: --env is required: rotate-password changes one environment's account"],
      [['--config', configFile('v2', user, '    password: ${TS_PROD_PASSWORD}\n'), '--env', 'prod'], { TS_PROD_PASSWORD: OLD }, 'error: name the variable holding the new password: --new-env VAR, or environments.prod.passwordRotation.newPasswordEnv'],
      [['--config', file, '--env', 'prod'], { TS_PROD_PASSWORD: OLD }, 'error: environments.prod.passwordRotation.newPasswordEnv names TS_PROD_NEW_PASSWORD, which is not set'],
      [['--config', file, '--env', 'prod', '--new-env', 'bad name'], { TS_PROD_PASSWORD: OLD }, "error: --new-env: 'bad name' is not an environment variable name"],
      [['--config', file, '--env', 'prod'], { TS_PROD_PASSWORD: OLD, TS_PROD_NEW_PASSWORD: OLD }, `error: TS_PROD_NEW_PASSWORD holds the current password of ${user} in prod: nothing to change`],
    ];
    for (const [args, env, message] of cases) {
      const result = await rotate(args, env);
      expect(result.code).toBe(2);
      expect(errorLine(result)).toBe(message);
    }
    expect(answered).toEqual([]);
  });
});
