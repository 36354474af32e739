import { describe, expect, it } from 'vitest';
import {
  contentHash, formatLedger, parseDeployLedger, parseLedger, readDeployLedger, readExportLedger, stateRef, type DeployLedger, type Ledger,
} from '../../src/sync/kernel/ledger.js';
import { InvalidInputError } from '../../src/errors/index.js';
import type { ContentRepo } from '../../src/sync/ports.js';

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
    const repo = { readState: (ref: string) => Promise.resolve(ref.endsWith('/deploy') ? '{"version":1,"objects":' : '[1]') } as unknown as ContentRepo;
    const deploy = readDeployLedger(repo, 'prod');
    await expect(deploy).rejects.toThrow(/^refs\/tmlsync\/prod\/deploy:deploy\.json: not valid JSON/);
    await expect(deploy).rejects.toBeInstanceOf(InvalidInputError);
    await expect(readExportLedger(repo, 'dev')).rejects.toThrow('refs/tmlsync/dev/export:ledger.json: not a tmlsync ledger of version 1');
  });

  it('keeps every piece of state under refs/tmlsync/<env>/', () => {
    expect(stateRef('prod', 'deploy')).toBe('refs/tmlsync/prod/deploy');
    expect(stateRef('dev', 'export')).toBe('refs/tmlsync/dev/export');
    expect(contentHash('x')).toMatch(/^[0-9a-f]{64}$/);
  });
});
