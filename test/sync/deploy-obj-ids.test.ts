import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { prepareDeploy } from '../../src/sync/deploy/prepare.js';
import { contentHash, type DeployedEntry } from '../../src/sync/kernel/ledger.js';
import { runDrift, runPlan } from '../../src/sync/plan.js';
import type { ContentRepo, Header, HeaderType, ThoughtSpotPort } from '../../src/sync/ports.js';
import { InvalidInputError } from '../../src/errors/index.js';
import { createLogger } from '../../src/log/index.js';
import { cli } from '../support/cli.js';

/** The identity phase of a deploy (issue 13) against a fake ThoughtSpot and a work tree of files, no git. */
const work = mkdtempSync(join(tmpdir(), 'tmlsync-deploy-objids-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const A = '2a8f3e41-0c6b-4f7e-9a51-6d1f0b9c7e21';
const B = '9d3c7b52-4e1a-4c8d-b0f6-3a2e9f8d1c04';
const answer = (guid: string, name: string, objId?: string) => `guid: ${guid}\n${objId ? `obj_id: ${objId}\n` : ''}answer:\n  name: ${name}\n  tables: []\n  search_query: ""\n`;

/** A work tree holding `files` (name → text) under tml/answer, with a ledger of `ledger` (undefined: no ledger ref). */
function tree(name: string, files: Record<string, string>, ledger?: Record<string, DeployedEntry>): ContentRepo {
  const dir = join(work, name);
  mkdirSync(join(dir, 'tml', 'answer'), { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, 'tml', 'answer', file), text);
  const state = ledger ? JSON.stringify({ version: 1, objects: ledger }) : undefined;
  return {
    dir, fetch: () => Promise.resolve(), checkout: () => Promise.resolve(),
    revParse: (ref: string) => Promise.resolve(ref === 'HEAD' ? 'c0ffee' : state ? 'ledger' : undefined),
    readStates: (reads: { file: string }[]) => Promise.resolve(reads.map(({ file }) => (file === 'deploy.json' ? state : undefined))),
  } as unknown as ContentRepo;
}

/** A target holding `answers` (listed with their obj_ids when `speaks`). */
function target(answers: (Header & { objId?: string })[], speaks: boolean): ThoughtSpotPort {
  return {
    listHeaders: (type: HeaderType) => Promise.resolve(type === 'QUESTION_ANSWER_BOOK' ? answers.map((a) => (speaks ? a : { ...a, objId: undefined })) : []),
    speaksObjIds: () => Promise.resolve(speaks),
  } as unknown as ThoughtSpotPort;
}

const env = { name: 'prod', branch: 'main' };
const entry = (envGuid: string, path: string, created: boolean): DeployedEntry => ({ envGuid, kind: 'answer', name: 'Sales', path, hash: 'h', created });

describe('a deploy matching by obj_id', () => {
  it('without a ledger: updates the object with the file’s obj_id, not created and never prunable; plan says by obj_id', async () => {
    const repo = tree('fresh', { [`sales.${A}.answer.tml`]: answer(A, 'Sales', 'sales') });
    const set = await prepareDeploy({ environment: env, repo, thoughtspot: target([{ id: 'prod-1', name: 'Sales (old name)', modified: 1, objId: 'sales' }], true) });
    expect(set.plan.map((p) => [p.action, p.identity, p.envGuid])).toEqual([['update', 'obj_id', 'prod-1']]);
    expect(set.mapping.guids.get(A)).toBe('prod-1');
    expect(set.ledger.objects[A]).toMatchObject({ envGuid: 'prod-1', created: false, hash: '' });
  });

  it('takes over the ledger entry of a file that is gone (a copy under a new GUID), keeping whether tmlsync created the object', async () => {
    const repo = tree('moved', { [`sales.${B}.answer.tml`]: answer(B, 'Sales', 'sales') }, { [A]: entry('prod-1', `tml/answer/sales.${A}.answer.tml`, true) });
    const set = await prepareDeploy({ environment: env, repo, thoughtspot: target([{ id: 'prod-1', name: 'Sales', modified: 1, objId: 'sales' }], true) });
    expect(Object.keys(set.ledger.objects)).toEqual([B]);
    expect(set.ledger.objects[B]).toMatchObject({ envGuid: 'prod-1', created: true });
    expect(set.deletions).toEqual([]);
  });

  it('stops (exit 2) when the object a file’s obj_id names is another file’s in the ledger', async () => {
    const repo = tree('claimed', { [`sales.${A}.answer.tml`]: answer(A, 'Sales'), [`copy.${B}.answer.tml`]: answer(B, 'Copy', 'sales') }, { [A]: entry('prod-1', `tml/answer/sales.${A}.answer.tml`, true) });
    await expect(prepareDeploy({ environment: env, repo, thoughtspot: target([{ id: 'prod-1', name: 'Sales', modified: 1, objId: 'sales' }], true) })).rejects.toMatchObject({
      name: 'DeployGateError',
      message: expect.stringContaining(`tml/answer/copy.${B}.answer.tml: its obj_id sales names answer "Sales", which the deploy ledger gives to tml/answer/sales.${A}.answer.tml`),
    });
  });

  it('stops (exit 2) when a file’s obj_id names an object of another kind in the target', async () => {
    const repo = tree('kind', { [`sales.${A}.answer.tml`]: answer(A, 'Sales', 'sales') });
    const liveboards = { listHeaders: (type: HeaderType) => Promise.resolve(type === 'PINBOARD_ANSWER_BOOK' ? [{ id: 'lb-1', name: 'Sales board', modified: 1, objId: 'sales' }] : []), speaksObjIds: () => Promise.resolve(true) };
    await expect(prepareDeploy({ environment: env, repo, thoughtspot: liveboards as unknown as ThoughtSpotPort })).rejects.toMatchObject({
      name: 'DeployGateError',
      message: expect.stringContaining(`tml/answer/sales.${A}.answer.tml: its obj_id sales names liveboard "Sales board" in the target, not an object of kind answer`),
    });
  });

  it('over v1 matches by the ledger and says so once', async () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'warn', destination: { write: (line: string) => lines.push(line) } });
    const repo = tree('v1', { [`sales.${A}.answer.tml`]: answer(A, 'Sales', 'sales'), [`other.${B}.answer.tml`]: answer(B, 'Other', 'other') }, { [A]: entry('prod-1', `tml/answer/sales.${A}.answer.tml`, false) });
    const set = await prepareDeploy({ environment: env, repo, log, thoughtspot: target([{ id: 'prod-1', name: 'Sales', modified: 1, objId: 'sales' }], false) });
    expect(set.plan.map((p) => [p.name, p.identity])).toEqual([['Other', 'new'], ['Sales', 'ledger']]);
    expect(lines.filter((l) => l.includes('has no object ids'))).toHaveLength(1);
  });
});

/** A file as ThoughtSpot's own Git integration writes it with object ids on: `obj_id`, no `guid`. */
const objIdOnly = (objId: string, name: string) => `obj_id: ${objId}\nanswer:\n  name: ${name}\n  tables: []\n  search_query: ""\n`;

describe('a deploy of files with an obj_id and no guid', () => {
  it('matches each by its obj_id in a target never deployed to, tracks it by that id, and creates what the target lacks', async () => {
    const repo = tree('objid-only', { 'sales.answer.tml': objIdOnly('sales', 'Sales'), 'new.answer.tml': objIdOnly('new-one', 'New one') });
    const set = await prepareDeploy({ environment: env, repo, thoughtspot: target([{ id: 'prod-1', name: 'Sales (old name)', modified: 1, objId: 'sales' }], true) });
    expect(set.plan.map((p) => [p.name, p.action, p.identity, p.canonicalGuid, p.envGuid])).toEqual([
      ['New one', 'create', 'new', 'obj_id:new-one', undefined],
      ['Sales', 'update', 'obj_id', 'obj_id:sales', 'prod-1'],
    ]);
    expect(set.ledger.objects['obj_id:sales']).toMatchObject({ envGuid: 'prod-1', created: false });
  });

  it('stops (exit 2) naming both files when two carry one obj_id, with a guid or without', async () => {
    const repo = tree('objid-twice', { 'sales.answer.tml': objIdOnly('sales', 'Sales'), [`copy.${B}.answer.tml`]: answer(B, 'Copy', 'sales') });
    await expect(prepareDeploy({ environment: env, repo, thoughtspot: target([], true) })).rejects.toMatchObject({
      name: 'DeployGateError',
      message: expect.stringContaining(`duplicate obj_id sales: tml/answer/copy.${B}.answer.tml and tml/answer/sales.answer.tml carry it`),
    });
  });

  it('stops (exit 2) over v1, which has no object ids, naming the file', async () => {
    const repo = tree('objid-v1', { 'sales.answer.tml': objIdOnly('sales', 'Sales'), [`other.${B}.answer.tml`]: answer(B, 'Other', 'other') });
    const refused = prepareDeploy({ environment: env, repo, thoughtspot: target([], false) });
    await expect(refused).rejects.toBeInstanceOf(InvalidInputError);
    await expect(refused).rejects.toThrow(/tml\/answer\/sales\.answer\.tml: answer "Sales" has an obj_id \(sales\) and no guid, and this environment is reached over REST API v1, which has no object ids/);
    await expect(refused).rejects.not.toThrow(/other/);
  });

  it('still refuses a file with neither a guid nor an obj_id, naming it, in the words tmlsync validate says it first', async () => {
    const repo = tree('no-identity', { 'bare.answer.tml': 'answer:\n  name: Bare\n  tables: []\n  search_query: ""\n', [`other.${B}.answer.tml`]: answer(B, 'Other') });
    const refusal = 'tml/answer/bare.answer.tml: answer "Bare" has neither a guid nor an obj_id; canonical files carry the GUID (or the object id) tmlsync tracks them by';
    await expect(prepareDeploy({ environment: env, repo, thoughtspot: target([], true) })).rejects.toMatchObject({ name: 'DeployGateError', message: expect.stringContaining(refusal) });
    await expect(runPlan({ environment: env, repo, thoughtspot: target([], true) })).rejects.toThrow(refusal);
    const cwd = process.cwd();
    process.chdir(repo.dir);
    try {
      const validated = await cli(['validate']);
      expect(validated.stdout.split('\n')).toContain(`error: ${refusal}`);
      expect(validated.code).toBe(2);
    } finally {
      process.chdir(cwd);
    }
  });
});

describe('a plan and drift of a deployed file with an obj_id and no guid', () => {
  const file = objIdOnly('sales', 'Sales');
  const deployed = () => tree('objid-deployed', { 'sales.answer.tml': file }, { 'obj_id:sales': { ...entry('prod-1', 'tml/answer/sales.answer.tml', false), hash: contentHash(file) } });
  // The export gives the object its GUID, which the file never had.
  const exporting = (): ThoughtSpotPort => ({
    ...target([{ id: 'prod-1', name: 'Sales', modified: 1, objId: 'sales' }], true),
    exportTml: (ids: string[]) => Promise.resolve(ids.map((id) => ({ id, edoc: `guid: ${id}\n${file}` }))),
  }) as unknown as ThoughtSpotPort;

  it('plans nothing when the object is as deployed', async () => {
    const plan = await runPlan({ environment: env, repo: deployed(), thoughtspot: exporting() });
    expect(plan.entries.map((e) => [e.path, e.action, e.reason])).toEqual([['tml/answer/sales.answer.tml', 'unchanged', undefined]]);
  });

  it('finds no drift when the object is as deployed', async () => {
    const drift = await runDrift({ environment: env, repo: deployed(), thoughtspot: exporting() });
    expect(drift).toMatchObject({ checked: 1, drift: [] });
  });
});

describe('drift of a deployed table that names its connection without an fqn', () => {
  const TABLE = '7b1a0000-0000-0000-0000-000000000001';
  const file = `guid: ${TABLE}\ntable:\n  name: Orders\n  db: D\n  schema: S\n  db_table: ORDERS\n  connection:\n    name: Conn\n`;
  const path = `tml/table/orders.${TABLE}.table.tml`;
  // The export names the connection by its GUID too, which the file never did.
  const exporting = (description?: string): ThoughtSpotPort => ({
    listHeaders: (type: HeaderType) => Promise.resolve(type === 'LOGICAL_TABLE' ? [{ id: TABLE, name: 'Orders', modified: 1 }] : []),
    speaksObjIds: () => Promise.resolve(true),
    exportTml: (ids: string[]) => Promise.resolve(ids.map((id) => ({ id, edoc: file.replace('    name: Conn\n', `    name: Conn\n    fqn: c0000000-0000-0000-0000-000000000001\n`).replace('  db: D\n', description ? `  description: ${description}\n  db: D\n` : '  db: D\n') }))),
  }) as unknown as ThoughtSpotPort;
  const deployed = (name: string) => {
    const dir = join(work, name);
    mkdirSync(join(dir, 'tml', 'table'), { recursive: true });
    writeFileSync(join(dir, path), file);
    const state = JSON.stringify({ version: 1, objects: { [TABLE]: { envGuid: TABLE, kind: 'table', name: 'Orders', path, hash: contentHash(file), created: true } } });
    return { dir, fetch: () => Promise.resolve(), checkout: () => Promise.resolve(), revParse: (ref: string) => Promise.resolve(ref === 'HEAD' ? 'c0ffee' : 'ledger'), readStates: (reads: { file: string }[]) => Promise.resolve(reads.map(({ file }) => (file === 'deploy.json' ? state : undefined))) } as unknown as ContentRepo;
  };

  it('finds none: the fqn is what the export fills in', async () => {
    expect(await runDrift({ environment: env, repo: deployed('fqn-drift'), thoughtspot: exporting() })).toMatchObject({ checked: 1, drift: [] });
  });

  it('still finds an edit made in ThoughtSpot, naming the field and not the fqn', async () => {
    const drift = await runDrift({ environment: env, repo: deployed('fqn-edited'), thoughtspot: exporting('edited there') });
    expect(drift.drift.map((d) => [d.path, d.state, d.fields])).toEqual([[path, 'changed', ['table->description']]]);
  });

  it('plans nothing for it', async () => {
    const plan = await runPlan({ environment: env, repo: deployed('fqn-plan'), thoughtspot: exporting() });
    expect(plan.entries.map((e) => [e.path, e.action, e.fields])).toEqual([[path, 'unchanged', []]]);
  });
});
