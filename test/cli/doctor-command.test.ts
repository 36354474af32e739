import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DoctorReport } from '../../src/cli/commands/doctor.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { cli } from '../support/cli.js';
import { startGitServer, type GitServer } from '../support/git-server.js';
import { freePort } from '../support/net.js';

const work = mkdtempSync(join(tmpdir(), 'tmlsync-doctor-'));
let emulator: RunningEmulator;
let git: GitServer;
let readOnly: GitServer;
/**
 * The writable remote of every case that is not about the remote: doctor only reads it and
 * dry-runs a push, so the cases share it (a repository each cost a `git init` each, 21 in all).
 */
let remote: string;
const TRUSTED_SECRET = 'doctor-trusted-secret-1';

beforeAll(async () => {
  emulator = await startEmulator({ trustedAuthSecret: TRUSTED_SECRET, orgs: ['Dev'] });
  git = await startGitServer();
  readOnly = await startGitServer({ readOnly: true });
  remote = git.createRepo('content');
});
afterAll(async () => {
  await emulator.close();
  await git.close();
  await readOnly.close();
  rmSync(work, { recursive: true, force: true });
});

let files = 0;
/** A configuration of one environment `dev` (its YAML lines given), on `remote`. */
function config(remote: string, environment: string[], top: string[] = []): string {
  const file = join(work, `tmlsync-${(files += 1)}.yaml`);
  writeFileSync(file, ['repository:', `  url: ${remote}`, `workDir: ${join(work, 'wd')}`, ...top, 'environments:', '  dev:', `    url: ${emulator.url}`, ...environment.map((l) => `    ${l}`), ''].join('\n'));
  return file;
}

async function doctor(file: string, env: NodeJS.ProcessEnv = { TS_PASSWORD: 'admin' }) {
  const result = await cli(['doctor', '--config', file, '--format', 'json'], env);
  const report = JSON.parse(result.stdout) as DoctorReport;
  const checks = Object.fromEntries(report.environments[0]?.checks.map((c) => [c.id, c]) ?? []);
  return { ...result, report, checks };
}

const admin = (api: string, direction = 'export') => ['username: tsadmin', 'password: ${TS_PASSWORD}', `api: ${api}`, `direction: ${direction}`];

describe.each(['v1', 'v2'])('tmlsync doctor over API %s', (api) => {
  it('passes every check against the emulator and a writable remote, and exits 0', async () => {
    const { code, report, checks } = await doctor(config(remote, [...admin(api, 'deploy'), 'mappings:', '  connections:', '    Retail Warehouse: Retail Warehouse']));
    expect(code).toBe(0);
    expect(report.ok).toBe(true);
    expect(Object.values(checks).map((c) => `${c.id} ${c.status}`)).toEqual([
      'thoughtspot pass', 'api pass', 'login pass', 'org pass', 'privileges pass', 'connections pass', 'git-read pass', 'git-write pass',
    ]);
    expect(checks.api!.detail).toBe(`REST API v1 and v2; tmlsync uses ${api}`);
    expect(checks.privileges!.detail).toContain('ADMINISTRATION');
    // The daemon's secrets are warnings: worth knowing, not needed by a command run.
    expect(report.checks.map((c) => `${c.id} ${c.status}`)).toEqual(['configuration pass', 'webhook-secret warn', 'api-token warn']);
    if (api === 'v2') expect(checks.org!.detail).toBe("Org Primary (id 0), the user's default");
  });

  it('passes the org line for the Org the environment names', async () => {
    const { code, checks } = await doctor(config(remote, [...admin(api), 'org: Dev']));
    expect(code).toBe(0);
    expect(checks.org!.detail).toMatch(api === 'v2' ? /^Org Dev \(id \d+\)$/ : /^Org Dev /);
  });

  it('fails the org line for an Org the user is not in, naming both, and exits 1', async () => {
    const { code, checks } = await doctor(config(remote, [...admin(api), 'org: Nowhere']));
    expect(code).toBe(1);
    expect(checks.login!.status).toBe('pass');
    expect(checks.org).toMatchObject({ status: 'fail', fix: expect.stringContaining('set org: of environment dev') });
    expect(checks.org!.detail).toContain('Org Nowhere: user tsadmin is not in it');
    expect(checks.privileges!.status).toBe('skip');
  });

  it('fails the login line on a wrong password, with its fix, and exits 1', async () => {
    const { code, checks } = await doctor(config(remote, admin(api)), { TS_PASSWORD: 'wrong-password' });
    expect(code).toBe(1);
    expect(checks.login).toMatchObject({ status: 'fail', fix: expect.stringContaining('password variable of environment dev') });
    expect(checks.login!.detail).toMatch(/^login as tsadmin \(password\) refused/);
    expect(checks.privileges!.status).toBe('skip');
    expect(JSON.stringify(checks)).not.toContain('wrong-password');
  });

  it('fails the privileges line for a user without DATAMANAGEMENT or ADMINISTRATION', async () => {
    const { code, checks } = await doctor(config(remote, ['username: alex.analyst', 'password: demo-password', `api: ${api}`]));
    expect(code).toBe(1);
    expect(checks.login!.status).toBe('pass');
    expect(checks.privileges).toMatchObject({
      status: 'fail',
      detail: 'alex.analyst lacks DATAMANAGEMENT or ADMINISTRATION (TML export)',
      fix: 'add alex.analyst to a group with DATAMANAGEMENT in dev, or sign in as a user who has it',
    });
  });

  it('passes the privileges line for a user with DATAMANAGEMENT through a group', async () => {
    const { checks } = await doctor(config(remote, ['username: dana.engineer', 'password: demo-password', `api: ${api}`]));
    expect(checks.privileges).toMatchObject({ status: 'pass', detail: expect.stringContaining('DATAMANAGEMENT') });
  });

  it('fails the connections line for a mapped connection the target does not have', async () => {
    const { code, checks } = await doctor(config(remote, [...admin(api, 'deploy'), 'mappings:', '  connections:', '    Retail Warehouse: Prod Warehouse']));
    expect(code).toBe(1);
    expect(checks.connections).toMatchObject({ status: 'fail', detail: 'mapped connection "Prod Warehouse" not found in dev', fix: 'create it in ThoughtSpot, or correct mappings.connections of environment dev' });
  });
});

describe('tmlsync doctor', () => {
  it('logs in with trusted authentication', async () => {
    const { code, checks } = await doctor(config(remote, ['username: tsadmin', 'secretKey: ${TS_SECRET}']), { TS_SECRET: TRUSTED_SECRET });
    expect(code).toBe(0);
    expect(checks.login!.detail).toBe('logged in as tsadmin (trusted authentication)');
  });

  it('fails the git-read line for a remote nothing answers at', async () => {
    // A port nothing listens on: no git daemon started (and stopped) for it.
    const url = `git://127.0.0.1:${await freePort()}/gone.git`;
    const { code, checks } = await doctor(config(url, admin('v1')));
    expect(code).toBe(1);
    expect(checks['git-read']).toMatchObject({ status: 'fail', detail: expect.stringContaining(`cannot read ${url}`), fix: expect.stringContaining('check repository.url and the credentials') });
    expect(checks['git-write']!.status).toBe('skip');
  });

  it('fails the git-write line for an export environment whose remote refuses pushes', async () => {
    const url = readOnly.createRepo('read-only');
    const { code, checks } = await doctor(config(url, admin('v1')));
    expect(code).toBe(1);
    expect(checks['git-read']!.status).toBe('pass');
    expect(checks['git-write']).toMatchObject({ status: 'fail', detail: expect.stringContaining(`${url} refuses pushes`), fix: expect.stringContaining('an export pushes to branch dev') });
  });

  it('fails the thoughtspot line when the instance does not answer', async () => {
    const file = join(work, 'unreachable.yaml');
    writeFileSync(file, ['repository:', `  url: ${remote}`, 'environments:', '  dev:', '    url: http://127.0.0.1:9', '    username: tsadmin', '    password: ${TS_PASSWORD}', ''].join('\n'));
    const { code, checks } = await doctor(file);
    expect(code).toBe(1);
    expect(checks.thoughtspot).toMatchObject({ status: 'fail', detail: expect.stringContaining('no answer from http://127.0.0.1:9'), fix: 'check url: (and the network, proxy or caFile) for environment dev' });
  });

  it("passes the daemon's webhook secret and API token when they are set, and never prints them", async () => {
    const secrets = { TS_PASSWORD: 'admin', HOOK_SECRET: 'doctor-webhook-secret-1', API_TOKEN: 'doctor-api-token-1' };
    const file = config(remote, admin('v1'), ['server:', '  webhookSecret: ${HOOK_SECRET}', '  apiToken: ${API_TOKEN}']);
    const { code, report, stdout } = await doctor(file, secrets);
    expect(code).toBe(0);
    expect(report.checks.map((c) => `${c.id} ${c.status}`)).toEqual(['configuration pass', 'webhook-secret pass', 'api-token pass']);
    expect(stdout).not.toContain(secrets.HOOK_SECRET);
    expect(stdout).not.toContain(secrets.API_TOKEN);
  });

  it('reports a configuration that does not load, and exits 2', async () => {
    const file = config(remote, ['username: tsadmin', 'password: ${TS_PASSWORD}', 'direction: sideways']);
    const { code, report } = await doctor(file);
    expect(code).toBe(2);
    expect(report.checks[0]).toMatchObject({ id: 'configuration', status: 'fail', detail: expect.stringContaining('environments.dev.direction') });
  });

  it('prints a readable checklist with a fix under each failure', async () => {
    const result = await cli(['--log-level', 'info', 'doctor', '--config', config(remote, ['username: alex.analyst', 'password: demo-password'])]);
    expect(result.code).toBe(1);
    // The checklist is the whole output: no log line beside it at info (the API chosen is its api line).
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('dev (direction export, branch dev)\n  [ok]   thoughtspot:');
    expect(result.stdout).toMatch(/\[FAIL\] privileges: alex\.analyst lacks DATAMANAGEMENT or ADMINISTRATION \(TML export\)\n {9}fix: add alex\.analyst to a group with DATAMANAGEMENT in dev/);
    expect(result.stdout).toContain('1 check failed.');
  });
});
