import { defaultsIn, literalIn } from './interpolate.js';

// One definition, shared with git/ (which may not import config/): see log/redact.ts.
export { urlHoldsCredentials } from '../log/index.js';

/**
 * The "no literal secret in a tracked file" rule (DESIGN.md, Configuration), for every value
 * that can carry a credential: the secret fields, and URLs, whose user-info part
 * (`https://user:token@host`) is a credential too.
 */

/** Fields that hold secrets: literal values are refused in files tracked by git. */
export const SECRET_FIELDS = new Set(['password', 'secretKey', 'webhookSecret', 'apiToken', 'initialPassword', 'webhookUrl']);

/**
 * The embedded emulator's documented demo password (README, "The emulator": tsadmin / admin).
 * It is published, so it is no secret, and `config/default.yaml` falls back to it for an
 * environment on this machine; anywhere else a default is a literal like any other.
 */
const EMULATOR_DEMO_PASSWORD = 'admin';
const LOOPBACK_URL = /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?\/?$/i;

/** Why a secret field's text holds the secret itself, or undefined when it holds only references. */
export function literalSecretProblem(value: string, environmentUrl: string | undefined): string | undefined {
  const literal = value === '' ? undefined : literalIn(value);
  if (literal === 'text') return 'a literal secret in a file tracked by git; use an environment variable reference such as ${TS_PASSWORD}';
  if (literal !== 'default') return undefined;
  const demo = environmentUrl !== undefined && LOOPBACK_URL.test(environmentUrl) && defaultsIn(value).every((d) => d === EMULATOR_DEMO_PASSWORD);
  return demo ? undefined : 'a literal secret as the default of a reference (${VAR:-…}) in a file tracked by git; remove the default and set the variable';
}

/** What to tell someone whose URL field carries a credential, by field. */
export function urlCredentialsProblem(path: readonly (string | number)[]): string {
  return path[0] === 'repository'
    ? 'holds credentials (user:token@); git would store them in the work tree\'s .git/config: remove them from the URL and name an environment variable holding the token in repository.tokenEnv'
    : 'holds credentials (user:password@); remove them from the URL and use username and password (a ${VAR} reference)';
}
