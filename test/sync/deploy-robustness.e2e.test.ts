import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, type CliIo } from '../../src/cli/index.js';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../src/emulator/index.js';
import { ThoughtSpotClient } from '../../src/thoughtspot/index.js';
import { git, startGitServer, type GitServer } from '../support/git-server.js';

let server: GitServer;
let dev: RunningEmulator;
const emulators: RunningEmulator[] = [];
const work = mkdtempSync(join(tmpdir(), 'tmlsync-deploy-'));
let remote: string;
let n = 0;

async function cli(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) }, env: { PATH: process.env.PATH, HOME: process.env.HOME } };
  const code = await run(['--log-level', 'silent', ...args], io);
  return { code, stdout, stderr };
}

function configFor(prodUrl: string, extra = ''): string {
  const file = join(work, `config-${(n += 1)}.yaml`);
  writeFileSync(
    file,
    `repository:\n  url: ${remote}\nworkDir: ${join(work, `wd-${n}`)}\nenvironments:\n  dev:\n    url: ${dev.url}\n    username: tsadmin\n    password: \${P:-admin}\n    branch: dev\n  prod:\n    url: ${prodUrl}\n    username: tsadmin\n    password: \${P:-admin}\n    branch: main\n    direction: deploy\n${extra}    mappings:\n      connections: { "Retail Warehouse": "Retail Warehouse PROD" }\n      databases: { RETAIL: RETAIL_PROD }\n      schemas: { PUBLIC: ANALYTICS }\n`,
  );
  return file;
}

/** An empty prod with its own connection (and `extra`), behind the given faults once set up. */
async function prod(faults: EmulatorOptions = {}, extra: string[] = []): Promise<RunningEmulator> {
  const dataDir = join(work, `prod-${(n += 1)}`);
  const setup = await startEmulator({ seed: 'none', dataDir });
  const admin = new ThoughtSpotClient({ url: setup.url, username: 'tsadmin', password: 'admin', env: {} });
  await admin.importTml(['connection:\n  name: Retail Warehouse PROD\n  type: RDBMS_SNOWFLAKE\n  authentication_type: SERVICE_ACCOUNT\n  properties: []\n', ...extra], { policy: 'PARTIAL', forceCreate: false, throwOnError: true });
  await setup.close();
  const emulator = await startEmulator({ seed: 'none', dataDir, guidPolicy: 'regenerate', ...faults });
  emulators.push(emulator);
  return emulator;
}

const names = (e: RunningEmulator) => [...e.state.objects.values()].map((o) => `${o.kind}:${o.name}`).sort();

beforeAll(async () => {
  server = await startGitServer();
  dev = await startEmulator();
  remote = server.createRepo('content');
  expect((await cli('export', '--config', configFor('http://127.0.0.1:1'), '--env', 'dev')).code).toBe(0);
  git(server.pathOf('content'), 'branch', 'main', 'dev');
});
afterAll(async () => {
  await Promise.all([dev.close(), ...emulators.map((e) => e.close())]);
  await server.close();
  rmSync(work, { recursive: true, force: true });
});

describe('deploy robustness', () => {
  it('with PARTIAL, skips the dependents of a table the target rejects, and says why', async () => {
    const taken = 'table:\n  name: products_legacy\n  db: RETAIL_PROD\n  schema: ANALYTICS\n  db_table: dim_products\n  connection:\n    name: Retail Warehouse PROD\n  columns:\n  - name: product_id\n    db_column_name: product_id\n    properties:\n      column_type: ATTRIBUTE\n    db_column_properties:\n      data_type: INT64\n';
    const target = await prod({}, [taken]);
    const result = await cli('deploy', '--config', configFor(target.url, '    importPolicy: PARTIAL\n'), '--env', 'prod', '--format', 'json');
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { objects: { kind: string; name: string; outcome: string; error?: string }[] };
    const outcome = (name: string) => report.objects.find((o) => o.name === name)!;
    expect(outcome('dim_products')).toMatchObject({ outcome: 'failed', error: expect.stringContaining('Logical table ID to update is compulsory') });
    // fact_sales joins dim_products; the model stands on fact_sales: both are skipped, each saying why.
    expect(outcome('fact_sales')).toMatchObject({ outcome: 'failed', error: expect.stringContaining('depends on table dim_products') });
    expect(outcome('Retail Sales')).toMatchObject({ outcome: 'failed', error: expect.stringMatching(/depends on table (fact_sales|dim_products)/) });
    expect(outcome('dim_stores').outcome).toBe('added');
    expect(outcome('dim_customers').outcome).toBe('added');
    expect(names(target)).not.toContain('model:Retail Sales');
  });

  it('ends with exactly the objects of a fault-free deploy under faults, none duplicated', async () => {
    const clean = await prod();
    expect((await cli('deploy', '--config', configFor(clean.url), '--env', 'prod')).code).toBe(0);
    const flaky = await prod({ failRate: 0.1, rateLimit: 20, dropRate: 0.05, sessionTtlMs: 300 });
    let result = await cli('deploy', '--config', configFor(flaky.url), '--env', 'prod');
    // A run may end early on a fault the client does not retry; the next run converges.
    for (let attempt = 0; attempt < 3 && result.code !== 0; attempt += 1) result = await cli('deploy', '--config', configFor(flaky.url), '--env', 'prod');
    expect(result.code, result.stderr).toBe(0);
    expect(names(flaky)).toEqual(names(clean));
  });
});
