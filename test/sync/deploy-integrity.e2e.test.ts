import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { ThoughtSpotClient } from '../../src/thoughtspot/index.js';
import { cli } from '../support/cli.js';
import { git, startGitServer, type GitServer } from '../support/git-server.js';

/**
 * Issue 15, items 5, 6, 7 and 9: a deploy's identity of objects, over either
 * REST API. Each test gets a remote of its own (a copy of dev's export, on
 * `main`) and an empty prod that assigns its own GUIDs.
 */

let server: GitServer;
let dev: RunningEmulator;
const work = mkdtempSync(join(tmpdir(), 'tmlsync-integrity-'));
const running: { close(): Promise<void> }[] = [];
let n = 0;
/** dev's export, on `dev` and `main`. */
let base: string;

const CONNECTION = 'connection:\n  name: Retail Warehouse PROD\n  type: RDBMS_SNOWFLAKE\n  authentication_type: SERVICE_ACCOUNT\n  properties: []\n';
/** A table a person made in prod before any deploy, with the name of one of the repository's tables. */
const PERSONS_TABLE = 'table:\n  name: dim_stores\n  db: RETAIL_PROD\n  schema: ANALYTICS\n  db_table: stores_by_hand\n  connection:\n    name: Retail Warehouse PROD\n  columns:\n  - name: store\n    db_column_name: store\n    properties:\n      column_type: ATTRIBUTE\n    db_column_properties:\n      data_type: VARCHAR\n';

beforeAll(async () => {
  server = await startGitServer();
  dev = await startEmulator();
  base = server.createRepo('base');
  const config = join(work, 'export.yaml');
  writeFileSync(config, `repository:\n  url: ${base}\nworkDir: ${join(work, 'wd-export')}\nenvironments:\n  dev:\n    url: ${dev.url}\n    username: tsadmin\n    password: \${P:-admin}\n    branch: dev\n    direction: export\n`);
  expect((await cli(['export', '--config', config, '--env', 'dev'])).code).toBe(0);
  git(server.pathOf('base'), 'branch', 'main', 'dev');
});
afterAll(async () => {
  await Promise.all([dev.close(), ...running.map((r) => r.close())]);
  await server.close();
  rmSync(work, { recursive: true, force: true });
});

/** An empty prod (its own connection, and `extra` made there by a person) that assigns its own GUIDs. */
async function prod(extra: string[] = []): Promise<RunningEmulator> {
  const dataDir = join(work, `prod-${(n += 1)}`);
  const setup = await startEmulator({ seed: 'none', dataDir });
  const admin = new ThoughtSpotClient({ url: setup.url, username: 'tsadmin', password: 'admin', env: {} });
  await admin.importTml([CONNECTION, ...extra], { policy: 'PARTIAL', forceCreate: false, throwOnError: true });
  await setup.close();
  const emulator = await startEmulator({ seed: 'none', dataDir, guidPolicy: 'regenerate' });
  running.push(emulator);
  return emulator;
}

/**
 * A way to prod that ends a deploy as a kill would: `lose` drops every
 * import that writes; `land` lets the first one take effect, drops its
 * answer, and refuses everything after it.
 */
async function interrupting(target: RunningEmulator, mode: 'lose' | 'land'): Promise<string> {
  let landed = false;
  const proxy: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const writes = req.url!.includes('tml/import') && !body.toString().includes('VALIDATE_ONLY');
      if (landed) return void res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"gone"}');
      if (writes && mode === 'lose') return void req.socket.destroy();
      const upstream = request(`${target.url}${req.url!}`, { method: req.method, headers: req.headers }, (answer) => {
        if (writes) {
          landed = true;
          answer.resume().on('end', () => req.socket.destroy());
          return;
        }
        res.writeHead(answer.statusCode!, answer.headers);
        answer.pipe(res);
      });
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  running.push({ close: () => new Promise((resolve) => proxy.close(() => resolve())) });
  proxy.unref();
  return `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;
}

/** Each test runs two or three deploys of 17 objects: some 10 s alone, more on a shared machine. */
const DEPLOYS_TIMEOUT = 90_000;

const names = (e: RunningEmulator) => [...e.state.objects.values()].map((o) => `${o.kind}:${o.name}`).sort();

describe.each(['v1', 'v2'] as const)('deploy integrity, over %s', (api) => {
  /** A remote of its own (a copy of the export) and a config deploying it to `url`. */
  function stage(): { remote: string; bare: string; config: (url: string) => string } {
    const name = `content-${(n += 1)}`;
    const bare = server.pathOf(name);
    execFileSync('git', ['clone', '--quiet', '--bare', server.pathOf('base'), bare]);
    const remote = base.replace('base.git', `${name}.git`);
    // One work tree per remote, as a daemon keeps it: its later deploys fetch only what changed.
    const workDir = join(work, `wd-${name}`);
    const config = (url: string) => {
      const file = join(work, `config-${(n += 1)}.yaml`);
      writeFileSync(
        file,
        `repository:\n  url: ${remote}\nworkDir: ${workDir}\nenvironments:\n  prod:\n    url: ${url}\n    username: tsadmin\n    password: \${P:-admin}\n    branch: main\n    direction: deploy\n    api: ${api}\n    mappings:\n      connections: { "Retail Warehouse": "Retail Warehouse PROD" }\n      databases: { RETAIL: RETAIL_PROD }\n      schemas: { PUBLIC: ANALYTICS }\n`,
      );
      return file;
    };
    return { remote, bare, config };
  }

  /** Commits a change of `main`'s files (made by `edit` in a clone) and pushes it. */
  function pushChange(remote: string, edit: (dir: string) => void): void {
    const dir = mkdtempSync(join(work, 'clone-'));
    git(work, 'clone', '--quiet', '--branch', 'main', remote, dir);
    edit(dir);
    git(dir, 'add', '--all');
    git(dir, 'commit', '--quiet', '-m', 'by hand');
    git(dir, 'push', '--quiet', 'origin', 'main');
  }

  /** Writes an empty deploy ledger on prod's ledger ref, as a deploy of nothing would. */
  function seedLedger(bare: string): void {
    const blob = execFileSync('git', ['hash-object', '-w', '--stdin'], { cwd: bare, input: '{\n  "version": 1,\n  "objects": {}\n}\n', encoding: 'utf8' }).trim();
    const tree = execFileSync('git', ['mktree'], { cwd: bare, input: `100644 blob ${blob}\tdeploy.json\n`, encoding: 'utf8' }).trim();
    git(bare, 'update-ref', 'refs/tmlsync/prod/deploy', git(bare, 'commit-tree', tree, '-m', 'deploy(prod): nothing yet'));
  }

  const ledgerOf = (bare: string) => JSON.parse(git(bare, 'show', 'refs/tmlsync/prod/deploy:deploy.json')) as { objects: Record<string, { envGuid: string; created: boolean }>; pending?: Record<string, unknown> };
  const tableFile = (dir: string, slug: string) => join('tml', 'table', readdirSync(join(dir, 'tml', 'table')).find((f) => f.startsWith(`${slug}.`))!);

  it('kill, then adopt: an object a person made before an interrupted deploy is left alone, named, never overwritten or recorded as created', { timeout: DEPLOYS_TIMEOUT }, async () => {
    const target = await prod([PERSONS_TABLE]);
    const persons = [...target.state.objects.values()].find((o) => o.name === 'dim_stores')!;
    const before = JSON.stringify(persons.document);
    const { bare, config } = stage();
    // Earlier deploys left a ledger (a deploy without one would stop at the same-named table: see "lost deploy ledger").
    seedLedger(bare);
    const interrupted = await cli(['deploy', '--config', config(await interrupting(target, 'lose')), '--env', 'prod']);
    expect(interrupted.code).not.toBe(0);
    expect(Object.keys(ledgerOf(bare).pending ?? {})).toHaveLength(17);

    const resumed = await cli(['--log-level', 'warn', 'deploy', '--config', config(target.url), '--env', 'prod']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.stringify(target.state.objects.get(persons.id)!.document)).toBe(before);
    expect(Object.values(ledgerOf(bare).objects).map((e) => e.envGuid)).not.toContain(persons.id);
    expect(resumed.stderr).toContain('cannot be proven to be it');
    expect(resumed.stderr).toContain('"name":"dim_stores"');
    expect(names(target).filter((o) => o === 'table:dim_stores')).toHaveLength(2);
  });

  it('kill, then adopt: what an interrupted deploy did create is adopted on the next one, not created twice', { timeout: DEPLOYS_TIMEOUT }, async () => {
    const reference = await prod();
    expect((await cli(['deploy', '--config', stage().config(reference.url), '--env', 'prod'])).code).toBe(0);
    const target = await prod();
    const { bare, config } = stage();
    expect((await cli(['deploy', '--config', config(await interrupting(target, 'land')), '--env', 'prod'])).code).not.toBe(0);
    // The first dependency level's import landed (its answer lost); nothing after it did.
    const landed = target.state.objects.size - 1;
    expect(landed).toBeGreaterThan(0);
    expect(landed).toBeLessThan(17);
    const resumed = await cli(['deploy', '--config', config(target.url), '--env', 'prod']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(names(target)).toEqual(names(reference));
    const ledger = ledgerOf(bare);
    expect(Object.values(ledger.objects).filter((e) => e.created)).toHaveLength(17);
    expect(ledger.pending).toBeUndefined();
    // The ledger came with the lock's release: the lock is gone.
    expect(git(bare, 'for-each-ref', 'refs/tmlsync/prod/lock')).toBe('');
  });

  it('duplicate GUID: a copy of a deployed file under its GUID stops the deploy (exit 2) before anything is written, naming both files', { timeout: DEPLOYS_TIMEOUT }, async () => {
    const target = await prod();
    const { remote, config } = stage();
    expect((await cli(['deploy', '--config', config(target.url), '--env', 'prod'])).code).toBe(0);
    const before = names(target);
    let copy = '';
    let original = '';
    pushChange(remote, (dir) => {
      original = tableFile(dir, 'dim_stores');
      copy = join('tml', 'table', 'stores-copy.table.tml');
      writeFileSync(join(dir, copy), readFileSync(join(dir, original), 'utf8').replace('name: dim_stores', 'name: dim_stores_copy'));
    });
    const result = await cli(['deploy', '--config', config(target.url), '--env', 'prod']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('duplicate GUID');
    expect(result.stderr).toContain(original < copy ? `${original} and ${copy}` : `${copy} and ${original}`);
    expect(names(target)).toEqual(before);
  });

  it('GUID/file-name mismatch: a file whose guid disagrees with its name stops the deploy (exit 2), naming the file and both GUIDs', { timeout: DEPLOYS_TIMEOUT }, async () => {
    const target = await prod();
    const { remote, config } = stage();
    expect((await cli(['deploy', '--config', config(target.url), '--env', 'prod'])).code).toBe(0);
    const before = names(target);
    let file = '';
    let guid = '';
    const other = '0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9';
    pushChange(remote, (dir) => {
      file = tableFile(dir, 'dim_stores');
      const text = readFileSync(join(dir, file), 'utf8');
      guid = /^guid: (\S+)/m.exec(text)![1]!;
      writeFileSync(join(dir, file), text.replace(`guid: ${guid}`, `guid: ${other}`));
    });
    const result = await cli(['deploy', '--config', config(target.url), '--env', 'prod']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${file}: its guid is ${other}, but its file name says ${guid}`);
    expect(names(target)).toEqual(before);
  });

  it('lost deploy ledger: a deploy whose ledger ref was deleted says so and how to recover (exit 2), writing nothing', { timeout: DEPLOYS_TIMEOUT }, async () => {
    const target = await prod();
    const { bare, config } = stage();
    expect((await cli(['deploy', '--config', config(target.url), '--env', 'prod'])).code).toBe(0);
    const before = JSON.stringify([...target.state.objects.values()].map((o) => [o.id, o.modified]));
    git(bare, 'update-ref', '-d', 'refs/tmlsync/prod/deploy');
    const result = await cli(['deploy', '--config', config(target.url), '--env', 'prod']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('the deploy ledger of prod (refs/tmlsync/prod/deploy) is missing');
    expect(result.stderr).toContain('git push origin');
    expect(result.stderr).not.toContain('compulsory');
    expect(JSON.stringify([...target.state.objects.values()].map((o) => [o.id, o.modified]))).toBe(before);
  });
});
