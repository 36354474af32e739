import { describe, expect, it } from 'vitest';
import { format, parse } from '../../src/tml/index.js';
import { asFileSays } from '../../src/sync/kernel/filled-fqns.js';

const CONN = '6f9726aa-0c9b-44b0-b229-29bc6eb30db2';
const table = (connection: string, description = 'sales') => `guid: 2a8f3e41-0c6b-4f7e-9a51-6d1f0b9c7e21\ntable:\n  name: Orders\n  description: ${description}\n  db: D\n  schema: S\n  db_table: ORDERS\n  connection:\n${connection}`;
/** The export's text as the file says it. */
const asFile = (exported: string, file: string) => format(asFileSays(parse(exported), parse(file)));

describe('an fqn the export fills in', () => {
  it('is no difference where the file names the same connection without one', () => {
    const file = table('    name: Conn\n');
    expect(asFile(table(`    name: Conn\n    fqn: ${CONN}\n`), file)).toBe(format(parse(file)));
  });

  it('is one where the file gives another fqn, or names another connection, and so is any other field', () => {
    const back = table(`    name: Conn\n    fqn: ${CONN}\n`, 'edited there');
    expect(asFile(back, table('    name: Conn\n'))).toContain('description: edited there');
    expect(asFile(back, table('    name: Conn\n    fqn: 00000000-0000-0000-0000-000000000000\n', 'edited there'))).toContain(`fqn: ${CONN}`);
    expect(asFile(back, table('    name: Other\n', 'edited there'))).toContain(`fqn: ${CONN}`);
  });
});
