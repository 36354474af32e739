import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, servicesOf, withSession } from '../../src/app/index.js';
import type { EnvironmentConfig } from '../../src/config/index.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { createLogger, Redactor } from '../../src/log/index.js';

interface Line { level: number | string; msg: string; api?: string; environment?: string }

const base: Omit<EnvironmentConfig, 'url' | 'api'> = {
  name: 'dev', branch: 'dev', username: 'tsadmin', password: 'admin', direction: 'export', schedule: '*/10 * * * *', timeoutMs: 5_000,
  importPolicy: 'ALL_OR_NONE', dataChecks: { enabled: true }, prune: false, maxDeletions: 10, conflictPolicy: 'manual', watch: false,
};

/** Lists the principals twice through one connection; returns the log lines and the paths the emulator was asked for. */
async function twoCalls(emulator: RunningEmulator, api: EnvironmentConfig['api'], requests: string[]) {
  const lines: Line[] = [];
  const log = createLogger({ level: 'info', destination: { write: (line: string) => lines.push(JSON.parse(line) as Line) } });
  const before = requests.length;
  await withSession(connect({ ...base, url: emulator.url, api }, servicesOf({ log, redactor: new Redactor(), env: {} })), async ({ port }) => {
    expect((await port.listPrincipals()).map((p) => p.name)).toContain('tsadmin');
    await port.listPrincipals();
  });
  return { said: lines.filter((l) => l.api !== undefined), paths: requests.slice(before) };
}

function emulatorServing(apis: ('v1' | 'v2')[], requests: string[]): Promise<RunningEmulator> {
  return startEmulator({ apis, logger: createLogger({ destination: { write: (l: string) => requests.push((JSON.parse(l) as { path?: string }).path ?? '') } }) });
}

/** `api: auto` (issue 12): v2 where the instance has it, v1 only where it has none; the version in use is logged once. */
describe('connect() and the environment\'s api', () => {
  const v1OnlyRequests: string[] = [];
  const bothRequests: string[] = [];
  let v1Only: RunningEmulator;
  let both: RunningEmulator;
  beforeAll(async () => {
    [v1Only, both] = await Promise.all([emulatorServing(['v1'], v1OnlyRequests), emulatorServing(['v1', 'v2'], bothRequests)]);
  });
  afterAll(async () => {
    await Promise.all([v1Only.close(), both.close()]);
  });

  it('auto on an instance without v2 uses v1, and says so once', async () => {
    const { said, paths } = await twoCalls(v1Only, 'auto', v1OnlyRequests);
    expect(said).toEqual([expect.objectContaining({ level: 'info', environment: 'dev', api: 'v1' })]);
    expect(paths.filter((p) => p.startsWith('/api/rest/2.0/'))).toEqual(['/api/rest/2.0/auth/token/full']);
    expect(paths.filter((p) => p.endsWith('/user/list'))).toHaveLength(2);
  });

  it('auto on an instance with v2 uses v2 only, and says so once', async () => {
    const { said, paths } = await twoCalls(both, 'auto', bothRequests);
    expect(said).toEqual([expect.objectContaining({ level: 'info', environment: 'dev', api: 'v2' })]);
    expect(paths.filter((p) => p.startsWith('/callosum/'))).toEqual([]);
    expect(paths).toContain('/api/rest/2.0/users/search');
  });

  it('v1 and v2 use the version set, without asking the other', async () => {
    const v1 = await twoCalls(both, 'v1', bothRequests);
    expect(v1.said).toEqual([expect.objectContaining({ api: 'v1' })]);
    expect(v1.paths.filter((p) => p.startsWith('/api/rest/2.0/'))).toEqual([]);
    const v2 = await twoCalls(both, 'v2', bothRequests);
    expect(v2.said).toEqual([expect.objectContaining({ api: 'v2' })]);
    expect(v2.paths.filter((p) => p.startsWith('/callosum/'))).toEqual([]);
  });

  it('v2 on an instance without v2 fails the call: no silent fallback when the version is set', async () => {
    const lines: Line[] = [];
    const log = createLogger({ level: 'info', destination: { write: (line: string) => lines.push(JSON.parse(line) as Line) } });
    await expect(withSession(connect({ ...base, url: v1Only.url, api: 'v2' }, servicesOf({ log, redactor: new Redactor(), env: {} })), ({ port }) => port.listPrincipals())).rejects.toThrow(/404/);
  });
});
