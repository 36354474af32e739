import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmulatorState } from '../../src/emulator/state.js';
import { API_VERSIONS, clientOf } from '../support/api.js';
import { cli } from '../support/cli.js';
import { git } from '../support/git-server.js';
import { useStage } from '../support/stage.js';
import { PROD_CONNECTION, PROD_MAPPINGS } from '../support/prod.js';
import { deployLedgerIn } from '../support/ledger.js';
import { silentThoughtSpot } from '../support/net.js';

/**
 * Issue 15, items 5, 6, 7 and 9: a deploy's identity of objects, over either
 * REST API. One emulator and one git server for the file: dev is the demo
 * seed of the Primary Org, exported once; each prod is a fresh Org of the same
 * emulator that holds only its own connection, and assigns its own GUIDs (dev's
 * are in use in the Primary Org, so an import under one creates a new one).
 * Each test gets a remote of its own (a copy of dev's export on `main`, or of
 * a remote already deployed to the version's shared prod).
 */

const stage = useStage('tmlsync-integrity-');
const running: { close(): Promise<void> }[] = [];
let n = 0;
/** dev's export, on `dev` and `main`. */
let base: string;

/** A table a person made in prod before any deploy, with the name of one of the repository's tables. */
const PERSONS_TABLE = 'table:\n  name: dim_stores\n  db: RETAIL_PROD\n  schema: ANALYTICS\n  db_table: stores_by_hand\n  connection:\n    name: Retail Warehouse PROD\n  columns:\n  - name: store\n    db_column_name: store\n    properties:\n      column_type: ATTRIBUTE\n    db_column_properties:\n      data_type: VARCHAR\n';

beforeAll(async () => {
  const { server, emulator, work } = stage;
  base = server.createRepo('base');
  const config = join(work, 'export.yaml');
  writeFileSync(config, `repository:\n  url: ${base}\nworkDir: ${join(work, 'wd-export')}\nenvironments:\n  dev:\n    url: ${emulator.url}\n    username: tsadmin\n    password: \${P:-admin}\n    branch: dev\n    direction: export\n`);
  expect((await cli(['export', '--config', config, '--env', 'dev'])).code).toBe(0);
  git(server.pathOf('base'), 'branch', 'main', 'dev');
});
afterAll(async () => {
  await Promise.all(running.map((r) => r.close()));
});

/** An empty prod: a fresh Org with its own connection, and `extra` made there by a person. */
async function prod(extra: string[] = []): Promise<EmulatorState> {
  const org = stage.emulator.instance.createOrg(`Prod ${(n += 1)}`);
  await clientOf('v2', stage.emulator.url, { org: org.org.name }).importTml([PROD_CONNECTION, ...extra], { policy: 'PARTIAL', forceCreate: false, throwOnError: true });
  return org;
}

/**
 * A way to prod that ends a deploy as a kill would: `lose` drops every
 * import that writes; `land` lets the first one take effect, drops its
 * answer, and refuses everything after it.
 */
async function interrupting(mode: 'lose' | 'land'): Promise<string> {
  let landed = false;
  const proxy: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const writes = req.url!.includes('tml/import') && !body.toString().includes('VALIDATE_ONLY');
      if (landed) return void res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"gone"}');
      if (writes && mode === 'lose') return void req.socket.destroy();
      const upstream = request(`${stage.emulator.url}${req.url!}`, { method: req.method, headers: req.headers }, (answer) => {
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

/** Each test runs one to three deploys of 17 objects: some 10 s alone, more on a shared machine. */
const DEPLOYS_TIMEOUT = 90_000;

const names = (org: EmulatorState) => [...org.objects.values()].map((o) => `${o.kind}:${o.name}`).sort();

describe.each(API_VERSIONS)('deploy integrity, over %s', (api) => {
  /**
   * A remote of its own, a copy of `from` (dev's export, or a remote already
   * deployed: its refs, the deploy ledger among them, come along), and a
   * config deploying it into Org `org` through `url` (the emulator's, or a
   * way to it that interrupts).
   */
  function remoteFor(org: EmulatorState, from = 'base'): { name: string; remote: string; bare: string; config: (url?: string) => string } {
    const name = `content-${(n += 1)}`;
    const bare = stage.server.pathOf(name);
    cpSync(stage.server.pathOf(from), bare, { recursive: true });
    const remote = base.replace('base.git', `${name}.git`);
    // One work tree per remote, as a daemon keeps it: its later deploys fetch only what changed.
    const workDir = join(stage.work, `wd-${name}`);
    const config = (url = stage.emulator.url) => {
      const file = join(stage.work, `config-${(n += 1)}.yaml`);
      writeFileSync(
        file,
        `repository:\n  url: ${remote}\nworkDir: ${workDir}\nenvironments:\n  prod:\n    url: ${url}\n    username: tsadmin\n    password: \${P:-admin}\n    branch: main\n    direction: deploy\n    api: ${api}\n    org: ${org.org.name}\n${PROD_MAPPINGS}`,
      );
      return file;
    };
    return { name, remote, bare, config };
  }

  /**
   * This version's prod with dev's export deployed, and the remote that deployed it: what a clean
   * deploy makes (the reference an interrupted one is compared to), and the starting point of the
   * tests whose deploy must stop before writing anything (each on a copy of that remote, so the
   * Org stays as deployed).
   */
  let deployed: { org: EmulatorState; remote: string };
  beforeAll(async () => {
    const org = await prod();
    const first = remoteFor(org);
    const result = await cli(['deploy', '--config', first.config(), '--env', 'prod']);
    expect(result.code, result.stderr).toBe(0);
    deployed = { org, remote: first.name };
  }, DEPLOYS_TIMEOUT);

  /** Commits a change of `main`'s files (made by `edit` in a clone) and pushes it. */
  function pushChange(remote: string, edit: (dir: string) => void): void {
    const dir = mkdtempSync(join(stage.work, 'clone-'));
    git(stage.work, 'clone', '--quiet', '--branch', 'main', remote, dir);
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

  const ledgerOf = (bare: string) => deployLedgerIn(bare);
  const tableFile = (dir: string, slug: string) => join('tml', 'table', readdirSync(join(dir, 'tml', 'table')).find((f) => f.startsWith(`${slug}.`))!);

  it('kill, then adopt: an object a person made before an interrupted deploy is left alone, named, never overwritten or recorded as created', { timeout: DEPLOYS_TIMEOUT }, async () => {
    const target = await prod([PERSONS_TABLE]);
    const persons = [...target.objects.values()].find((o) => o.name === 'dim_stores')!;
    const before = JSON.stringify(persons.document);
    const { bare, config } = remoteFor(target);
    // Earlier deploys left a ledger (a deploy without one would stop at the same-named table: see "lost deploy ledger").
    seedLedger(bare);
    const interrupted = await cli(['deploy', '--config', config(await interrupting('lose')), '--env', 'prod']);
    expect(interrupted.code).not.toBe(0);
    expect(Object.keys((await ledgerOf(bare)).pending ?? {})).toHaveLength(17);

    const resumed = await cli(['--log-level', 'warn', 'deploy', '--config', config(), '--env', 'prod']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.stringify(target.objects.get(persons.id)!.document)).toBe(before);
    expect(Object.values((await ledgerOf(bare)).objects).map((e) => e.envGuid)).not.toContain(persons.id);
    expect(resumed.stderr).toContain('cannot be proven to be it');
    expect(resumed.stderr).toContain('"name":"dim_stores"');
    expect(names(target).filter((o) => o === 'table:dim_stores')).toHaveLength(2);
  });

  it('kill, then adopt: what an interrupted deploy did create is adopted on the next one, not created twice', { timeout: DEPLOYS_TIMEOUT }, async () => {
    const target = await prod();
    const { bare, config } = remoteFor(target);
    expect((await cli(['deploy', '--config', config(await interrupting('land')), '--env', 'prod'])).code).not.toBe(0);
    // The first dependency level's import landed (its answer lost); nothing after it did.
    const landed = target.objects.size - 1;
    expect(landed).toBeGreaterThan(0);
    expect(landed).toBeLessThan(17);
    const resumed = await cli(['deploy', '--config', config(), '--env', 'prod']);
    expect(resumed.code, resumed.stderr).toBe(0);
    // As a deploy that was never interrupted made it.
    expect(names(target)).toEqual(names(deployed.org));
    const ledger = await ledgerOf(bare);
    expect(Object.values(ledger.objects).filter((e) => e.created)).toHaveLength(17);
    expect(ledger.pending).toBeUndefined();
    // The ledger came with the lock's release: the lock is gone.
    expect(git(bare, 'for-each-ref', 'refs/tmlsync/prod/lock')).toBe('');
  });

  it('duplicate GUID: a copy of a deployed file under its GUID stops the deploy (exit 2) before anything is written, naming both files', { timeout: DEPLOYS_TIMEOUT }, async () => {
    const target = deployed.org;
    const { remote, config } = remoteFor(target, deployed.remote);
    const before = names(target);
    let copy = '';
    let original = '';
    pushChange(remote, (dir) => {
      original = tableFile(dir, 'dim_stores');
      copy = join('tml', 'table', 'stores-copy.table.tml');
      writeFileSync(join(dir, copy), readFileSync(join(dir, original), 'utf8').replace('name: dim_stores', 'name: dim_stores_copy'));
    });
    const result = await cli(['deploy', '--config', config(), '--env', 'prod']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('duplicate GUID');
    expect(result.stderr).toContain(original < copy ? `${original} and ${copy}` : `${copy} and ${original}`);
    expect(names(target)).toEqual(before);
  });

  it('duplicate GUID with ThoughtSpot not answering: the deploy stops on its files all the same (exit 2), its listing ended, no request left open', { timeout: DEPLOYS_TIMEOUT }, async () => {
    const { remote, config } = remoteFor(deployed.org, deployed.remote);
    pushChange(remote, (dir) => {
      const original = tableFile(dir, 'dim_stores');
      writeFileSync(join(dir, 'tml', 'table', 'stores-copy.table.tml'), readFileSync(join(dir, original), 'utf8').replace('name: dim_stores', 'name: dim_stores_copy'));
    });
    // Every request taken and none answered (a ThoughtSpot down behind its load balancer): the listing's login would wait
    // two minutes per attempt, four attempts, had the files' failure not stopped it.
    const silent = await silentThoughtSpot();
    running.push(silent);
    // Every kind's listing waits on one signal: no leak warning for its listeners.
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => void warnings.push(warning);
    process.on('warning', onWarning);
    const result = await cli(['deploy', '--config', config(silent.url), '--env', 'prod']).finally(() => process.off('warning', onWarning));
    expect(warnings.map((w) => w.name)).not.toContain('MaxListenersExceededWarning');
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain('duplicate GUID');
    // Whatever the listing had sent beside the reading of the files (its login, as a rule) was closed by the time the
    // deploy ended (test/sync/deploy-phases.test.ts shows that the listing starts first).
    expect(silent.requests.length).toBeGreaterThan(0);
    expect(silent.requests.filter((req) => !req.closed)).toEqual([]);
  });

  it('GUID/file-name mismatch: a file whose guid disagrees with its name stops the deploy (exit 2), naming the file and both GUIDs', { timeout: DEPLOYS_TIMEOUT }, async () => {
    const target = deployed.org;
    const { remote, config } = remoteFor(target, deployed.remote);
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
    const result = await cli(['deploy', '--config', config(), '--env', 'prod']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${file}: its guid is ${other}, but its file name says ${guid}`);
    expect(names(target)).toEqual(before);
  });

  it('lost deploy ledger: a deploy whose ledger ref was deleted says so and how to recover (exit 2), writing nothing', { timeout: DEPLOYS_TIMEOUT }, async () => {
    const target = deployed.org;
    const { bare, config } = remoteFor(target, deployed.remote);
    const before = JSON.stringify([...target.objects.values()].map((o) => [o.id, o.modified]));
    git(bare, 'update-ref', '-d', 'refs/tmlsync/prod/deploy');
    const result = await cli(['deploy', '--config', config(), '--env', 'prod']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('the deploy ledger of prod (refs/tmlsync/prod/deploy) is missing');
    expect(result.stderr).toContain('git push origin');
    expect(result.stderr).not.toContain('compulsory');
    expect(JSON.stringify([...target.objects.values()].map((o) => [o.id, o.modified]))).toBe(before);
  });
});
