import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { problemsOf } from '../support/config.js';

const dir = mkdtempSync(join(tmpdir(), 'tmlsync-pipeline-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

/** A configuration of environments given as `name: extra keys` (each a deploy environment of one emulator unless it says otherwise). */
function configWith(environments: Record<string, string>): string {
  const body = Object.entries(environments)
    .map(([name, extra]) => `  ${name}:\n    url: http://127.0.0.1:4000\n    username: tsadmin\n    password: \${P:-admin}\n${extra.includes('direction:') ? '' : '    direction: deploy\n'}${extra.replace(/^/gm, '    ')}\n`)
    .join('');
  const path = join(dir, `pipeline-${(n += 1)}.yaml`);
  writeFileSync(path, `repository:\n  url: /srv/tml.git\nenvironments:\n${body}`);
  return path;
}

describe('pipeline configuration (promoteFrom, approval)', () => {
  it('loads dev → staging → prod with a manual approval before prod; approval is auto unless said', () => {
    const config = loadConfig(configWith({ dev: '', staging: 'promoteFrom: dev', prod: 'promoteFrom: staging\napproval: manual' }), { env: {} });
    expect(config.environments.map((e) => [e.name, e.promoteFrom, e.approval])).toEqual([
      ['dev', undefined, undefined],
      ['staging', 'dev', undefined],
      ['prod', 'staging', 'manual'],
    ]);
  });

  it('names the environment and the field of a source that does not exist or does not deploy', () => {
    const problems = problemsOf(() => loadConfig(configWith({ dev: 'direction: export', staging: 'promoteFrom: dev', prod: 'promoteFrom: stagin' }), { env: {} }));
    expect(problems).toEqual([
      'environments.staging.promoteFrom: environment dev is not deployed (direction: export); a stage promotes what a deploy environment deployed',
      'environments.prod.promoteFrom: no environment stagin to promote from (has dev, staging, prod)',
    ]);
  });

  it('refuses a cycle, naming it from each stage in it, and a stage promoting from itself', () => {
    const problems = problemsOf(() => loadConfig(configWith({ a: 'promoteFrom: b', b: 'promoteFrom: a', c: 'promoteFrom: c', d: 'promoteFrom: a' }), { env: {} }));
    expect(problems).toEqual([
      'environments.a.promoteFrom: the pipeline comes back to a: a → b → a',
      'environments.b.promoteFrom: the pipeline comes back to b: b → a → b',
      'environments.c.promoteFrom: the pipeline comes back to c: c → c',
    ]);
  });

  it('keeps promoteFrom to deploy environments and approval to stages', () => {
    const problems = problemsOf(() => loadConfig(configWith({ dev: '', mirror: 'direction: export\npromoteFrom: dev', prod: 'approval: manual', qa: 'promoteFrom: dev\napproval: later' }), { env: {} }));
    expect(problems).toEqual([
      'environments.mirror.promoteFrom: a pipeline stage is deployed from git; promoteFrom is for deploy environments (direction: deploy)',
      'environments.prod.approval: approval is for pipeline stages; set promoteFrom too',
      expect.stringMatching(/^environments\.qa\.approval: .*auto.*manual/),
    ]);
  });

  it('loads config/pipeline.yaml, the example of the README', () => {
    const config = loadConfig(new URL('../../config/pipeline.yaml', import.meta.url).pathname, { env: { TS_PASSWORD: 'x', TMLSYNC_API_TOKEN: 't' }, isTracked: () => true });
    expect(config.environments.map((e) => `${e.name}:${e.promoteFrom ?? '-'}:${e.approval ?? 'auto'}`)).toEqual(['dev:-:auto', 'staging:dev:auto', 'prod:staging:manual']);
  });
});
