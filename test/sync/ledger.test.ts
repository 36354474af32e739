import { describe, expect, it } from 'vitest';
import {
  contentHash, deployLedgerFrom, deployLedgerWrite, exportLedgerWrite, formatLedger, loadShards, parseDeployLedger, parseLedger, readDeployedCommit, readDeployLedger, readExportLedger, stateRef, type DeployLedger, type Ledger,
} from '../../src/sync/kernel/ledger.js';
import { InvalidInputError } from '../../src/errors/index.js';
import type { ContentRepo } from '../../src/sync/ports.js';

const [A, B, OTHER] = ['0a1b0000-0000-0000-0000-000000000001', 'f3c20000-0000-0000-0000-000000000002', 'obj-id-without-guid'];
const entry = (name: string) => ({ kind: 'table', name, path: `tml/table/${name}.table.tml`, modified: 1 });

/** A repository whose export ledger ref holds exactly `files`. */
function refHolding(files: Record<string, string>): ContentRepo {
  return { readStates: (reads: { ref: string; file: string }[]) => Promise.resolve(reads.map(({ ref, file }) => (ref === 'refs/tmlsync/dev/export' ? files[file] : undefined))) } as unknown as ContentRepo;
}

describe('the ledgers', () => {
  it('reads back an export ledger exactly as it was written', () => {
    const ledger: Ledger = {
      version: 1,
      objects: { b: { kind: 'table', name: 'B', path: 'tml/table/b.b.table.tml', modified: 2 }, a: { kind: 'answer', name: 'A', path: 'tml/answer/a.a.answer.tml', modified: 1 } },
      lastExport: '2026-01-01T00:00:00.000Z',
    };
    expect(parseLedger(formatLedger(ledger))).toEqual(ledger);
  });

  it('reads back a deploy ledger with its pending creations and deployed commit', () => {
    const ledger: DeployLedger = {
      version: 1,
      deployedCommit: 'abc',
      objects: { g2: { envGuid: 'e2', kind: 'model', name: 'M', path: 'tml/model/m.g2.model.tml', hash: contentHash('m'), created: true } },
      pending: { g3: { kind: 'answer', name: 'A', path: 'tml/answer/a.g3.answer.tml' } },
    };
    expect(parseDeployLedger(formatLedger(ledger))).toEqual(ledger);
  });

  it('writes the same text whatever order the objects were recorded in', () => {
    const entry = { kind: 'table', name: 'T', path: 'p', modified: 1 };
    const one: Ledger = { version: 1, objects: { a: entry, b: entry } };
    const other: Ledger = { version: 1, objects: { b: entry, a: entry } };
    expect(formatLedger(one)).toBe(formatLedger(other));
    expect(formatLedger(one).endsWith('}\n')).toBe(true);
  });

  it('reads a missing ledger as an empty one, and refuses an unknown format', () => {
    expect(parseLedger(undefined)).toEqual({ version: 1, objects: {} });
    expect(parseDeployLedger('')).toEqual({ version: 1, objects: {} });
    expect(() => parseLedger('{"version":2,"objects":{}}')).toThrow('ledger.json: not a tmlsync ledger of version 1');
    expect(() => parseDeployLedger('{"version":1}')).toThrow('deploy.json: not a tmlsync ledger of version 1');
  });

  it('a corrupt ledger JSON names the ref it came from (exit 2)', async () => {
    const repo = { readStates: (reads: { ref: string; file: string }[]) => Promise.resolve(reads.map(({ ref, file }) => (ref.endsWith('/deploy') && file === 'deploy.json' ? '{"version":1,"objects":' : undefined))) } as unknown as ContentRepo;
    const deploy = readDeployLedger(repo, 'prod');
    await expect(deploy).rejects.toThrow(/^refs\/tmlsync\/prod\/deploy:deploy\.json: not valid JSON/);
    await expect(deploy).rejects.toBeInstanceOf(InvalidInputError);
    await expect(readExportLedger(refHolding({ 'ledger.json': '[1]' }), 'dev')).rejects.toThrow('refs/tmlsync/dev/export:ledger.json: not a tmlsync ledger of version 1');
    await expect(readExportLedger(refHolding({ 'head.json': '{"version":3}' }), 'dev')).rejects.toThrow('refs/tmlsync/dev/export:head.json: not the head of a tmlsync ledger of version 2');
    const badShard = readExportLedger(refHolding({ 'head.json': '{"version":2}', 'objects/7b.json': '{"7b":' }), 'dev');
    await expect(badShard).rejects.toThrow(/^refs\/tmlsync\/dev\/export:objects\/7b\.json: not valid JSON/);
    await expect(badShard).rejects.toBeInstanceOf(InvalidInputError);
  });

  it('keeps the export ledger in shards by GUID, and rewrites only the shards whose entries changed, with its head', async () => {
    const ledger: Ledger = { version: 1, objects: { [A]: entry('A'), [B]: entry('B'), [OTHER]: entry('Other') }, watermark: 7, lastFullListing: '2026-01-01T00:00:00.000Z' };
    const first = exportLedgerWrite('dev', ledger, 'first', []);
    expect(first).toMatchObject({ ref: 'refs/tmlsync/dev/export', message: 'first' });
    expect(first.onTop).toBeUndefined();
    expect(Object.keys(first.files).sort()).toEqual(['head.json', 'objects/0a.json', 'objects/f3.json', 'objects/other.json']);
    expect(JSON.parse(first.files['head.json']!)).toEqual({ version: 2, watermark: 7, lastFullListing: '2026-01-01T00:00:00.000Z' });
    const ref = refHolding(first.files);
    // The head alone, then the shards the run needs: an entry of another shard is never read.
    const read = await readExportLedger(ref, 'dev', { all: false });
    expect(read).toMatchObject({ watermark: 7, objects: {} });
    expect(await loadShards(ref, 'dev', read, [A])).toEqual({ [A]: entry('A') });
    expect(await loadShards(ref, 'dev', read, [A])).toEqual({});
    expect(Object.keys(read.objects)).toEqual([A]);
    delete read.objects[A];
    const next = exportLedgerWrite('dev', { ...read, watermark: 9 }, 'next', [A]);
    expect(next).toMatchObject({ onTop: true, removed: ['objects/0a.json'] });
    expect(Object.keys(next.files)).toEqual(['head.json']);
    // A shard of entries not read is never written from part of them.
    expect(() => exportLedgerWrite('dev', read, 'bad', [B])).toThrow('shards f3 were changed without being read');
    expect(await readExportLedger(ref, 'dev')).toEqual({ ...ledger, store: { sharded: true, loaded: 'all' } });
  });

  it('reads a ledger of one ledger.json (before issue 16) whole, and writes every shard in its place at the next write', async () => {
    const old: Ledger = { version: 1, objects: { [A]: entry('A'), [B]: entry('B') }, watermark: 3, lastExport: '2026-01-01T00:00:00.000Z', lastFullListing: '2026-01-01T00:00:00.000Z' };
    const read = await readExportLedger(refHolding({ 'ledger.json': formatLedger(old) }), 'dev', { all: false });
    expect(read).toEqual({ ...old, store: { sharded: false, loaded: 'all' } });
    const write = exportLedgerWrite('dev', read, 'sharded', [B]);
    // Exactly these files: ledger.json goes.
    expect(write.onTop).toBeUndefined();
    expect(Object.keys(write.files).sort()).toEqual(['head.json', 'objects/0a.json', 'objects/f3.json']);
    expect(await readExportLedger(refHolding(write.files), 'dev')).toEqual({ ...old, store: { sharded: true, loaded: 'all' } });
  });

  it('keeps the deploy ledger in a head and shards by canonical GUID, and reads it back as it was', async () => {
    const deployed = (name: string) => ({ envGuid: `env-${name}`, kind: 'table', name, path: `tml/table/${name}.table.tml`, hash: contentHash(name), created: true });
    const ledger: DeployLedger = { version: 1, deployedCommit: 'c0ffee', objects: { [B]: deployed('B'), [A]: deployed('A'), [`obj_id:${OTHER}`]: deployed('O') }, pending: { [A]: { kind: 'table', name: 'A', path: 'tml/table/A.table.tml', before: [] } } };
    const write = deployLedgerWrite('prod', ledger, 'deploy(prod): c0ffee');
    expect(write.ref).toBe('refs/tmlsync/prod/deploy');
    expect(Object.keys(write.files).sort()).toEqual(['head.json', 'objects/0a.json', 'objects/f3.json', 'objects/other.json']);
    // The whole tree each time: a shard left empty, and a deploy.json of an earlier release, go.
    expect(write.onTop).toBeUndefined();
    expect(JSON.parse(write.files['head.json']!)).toEqual({ version: 2, deployedCommit: 'c0ffee', pending: ledger.pending });
    const holding = { readStates: (reads: { ref: string; file: string }[]) => Promise.resolve(reads.map(({ ref, file }) => (ref === write.ref ? write.files[file] : undefined))) } as unknown as ContentRepo;
    expect(await readDeployLedger(holding, 'prod')).toEqual(ledger);
    expect(await readDeployedCommit(holding, 'prod')).toBe('c0ffee');
  });

  it('changes only the shard of a changed entry, so that git stores and pushes that shard alone', () => {
    const deployed = (name: string, hash = contentHash(name)) => ({ envGuid: `env-${name}`, kind: 'table', name, path: `tml/table/${name}.table.tml`, hash, created: true });
    const before = deployLedgerWrite('prod', { version: 1, deployedCommit: 'c1', objects: { [A]: deployed('A'), [B]: deployed('B') } }, 'one');
    const after = deployLedgerWrite('prod', { version: 1, deployedCommit: 'c1', objects: { [A]: deployed('A', contentHash('A, edited')), [B]: deployed('B') } }, 'two');
    const changed = Object.keys(after.files).filter((file) => after.files[file] !== before.files[file]);
    expect(changed).toEqual(['objects/0a.json']);
  });

  it('reads a deploy ledger of one deploy.json (before its shards), and refuses a head or shard it cannot read, naming it', () => {
    const old = formatLedger({ version: 1, deployedCommit: 'c0', objects: { [A]: { envGuid: 'e', kind: 'table', name: 'A', path: 'p', hash: 'h', created: false } } });
    expect(deployLedgerFrom('refs/tmlsync/prod/deploy', (file) => (file === 'deploy.json' ? old : undefined))).toEqual(parseDeployLedger(old));
    expect(() => deployLedgerFrom('refs/tmlsync/prod/deploy', (file) => (file === 'head.json' ? '{"version":1}' : undefined))).toThrow('refs/tmlsync/prod/deploy:head.json: not the head of a tmlsync deploy ledger of version 2');
    const badShard = () => deployLedgerFrom('refs/tmlsync/prod/deploy', (file) => ({ 'head.json': '{"version":2}', 'objects/0a.json': '{"0a":' })[file]);
    expect(badShard).toThrow(/^refs\/tmlsync\/prod\/deploy:objects\/0a\.json: not valid JSON/);
    expect(badShard).toThrow(InvalidInputError);
  });

  it('keeps every piece of state under refs/tmlsync/<env>/', () => {
    expect(stateRef('prod', 'deploy')).toBe('refs/tmlsync/prod/deploy');
    expect(stateRef('dev', 'export')).toBe('refs/tmlsync/dev/export');
    expect(contentHash('x')).toMatch(/^[0-9a-f]{64}$/);
  });
});
