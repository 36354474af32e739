import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, type CliIo } from '../../src/cli/index.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { API_VERSIONS } from '../support/api.js';

const fixtures = new URL('../fixtures/tml/', import.meta.url);
const work = mkdtempSync(join(tmpdir(), 'tmlsync-validate-'));
let emulator: RunningEmulator;
const cwd = process.cwd();

beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  process.chdir(cwd);
  await emulator.close();
  rmSync(work, { recursive: true, force: true });
});

async function validateIn(dir: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) }, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env } };
  process.chdir(dir);
  try {
    return { code: await run(['--log-level', 'silent', 'validate', ...args], io), stdout, stderr };
  } finally {
    process.chdir(cwd);
  }
}

describe('tmlsync validate', () => {
  it('names file and line of a malformed document and exits 2', async () => {
    const dir = join(work, 'bad');
    mkdirSync(join(dir, 'tml'), { recursive: true });
    writeFileSync(join(dir, 'tml', 'BAD_DUMMY.answer.tml'), readFileSync(new URL('BAD_DUMMY.answer.tml', fixtures)));
    const result = await validateIn(dir, []);
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('error: tml/BAD_DUMMY.answer.tml:2:9: invalid YAML: bad indentation of a mapping entry');
    expect(result.stderr).toContain('1 file checked offline: 1 error');
  });

  it('exits 2 naming a path that does not exist', async () => {
    const result = await validateIn(work, ['no-such-folder']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error: no-such-folder: no such file or folder');
  });

  it('reports dangling references and bad enums with file:line, and GitHub annotations under Actions', async () => {
    const dir = join(work, 'refs');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'a.answer.tml'), 'answer:\n  name: Orphan\n  tables:\n  - id: Missing Model\n    name: Missing Model\n  search_query: "[x]"\n  display_mode: SIDEWAYS\nguid: 0b0b0b0b-0000-4000-8000-0000000000a1\n');
    const result = await validateIn(dir, ['a.answer.tml', '--format', 'json'], { GITHUB_ACTIONS: 'true' });
    expect(result.code).toBe(2);
    const json = JSON.parse(result.stdout.split('\n::')[0]!) as { errors: number; findings: { file: string; line: number; message: string }[] };
    expect(json.errors).toBe(2);
    expect(json.findings.map((f) => `${f.file}:${f.line}`)).toEqual(expect.arrayContaining(['a.answer.tml:5', 'a.answer.tml:7']));
    expect(result.stdout).toMatch(/^::error file=a\.answer\.tml,line=5::.*Missing Model/m);
  });
});

/** Validation against an environment (`VALIDATE_ONLY` imports) over either REST API, on the one emulator. */
describe.each(API_VERSIONS)('tmlsync validate --env, over %s', (api) => {
  it('passes the conformance corpus files that stand alone, and validates against an environment with --env', async () => {
    const dir = join(work, `env-${api}`);
    mkdirSync(dir, { recursive: true });
    const config = join(dir, 'tmlsync.yaml');
    writeFileSync(config, `repository:\n  url: x.git\nenvironments:\n  dev:\n    url: ${emulator.url}\n    username: tsadmin\n    password: \${P:-admin}\n    api: ${api}\n    direction: deploy\n`);
    writeFileSync(join(dir, 'ok.answer.tml'), 'guid: 0b0b0b0b-0000-4000-8000-0000000000a2\nanswer:\n  name: New answer\n  tables:\n  - id: Retail Sales\n    name: Retail Sales\n  search_query: "[Region] [Sales]"\n');
    const offline = await validateIn(dir, ['ok.answer.tml']);
    expect(offline.code).toBe(2);
    const online = await validateIn(dir, ['ok.answer.tml', '--config', config, '--env', 'dev']);
    expect(online.stderr).toContain('1 file checked (offline and against dev): 0 errors');
    expect(online.code).toBe(0);
    expect(emulator.state.objects.size).toBe(18);
  });

  it('reports ThoughtSpot\'s refusal of a search on a column that does not exist, naming the file', async () => {
    const dir = join(work, `env2-${api}`);
    mkdirSync(dir, { recursive: true });
    const config = join(dir, 'tmlsync.yaml');
    writeFileSync(config, `repository:\n  url: x.git\nenvironments:\n  dev:\n    url: ${emulator.url}\n    username: tsadmin\n    password: \${P:-admin}\n    api: ${api}\n`);
    writeFileSync(join(dir, 'broken.answer.tml'), 'guid: 0b0b0b0b-0000-4000-8000-0000000000a3\nanswer:\n  name: Broken answer\n  tables:\n  - id: Retail Sales\n    name: Retail Sales\n  search_query: "[Region] [Profit Margin]"\n');
    const result = await validateIn(dir, ['broken.answer.tml', '--config', config, '--env', 'dev']);
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/^error: broken\.answer\.tml: answer "Broken answer": .*Search did not find "\[Profit Margin\]"/m);
    expect(emulator.state.objects.size).toBe(18);
  });
});
