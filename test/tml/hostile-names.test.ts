import { describe, expect, it } from 'vitest';
import { format, parse, slugify, toJson, validate } from '../../src/tml/index.js';

const HOSTILE = {
  unicode: 'Ventes été 日本語 🐢 Ελληνικά',
  decomposed: 'Ventes e\u0301te\u0301',
  slashes: 'Sales/2024/Q1',
  traversal: '../../etc/passwd',
  dots: '..',
  dot: '.',
  hidden: '.hidden',
  backslash: 'C:\\Windows\\system32',
  quotes: `He said "it's" #1: [a], {b}`,
  controls: 'tab\there\nnew line\u0000nul\u202eevil',
  blank: '   ',
  emoji: '🐢🐜',
  reserved: 'CON',
  long: 'x'.repeat(300),
  longCjk: '日本'.repeat(150),
  yamlish: '- null: true',
};

function table(name: string): string {
  return format({
    guid: 't-1',
    table: { name, db: 'DB', schema: 'S', db_table: 'T', connection: { name: 'C' }, columns: [{ name, db_column_name: 'c', properties: { column_type: 'ATTRIBUTE' }, db_column_properties: { data_type: 'VARCHAR' } }] },
  });
}

describe('hostile object names in the TML core', () => {
  it.each(Object.entries(HOSTILE))('parses, formats and re-parses a %s name unchanged', (_what, name) => {
    const text = table(name);
    const doc = parse(text, { file: 'hostile.table.tml' });
    expect(doc.name).toBe(name);
    expect(format(doc)).toBe(text);
    expect(parse(toJson(doc)).name).toBe(name);
  });

  it('writes a 300-character name on one line', () => {
    expect(table(HOSTILE.long).split('\n')[2]).toBe(`  name: ${HOSTILE.long}`);
  });

  it.each(Object.entries(HOSTILE))('resolves a reference to a %s name and reports a broken one on one line', (_what, name) => {
    const target = parse(table(name), { file: 'target.table.tml' });
    const user = (ref: string): string => format({ guid: 'a-1', answer: { name: 'Uses it', tables: [{ id: ref, name: ref }], search_query: '[c]' } });
    const known = [{ kind: 'connection' as const, name: 'C', guid: 'c-1' }];
    expect(validate([target, parse(user(name), { file: 'a.answer.tml' })], { known })).toEqual([]);

    const [issue, ...rest] = validate([target, parse(user(`${name}!`), { file: 'a.answer.tml' })], { known });
    expect(rest).toEqual([]);
    expect(issue).toMatchObject({ code: 'missing-reference', file: 'a.answer.tml', line: 6, path: 'answer->tables(1st)->name' });
    expect(issue!.message).toContain(JSON.stringify(`${name}!`));
    expect(issue!.message).not.toContain('\n');
  });

  it('names a hostile object in its own issues, escaped', () => {
    const doc = parse(table(HOSTILE.controls).replace('  db: DB\n', ''), { file: 'x.table.tml' });
    const [issue] = validate([doc], { known: [{ kind: 'connection', name: 'C', guid: 'c' }] });
    expect(issue!.message).toBe(`x.table.tml:2: table ${JSON.stringify(HOSTILE.controls)}, table->db: required field "db" is missing`);
    expect(issue!.object.name).toBe(HOSTILE.controls);
  });
});

describe('slugify', () => {
  it.each(Object.entries(HOSTILE))('makes a safe file-name part of a %s name', (_what, name) => {
    const slug = slugify(name);
    expect(slug).not.toBe('');
    expect(slug).not.toMatch(/[/\\:*?"<>|]/);
    expect(slug).not.toMatch(/^[.-]|[.-]$/);
    expect(slug).not.toContain('..');
    expect(slug).not.toMatch(/\p{C}/u);
    expect(slug).not.toMatch(/^(con|prn|aux|nul|com\d|lpt\d)$/i);
    expect(Buffer.byteLength(slug)).toBeLessThanOrEqual(100);
    expect(slug.normalize('NFC')).toBe(slug);
  });

  it.each([
    ['How many items purchased by state?', 'How-many-items-purchased-by-state'],
    ['(Sample) Retail - Apparel', 'Sample-Retail-Apparel'],
    ['SPECIAL_v1.0_NAME', 'SPECIAL_v1.0_NAME'],
    ['dim_rb_accounts 🐢', 'dim_rb_accounts'],
    ['Ventes été 日本語', 'Ventes-été-日本語'],
    ['Sales/2024/Q1', 'Sales-2024-Q1'],
    ['../../etc/passwd', 'etc-passwd'],
    ['..', 'unnamed'],
    ['', 'unnamed'],
    ['🐢', 'unnamed'],
    ['.hidden', 'hidden'],
    ['CON', 'CON_'],
    ['a . b', 'a.b'],
  ])('slugs %j as %j', (name, slug) => {
    expect(slugify(name)).toBe(slug);
  });

  it('gives the same slug to the composed and decomposed spelling of a name', () => {
    expect(slugify(HOSTILE.decomposed)).toBe(slugify('Ventes étè'.replace('è', 'é')));
  });

  it('cuts long names to 100 bytes with a hash that tells them apart', () => {
    const a = slugify(`${'x'.repeat(300)}a`);
    const b = slugify(`${'x'.repeat(300)}b`);
    expect(a).toMatch(/^x{91}-[0-9a-f]{8}$/);
    expect(a).not.toBe(b);
    expect(slugify(`${'x'.repeat(300)}a`)).toBe(a);
    const cjk = slugify(HOSTILE.longCjk);
    expect(Buffer.byteLength(cjk)).toBeLessThanOrEqual(100);
    expect(cjk).toMatch(/^(日本)+日?-[0-9a-f]{8}$/u);
  });
});
