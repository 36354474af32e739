import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../src/emulator/index.js';
import { GitRepo } from '../../src/git/index.js';
import { prng } from '../../src/emulator/seed/demo.js';
import { createLogger } from '../../src/log/index.js';
import { CLI_MAIN, cli } from '../support/cli.js';
import { copyRemote, exportedRemote } from '../support/seeded-remote.js';
import { useStage } from '../support/stage.js';
import { API_VERSIONS, clientOf } from '../support/api.js';
import { addProdConnection, PROD_MAPPINGS } from '../support/prod.js';

// One stage for both versions: dev (the demo) exported once into a seed remote; each version
// deploys a copy of it (its deploy ledger and lock are its own), each case to a prod of its own.
const stage = useStage('tmlsync-deploy-');
const { work } = stage;
const emulators: RunningEmulator[] = [];
let seed: string;
let n = 0;

beforeAll(async () => {
  seed = await exportedRemote(stage);
});
afterAll(() => Promise.all(emulators.map((e) => e.close())));

/** An empty prod with its own connection (and `extra`), behind the given faults once set up. */
async function prod(faults: EmulatorOptions = {}, extra: string[] = []): Promise<RunningEmulator> {
  const dataDir = join(work, `prod-${(n += 1)}`);
  const setup = await startEmulator({ seed: 'none', dataDir });
  const admin = clientOf('v1', setup.url);
  await addProdConnection(admin, extra);
  await setup.close();
  const emulator = await startEmulator({ seed: 'none', dataDir, guidPolicy: 'regenerate', ...faults });
  emulators.push(emulator);
  return emulator;
}

/** What a fault-free deploy leaves in an empty prod (`faultFree`): the same objects over either version. */
let reference: Promise<string[]> | undefined;

const names = (e: RunningEmulator) => [...e.state.objects.values()].map((o) => `${o.kind}:${o.name}`).sort();

describe.each(API_VERSIONS)('deploy robustness, over %s', (api) => {
  let remote: string;
  beforeAll(() => {
    remote = copyRemote(stage.server, seed, `content-${api}`);
  });

  function configFor(prodUrl: string, extra = ''): string {
    const file = join(work, `config-${(n += 1)}.yaml`);
    writeFileSync(
      file,
      `repository:\n  url: ${remote}\nworkDir: ${join(work, `wd-${api}`)}\nenvironments:\n  dev:\n    url: ${stage.emulator.url}\n    username: tsadmin\n    password: \${P:-admin}\n    branch: dev\n    api: ${api}\n  prod:\n    url: ${prodUrl}\n    username: tsadmin\n    password: \${P:-admin}\n    branch: main\n    direction: deploy\n    api: ${api}\n${extra}${PROD_MAPPINGS}`,
    );
    return file;
  }

  /** What a fault-free deploy leaves in an empty prod: deployed once, over the version that asks first, for every test of either version that compares with it. */
  function faultFree(): Promise<string[]> {
    reference ??= (async () => {
      const clean = await prod();
      expect((await cli(['deploy', '--config', configFor(clean.url), '--env', 'prod'])).code).toBe(0);
      return names(clean);
    })();
    return reference;
  }

  it('with PARTIAL, skips the dependents of a table the target rejects, and says why', async () => {
    const taken = 'table:\n  name: products_legacy\n  db: RETAIL_PROD\n  schema: ANALYTICS\n  db_table: dim_products\n  connection:\n    name: Retail Warehouse PROD\n  columns:\n  - name: product_id\n    db_column_name: product_id\n    properties:\n      column_type: ATTRIBUTE\n    db_column_properties:\n      data_type: INT64\n';
    const target = await prod({}, [taken]);
    const result = await cli(['deploy', '--config', configFor(target.url, '    importPolicy: PARTIAL\n'), '--env', 'prod', '--format', 'json']);
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

  // A deploy of 17 objects through faults and retries (and the fault-free one, if no test made it yet): some 15 s alone, more on a shared machine.
  it('ends with exactly the objects of a fault-free deploy under faults, none duplicated', { timeout: 90_000 }, async () => {
    const expected = await faultFree();
    const statuses: number[] = [];
    const logger = createLogger({ destination: { write: (line: string) => statuses.push((JSON.parse(line) as { status: number }).status) } });
    const flaky = await prod({ failRate: 0.1, rateLimit: 20, dropRate: 0.05, sessionTtlMs: 2000, random: prng(11), logger });
    // The first run: every fault is retried, or (an import's lost answer) checked before anything is sent again.
    const result = await cli(['deploy', '--config', configFor(flaky.url), '--env', 'prod']);
    expect(result.code, result.stderr).toBe(0);
    // The run met injected faults (503s; dropped connections, status 0, and 429s as the sequence and the machine's pace have it).
    expect(statuses.filter((status) => status === 503 || status === 0 || status === 429).length).toBeGreaterThan(0);
    expect(names(flaky)).toEqual(expected);
  });

  it('refuses a second deploy of the same environment while one runs, naming the holder', async () => {
    const target = await prod();
    const holder = await GitRepo.open(join(work, `holder-${api}`), { remoteUrl: remote, committer: { name: 't', email: 't@x' } });
    expect(await holder.acquireLock('refs/tmlsync/prod/lock', 'ci-runner-7 pid 1 run abc', () => false)).toBeUndefined();
    try {
      const refused = await cli(['deploy', '--config', configFor(target.url), '--env', 'prod']);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('another deploy of prod is running (ci-runner-7 pid 1 run abc since');
      expect(names(target)).toEqual(['connection:Retail Warehouse PROD']);
    } finally {
      await holder.releaseLock('refs/tmlsync/prod/lock');
    }
  });

  // A CLI process of its own (it loads the build), then a deploy in-process: 7 s in CI, past the 20 s default when
  // the machine runs four test files at once (`--maxWorkers=4`, load 6): it timed out there with nothing wrong.
  it('converges without duplicates after a deploy killed with SIGKILL mid-import', { timeout: 60_000 }, async () => {
    const expected = await faultFree();
    const target = await prod({ latencyMs: 25 });
    const file = configFor(target.url, '    importPolicy: PARTIAL\n');
    const child = spawn(process.execPath, [CLI_MAIN, '--log-level', 'debug', 'deploy', '--config', file, '--env', 'prod'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let imports = 0;
    await new Promise<void>((resolve) => {
      child.stderr.on('data', (chunk: Buffer) => {
        imports += (chunk.toString().match(/metadata\/tml\/import/g) ?? []).length;
        if (target.state.objects.size > 3) resolve();
      });
      child.once('exit', () => resolve());
    });
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    const again = await cli(['deploy', '--config', file, '--env', 'prod']);
    expect(again.code, again.stderr).toBe(0);
    expect(names(target)).toEqual(expected);
    void imports;
  });
});
