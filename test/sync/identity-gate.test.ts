import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readContent } from '../../src/sync/kernel/content.js';
import { cli } from '../support/cli.js';

/** Issue 15, items 6–8: what the offline gate refuses about a file's identity and encoding, each exit 2 naming the file. */

const work = mkdtempSync(join(tmpdir(), 'tmlsync-identity-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const GUID = '2a8f3e41-0c6b-4f7e-9a51-6d1f0b9c7e21';
const OTHER = '9d3c7b52-4e1a-4c8d-b0f6-3a2e9f8d1c04';
const table = (guid: string, name = 'Orders') =>
  `guid: ${guid}\ntable:\n  name: ${name}\n  db: D\n  schema: S\n  db_table: ORDERS\n  connection:\n    name: Conn\n  columns:\n  - name: Id\n    db_column_name: ID\n    properties:\n      column_type: ATTRIBUTE\n    db_column_properties:\n      data_type: INT64\n`;

const CONNECTION = 'connection:\n  name: Conn\n  type: RDBMS_SNOWFLAKE\n  authentication_type: SERVICE_ACCOUNT\n  properties: []\n';

/** A work tree with the tables' connection, whose tml/table folder holds `files` (name → bytes). */
function tree(name: string, files: Record<string, string | Buffer>): string {
  const dir = join(work, name);
  mkdirSync(join(dir, 'tml', 'table'), { recursive: true });
  mkdirSync(join(dir, 'tml', 'connection'), { recursive: true });
  writeFileSync(join(dir, 'tml', 'connection', 'conn.connection.tml'), CONNECTION);
  for (const [file, content] of Object.entries(files)) writeFileSync(join(dir, 'tml', 'table', file), content);
  return dir;
}

const validate = (dir: string) => cli(['validate', join(dir, 'tml')]);

describe('invalid UTF-8', () => {
  it('invalid UTF-8: refuses the file, naming it, its line and the byte, instead of reading U+FFFD', async () => {
    const text = Buffer.from(table(GUID, 'Orders'));
    const at = text.indexOf('Orders');
    const bad = Buffer.concat([text.subarray(0, at), Buffer.from([0x4f, 0xff, 0x72]), text.subarray(at + 3)]);
    const dir = tree('utf8', { [`orders.${GUID}.table.tml`]: bad });
    await expect(readContent(dir)).rejects.toThrow(`tml/table/orders.${GUID}.table.tml:3: not valid UTF-8 (byte ${at + 1}, 0xff)`);
    const result = await validate(dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${join(dir, 'tml', 'table', `orders.${GUID}.table.tml`)}:3: not valid UTF-8`);
  });

  it('reads valid multi-byte UTF-8 and a byte-order mark as before', async () => {
    const text = `\uFEFF${table(GUID, 'Commandes 注文 🧾')}`;
    const dir = tree('utf8-valid', { [`commandes.${GUID}.table.tml`]: text });
    expect((await readContent(dir)).files.filter((f) => f.doc.kind === 'table').map((f) => [f.doc.name, f.text])).toEqual([['Commandes 注文 🧾', text]]);
  });
});

describe('duplicate GUID', () => {
  it('duplicate GUID: two files carrying one GUID fail validate with exit 2, naming both files', async () => {
    const dir = tree('duplicate', { [`orders.${GUID}.table.tml`]: table(GUID, 'Orders'), 'orders-copy.table.tml': table(GUID, 'Orders copy') });
    const result = await validate(dir);
    expect(result.code).toBe(2);
    const file = (name: string) => join(dir, 'tml', 'table', name);
    expect(result.stdout).toContain(`duplicate GUID ${GUID}: ${file('orders-copy.table.tml')} and ${file(`orders.${GUID}.table.tml`)}`);
    // Only what a deploy accepts: a copy with no guid is refused as the next describe shows.
    expect(result.stdout).toContain('an object has one file (give each copy a guid of its own)');
  });
});

/** The deploy's own text (test/sync/deploy-obj-ids.test.ts): validate passes no file a deploy refuses for its identity. */
describe('no identity', () => {
  const withoutGuid = (text: string) => text.replace(/^guid: .*\n/, '');

  it('no identity: a file with neither a guid nor an obj_id fails validate with exit 2, naming the file and the object as the deploy does', async () => {
    const dir = tree('no-identity', { [`orders.${GUID}.table.tml`]: table(GUID), 'customers.table.tml': withoutGuid(table(OTHER, 'Customers')) });
    const result = await validate(dir);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe(`error: ${join(dir, 'tml', 'table', 'customers.table.tml')}: table "Customers" has neither a guid nor an obj_id; canonical files carry the GUID (or the object id) tmlsync tracks them by\n`);
    expect(result.stderr).toContain('3 files checked offline: 1 error, 0 warnings');
    const json = JSON.parse((await cli(['validate', join(dir, 'tml'), '--format', 'json'])).stdout) as { errors: number; findings: { file: string; object: string }[] };
    expect(json.errors).toBe(1);
    expect(json.findings[0]).toMatchObject({ file: join(dir, 'tml', 'table', 'customers.table.tml'), object: 'table "Customers"' });
  });

  it('accepts a file with an obj_id and no guid, and a connection with neither (the environment\'s own, matched by name)', async () => {
    const dir = tree('obj-id-only', { 'orders.table.tml': `obj_id: table-orders\n${withoutGuid(table(GUID))}` });
    const result = await validate(dir);
    expect(result.stdout).toBe('');
    expect(result.code).toBe(0);
  });
});

describe('GUID/file-name mismatch', () => {
  it('GUID/file-name mismatch: a file whose guid disagrees with its name fails validate with exit 2, naming the file and both GUIDs', async () => {
    const dir = tree('mismatch', { [`orders.${GUID}.table.tml`]: table(OTHER) });
    const result = await validate(dir);
    expect(result.code).toBe(2);
    expect(result.stdout).toContain(`${join(dir, 'tml', 'table', `orders.${GUID}.table.tml`)}: its guid is ${OTHER}, but its file name says ${GUID}`);
  });

  it('accepts a file named after its GUID, and a file whose name carries no GUID', async () => {
    const dir = tree('named', { [`orders.${GUID}.table.tml`]: table(GUID), 'my.customers.table.tml': table(OTHER, 'Customers') });
    const result = await validate(dir);
    expect(result.stdout).toBe('');
    expect(result.code).toBe(0);
  });
});
