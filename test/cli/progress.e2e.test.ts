import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { API_VERSIONS, clientOf } from '../support/api.js';
import { cli } from '../support/cli.js';

/**
 * `--progress` (what a terminal gets by itself) through the real commands,
 * over each REST API: the demo's export into a bare repository on disk, then
 * its deploy into an empty Org with the demo's connection. One emulator for
 * both versions (the demo in its Primary Org, an empty Org per version to
 * deploy into) and one bare repository (a branch pair per version): a second
 * emulator cost more than a run. The reporter's throttling and rates are
 * unit-tested (progress.test.ts); here, that the runs report.
 */
let emulator: RunningEmulator;
const work = mkdtempSync(join(tmpdir(), 'tmlsync-progress-'));
const remote = join(work, 'content.git');
/** Lines the reporter printed, without the log lines around them. */
const progressLines = (stderr: string, label: string) => stderr.split('\n').filter((l) => l.startsWith(`${label}: `));
const CONNECTION = 'connection:\n  name: Retail Warehouse\n  type: RDBMS_SNOWFLAKE\n  authentication_type: SERVICE_ACCOUNT\n  properties: []\n';

beforeAll(async () => {
  emulator = await startEmulator({ orgs: API_VERSIONS.map((api) => `Prod ${api}`) });
  await Promise.all(API_VERSIONS.map((api) => clientOf(api, emulator.url, { org: `Prod ${api}` }).importTml([CONNECTION], { policy: 'PARTIAL', forceCreate: false, throwOnError: true })));
  execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', remote]);
});
afterAll(async () => {
  await emulator.close();
  rmSync(work, { recursive: true, force: true });
});

/** dev exports the Primary Org to `dev-<api>`; prod deploys `main-<api>` into the Org `Prod <api>`. */
function configFile(api: string): string {
  const file = join(work, `tmlsync-${api}.yaml`);
  const environment = (direction: string, branch: string, org = '') => `    url: ${emulator.url}\n    username: tsadmin\n    password: \${P:-admin}\n    branch: ${branch}-${api}\n    direction: ${direction}\n    api: ${api}\n${org}`;
  writeFileSync(file, `repository:\n  url: ${remote}\nworkDir: ${join(work, `wd-${api}`)}\nenvironments:\n  dev:\n${environment('export', 'dev')}  prod:\n${environment('deploy', 'main', `    org: Prod ${api}\n`)}`);
  return file;
}

describe.each(API_VERSIONS)('progress of command-line runs, over %s', (api) => {
  let config: string;
  beforeAll(() => {
    config = configFile(api);
  });

  // Two runs (an export, then a deploy of 17 objects): about 2 s on a quiet machine; room, not timing, for a loaded one.
  it('shows an export its objects listed and exported, and a deploy its objects imported, when asked', { timeout: 90_000 }, async () => {
    const exported = await cli(['--progress', 'export', '--config', config, '--env', 'dev']);
    expect(exported.code, exported.stderr).toBe(0);
    const objects = emulator.state.objects.size;
    expect(progressLines(exported.stderr, 'export dev').at(-1)).toMatch(new RegExp(`^export dev: ${objects} listed, ${objects}/${objects} exported( \\(\\d+/s\\))?$`));

    // Promoted as a merge would: main is what dev exported.
    execFileSync('git', ['-C', remote, 'branch', `main-${api}`, `dev-${api}`]);
    const deployed = await cli(['--progress', 'deploy', '--config', config, '--env', 'prod']);
    expect(deployed.code, deployed.stderr).toBe(0);
    expect(progressLines(deployed.stderr, 'deploy prod').at(-1)).toMatch(/^deploy prod: (\d+)\/\1 imported( \(\d+\/s\))?$/);
    // Every content object but the connection, which prod has already.
    expect(deployed.stderr).toContain(`deploy prod: ${objects - 1}/${objects - 1} imported`);
  });

  it('keeps progress out of JSON logs: their summary is the run\'s own finished line', async () => {
    const result = await cli(['--log-level', 'info', '--log-format', 'json', 'export', '--config', config, '--env', 'dev', '--full']);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stderr.trim().split('\n');
    expect(lines.every((l) => l.startsWith('{'))).toBe(true);
    expect(lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toContain('export finished');
  });
});
