import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/index.js';

const dir = mkdtempSync(join(tmpdir(), 'tmlsync-config-org-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Two environments on one URL, differing by `org` (the values given as YAML). */
function load(devOrg: string, prodOrg: string) {
  const path = join(dir, `config-${Math.random().toString(36).slice(2)}.yaml`);
  const env = (name: string, org: string, direction: string) =>
    `  ${name}:\n    url: https://acme.thoughtspot.cloud\n    username: tmlsync-bot\n    password: \${P}\n    org: ${org}\n    branch: ${name}\n    direction: ${direction}\n`;
  writeFileSync(path, `repository:\n  url: /srv/tml.git\nenvironments:\n${env('dev', devOrg, 'export')}${env('prod', prodOrg, 'deploy')}`);
  return loadConfig(path, { env: { P: 'x' }, isTracked: () => true });
}

describe('environments.<name>.org', () => {
  it('takes an Org name or a numeric id, so that two environments on one URL differ by Org', () => {
    const config = load('Dev', '1980035173');
    expect(config.environments.map((e) => [e.name, e.url, e.org])).toEqual([
      ['dev', 'https://acme.thoughtspot.cloud', 'Dev'],
      ['prod', 'https://acme.thoughtspot.cloud', '1980035173'],
    ]);
  });

  it('refuses an empty Org and a negative id, naming the key', () => {
    let problems: string[] = [];
    try {
      load('""', '-1');
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems = error.problems.map((p) => p.path);
    }
    expect(problems).toEqual(['environments.dev.org', 'environments.prod.org']);
  });
});
