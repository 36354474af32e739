import { clientFor, connect, remoteUrl, signInName, v2ClientFor, withSession, type Services } from '../../app/index.js';
import type { EnvironmentConfig, LoadedConfig } from '../../config/index.js';
import { probeRead, probeWrite, type GitAccess, type ProbeResult } from '../../git/index.js';
import type { SessionUser, ThoughtSpotPort } from '../../sync/ports.js';
import { OrgAccessError, ThoughtSpotApiError, ThoughtSpotNetworkError } from '../../thoughtspot/index.js';

/**
 * `tmlsync doctor`: what a first run needs of an environment, asked before
 * that run fails: its ThoughtSpot (reachable, which REST API versions, the
 * login, the Org, the privileges its direction needs, the mapped
 * connections) and the git remote (readable, and writable: every direction
 * pushes, an export its content, a deploy its ledger under refs/tmlsync/).
 * Each failed check says how to fix it.
 */

export type CheckStatus = 'pass' | 'fail' | 'warn' | 'skip';

export interface Check {
  /** Stable name for scripts (`--format json`): `thoughtspot`, `api`, `login`, `org`, `privileges`, `connections`, `git-read`, `git-write`, … */
  id: string;
  status: CheckStatus;
  /** What was found, in a sentence. */
  detail: string;
  /** What to do about a failure or a warning. */
  fix?: string;
}

export const check = (id: string, status: CheckStatus, detail: string, fix?: string): Check => ({ id, status, detail, ...(fix ? { fix } : {}) });

/** Every check of one environment, in the order a first run meets them. */
export async function checkEnvironment(config: LoadedConfig, environment: EnvironmentConfig, services: Services, remotes: RemoteProbes): Promise<Check[]> {
  const instance = await checkInstance(environment, services);
  const session = instance.loggedIn
    ? await withSession(connect(environment, services), (connection) => checkSession(environment, connection.port))
    : ['org', 'privileges', 'connections'].filter((id) => !instance.checks.some((c) => c.id === id)).map((id) => check(id, 'skip', 'not checked: no session'));
  return [...instance.checks, ...session, ...(await checkRemote(config, environment, services, remotes))];
}

// ------------------------------------------------------------------ ThoughtSpot

type Answer =
  | { kind: 'ok' }
  | { kind: 'absent' }
  | { kind: 'refused'; message: string }
  | { kind: 'unreachable'; message: string }
  | { kind: 'org'; message: string }
  | { kind: 'error'; message: string };

/** One version's login: it works, the instance has no such API (404), the credentials are refused, or nothing answers. */
async function loginAnswer(client: { login(): Promise<void>; logout(): Promise<void> }): Promise<Answer> {
  return withSession(client, async () => {
    try {
      await client.login();
      return { kind: 'ok' } as const;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      // The credentials were good; the configured Org is not one the user is in.
      if (error instanceof OrgAccessError) return { kind: 'org', message } as const;
      if (error instanceof ThoughtSpotApiError && error.status === 404) return { kind: 'absent' } as const;
      if (error instanceof ThoughtSpotApiError && (error.status === 401 || error.status === 403)) return { kind: 'refused', message } as const;
      if (error instanceof ThoughtSpotNetworkError) return { kind: 'unreachable', message } as const;
      return { kind: 'error', message } as const;
    }
  });
}

/**
 * Reachable, its API versions, and the login over the version in use (the
 * one `api` names; for `auto`, v2 unless the instance has none, as `connect`
 * chooses). Both versions are asked, so that the answer says which exist.
 */
async function checkInstance(environment: EnvironmentConfig, services: Services): Promise<{ checks: Check[]; loggedIn: boolean }> {
  const [v1, v2] = [await loginAnswer(clientFor(environment, services)), await loginAnswer(v2ClientFor(environment, services))];
  const unreachable = [v1, v2].find((a) => a.kind === 'unreachable');
  if (unreachable && [v1, v2].every((a) => a.kind === 'unreachable')) {
    return { loggedIn: false, checks: [check('thoughtspot', 'fail', `no answer from ${environment.url}: ${unreachable.message}`, `check url: (and the network, proxy or caFile) for environment ${environment.name}`)] };
  }
  const versions = (['v1', 'v2'] as const).filter((_, i) => [v1, v2][i]!.kind !== 'absent' && [v1, v2][i]!.kind !== 'unreachable');
  const checks = [check('thoughtspot', 'pass', `${environment.url} answers`)];
  const inUse = environment.api === 'auto' ? (versions.includes('v2') ? 'v2' : 'v1') : environment.api;
  if (!versions.includes(inUse)) {
    checks.push(check('api', 'fail', `REST API ${inUse} is not served (the instance has ${versions.join(', ') || 'neither v1 nor v2'})`, `set api: ${versions[0] ?? 'auto'} for environment ${environment.name}`));
    return { checks, loggedIn: false };
  }
  checks.push(check('api', 'pass', `REST API ${versions.join(' and ')}; tmlsync uses ${inUse}${environment.api === 'auto' ? ' (api: auto)' : ''}`));
  const login = inUse === 'v1' ? v1 : v2;
  const how = environment.secretKey ? 'trusted authentication' : 'password';
  const who = `${signInName(environment)} (${how})`;
  if (login.kind === 'ok') return { checks: [...checks, check('login', 'pass', `logged in as ${who}`)], loggedIn: true };
  if (login.kind === 'org') {
    const orgFix = `set org: of environment ${environment.name} to an Org ${signInName(environment)} is in, or add the user to Org ${environment.org ?? ''}`;
    return { checks: [...checks, check('login', 'pass', `credentials of ${who} accepted`), check('org', 'fail', login.message, orgFix)], loggedIn: false };
  }
  const fix = environment.secretKey
    ? `check username: and the secret key of environment ${environment.name} (Develop > Customizations > Security settings > Trusted authentication)`
    : `check username: and the password variable of environment ${environment.name}`;
  const message = login.kind === 'absent' ? 'not found' : login.message;
  return { checks: [...checks, check('login', 'fail', `login as ${who} refused: ${message}`, fix)], loggedIn: false };
}

/** A privilege need: one of `anyOf`, and why. */
interface Need {
  anyOf: string[];
  because: string;
}

/** What an environment's direction and settings need of the user (reference §2.15: TML export and import need DATAMANAGEMENT or ADMINISTRATION). */
export function privilegeNeeds(environment: EnvironmentConfig): Need[] {
  const tml = environment.direction === 'export' ? 'TML export' : environment.direction === 'deploy' ? 'TML import' : 'TML export and import';
  return [
    { anyOf: ['DATAMANAGEMENT', 'ADMINISTRATION'], because: tml },
    ...(environment.principals ? [{ anyOf: ['ADMINISTRATION'], because: 'principals (user/sync manages users and groups)' }] : []),
    ...(environment.ownership ? [{ anyOf: ['ADMINISTRATION'], because: 'ownership (transferring objects between users)' }] : []),
  ];
}

async function checkSession(environment: EnvironmentConfig, port: ThoughtSpotPort): Promise<Check[]> {
  let user: SessionUser;
  try {
    user = await port.sessionUser();
  } catch (error) {
    const detail = `cannot read who the session is: ${error instanceof Error ? error.message : String(error)}`;
    return [check('org', 'skip', 'not checked'), check('privileges', 'fail', detail, 'the user needs to read its own groups (user/list, group)'), check('connections', 'skip', 'not checked')];
  }
  return [orgCheck(environment, user), privilegeCheck(environment, user), await connectionCheck(environment, port)];
}

/** The session's Org: the configured one (the login chose it, or refused), else the user's default. */
function orgCheck(environment: EnvironmentConfig, user: SessionUser): Check {
  const configured = environment.org;
  if (user.org) return check('org', 'pass', `Org ${user.org.name} (id ${user.org.id})${configured ? '' : ", the user's default"}`);
  // API v1 cannot say which Org a session is in; the login switched it to the configured one (session/orgs).
  return check('org', 'pass', configured ? `Org ${configured} (the session was switched to it)` : "the user's default Org (API v1 does not name it)");
}

function privilegeCheck(environment: EnvironmentConfig, user: SessionUser): Check {
  const missing = privilegeNeeds(environment).filter((need) => !need.anyOf.some((p) => user.privileges.includes(p)));
  if (missing.length === 0) return check('privileges', 'pass', `${user.name} has ${user.privileges.join(', ') || 'no privileges'}`);
  const lacks = missing.map((need) => `${need.anyOf.join(' or ')} (${need.because})`).join('; ');
  return check('privileges', 'fail', `${user.name} lacks ${lacks}`, `add ${user.name} to a group with ${missing.map((n) => n.anyOf[0]).join(' and ')} in ${environment.name}, or sign in as a user who has it`);
}

/** The connections `mappings.connections` points to exist in the environment: a deploy resolves references to them and never creates one. */
async function connectionCheck(environment: EnvironmentConfig, port: ThoughtSpotPort): Promise<Check> {
  const wanted = [...new Set(Object.values(environment.mappings?.connections ?? {}))];
  if (wanted.length === 0) return check('connections', 'skip', 'no mappings.connections to check');
  const names = new Set((await port.listHeaders('DATA_SOURCE')).map((h) => h.name));
  const missing = wanted.filter((name) => !names.has(name));
  if (missing.length === 0) return check('connections', 'pass', `mapped connection${wanted.length > 1 ? 's' : ''} ${wanted.join(', ')} found`);
  return check('connections', 'fail', `mapped connection${missing.length > 1 ? 's' : ''} ${missing.map((n) => JSON.stringify(n)).join(', ')} not found in ${environment.name}`, `create ${missing.length > 1 ? 'them' : 'it'} in ThoughtSpot, or correct mappings.connections of environment ${environment.name}`);
}

// ------------------------------------------------------------------ git

/** One probe per remote and question, however many environments share the remote. */
export type RemoteProbes = Map<string, Promise<ProbeResult>>;

function gitAccess(config: LoadedConfig, services: Services): GitAccess | string {
  const { sshKeyFile, tokenEnv } = config.repository;
  const token = tokenEnv ? services.env[tokenEnv] : undefined;
  if (tokenEnv && !token) return `repository.tokenEnv names ${tokenEnv}, which is not set`;
  services.redactor.add(token);
  return { ...(sshKeyFile ? { sshKeyFile } : {}), ...(token ? { httpsToken: token } : {}) };
}

async function checkRemote(config: LoadedConfig, environment: EnvironmentConfig, services: Services, probes: RemoteProbes): Promise<Check[]> {
  const url = remoteUrl(config.repository.url);
  const access = gitAccess(config, services);
  if (typeof access === 'string') return [check('git-read', 'fail', access, `export ${config.repository.tokenEnv} with a token that may read and push the repository`), check('git-write', 'skip', 'not checked')];
  const probe = (kind: 'read' | 'write') => {
    const key = `${kind} ${url}`;
    if (!probes.has(key)) probes.set(key, kind === 'read' ? probeRead(url, access) : probeWrite(url, access));
    return probes.get(key)!;
  };
  const read = await probe('read');
  if (!read.ok) return [check('git-read', 'fail', `cannot read ${url}: ${read.error}`, 'check repository.url and the credentials (repository.sshKeyFile or repository.tokenEnv)'), check('git-write', 'skip', 'not checked')];
  const branch = read.branches.includes(environment.branch)
    ? `branch ${environment.branch} is there`
    : `branch ${environment.branch} is not there yet${environment.direction === 'deploy' ? ': nothing to deploy until it is pushed' : ': the first export creates it'}`;
  const write = await probe('write');
  return [
    check('git-read', 'pass', `${url} readable; ${branch}`),
    write.ok
      ? check('git-write', 'pass', `${url} accepts pushes (dry run)`)
      : check('git-write', 'fail', `${url} refuses pushes: ${write.error}`, `give tmlsync's credentials write access: ${environment.direction === 'deploy' ? 'a deploy pushes its ledger to refs/tmlsync/' : `an ${environment.direction} pushes to branch ${environment.branch}`}`),
  ];
}

// ------------------------------------------------------------------ the daemon

/** The daemon's webhook and trigger API refuse every request without their secrets: worth knowing before relying on them. */
export function checkServer(config: LoadedConfig): Check[] {
  const { webhookSecret, apiToken } = config.server;
  return [
    webhookSecret
      ? check('webhook-secret', 'pass', 'server.webhookSecret is set: GitHub push deliveries are verified and accepted')
      : check('webhook-secret', 'warn', 'server.webhookSecret is not set: the daemon refuses every GitHub webhook delivery', 'set server.webhookSecret: ${TMLSYNC_WEBHOOK_SECRET} if pushes should trigger deploys at once'),
    apiToken
      ? check('api-token', 'pass', 'server.apiToken is set: the trigger API accepts its bearer token')
      : check('api-token', 'warn', 'server.apiToken is not set: the daemon refuses every trigger API call (tmlsync trigger)', 'set server.apiToken: ${TMLSYNC_API_TOKEN} to trigger runs over HTTP'),
  ];
}
