import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, interpolate, literalIn, loadConfig } from '../../src/config/index.js';
import { problemsOf } from '../support/config.js';

const dir = mkdtempSync(join(tmpdir(), 'tmlsync-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function file(text: string): string {
  const path = join(dir, `config-${(n += 1)}.yaml`);
  writeFileSync(path, text);
  return path;
}


const minimal = `repository:
  url: /srv/tml.git
environments:
  dev:
    url: http://127.0.0.1:4000
    username: tsadmin
    password: \${TS_DEV_PASSWORD}
    branch: dev
    direction: export
    schedule: "*/10 * * * *"
`;

describe('loadConfig', () => {
  it('loads the minimal form of the issue as written, with defaults', () => {
    const config = loadConfig(file(minimal), { env: { TS_DEV_PASSWORD: 's3cret', HOME: '/home/u' }, isTracked: () => true });
    expect(config.environments).toEqual([
      expect.objectContaining({ name: 'dev', url: 'http://127.0.0.1:4000', username: 'tsadmin', password: 's3cret', branch: 'dev', direction: 'export', schedule: '*/10 * * * *', timeoutMs: 60000 }),
    ]);
    expect(config.server).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(config.workDir).toBe('/home/u/.cache/tmlsync');
  });

  it('keeps prune off by default, with at most 10 deletions once on; the maximum is a positive integer', () => {
    const [dev] = loadConfig(file(minimal), { env: { TS_DEV_PASSWORD: 'x' } }).environments;
    expect(dev).toMatchObject({ prune: false, maxDeletions: 10 });
    const problems = problemsOf(() => loadConfig(file(`${minimal}    prune: yes please\n    maxDeletions: 0\n`), { env: { TS_DEV_PASSWORD: 'x' } }));
    expect(problems).toEqual([expect.stringMatching(/^environments\.dev\.prune: /), expect.stringMatching(/^environments\.dev\.maxDeletions: /)]);
  });

  it('resolves ${VAR:-default}', () => {
    const config = loadConfig(file(minimal.replace('${TS_DEV_PASSWORD}', '${TS_DEV_PASSWORD:-admin}')), { env: {} });
    expect(config.environments[0]!.password).toBe('admin');
  });

  it('reports every problem at once, each with the path of the bad key', () => {
    const problems = problemsOf(() =>
      loadConfig(
        file(`repository:
  urll: x
environments:
  dev:
    url: ftp://nope
    username: tsadmin
    password: \${MISSING_PASSWORD}
    direction: sideways
    schedule: every minute
    colour: blue
`),
        { env: {} },
      ),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        "repository: unknown key 'urll'",
        'repository.url: is required',
        'environments.dev.url: must be an http(s) URL',
        expect.stringMatching(/^environments\.dev\.direction: .*export.*deploy.*sync/),
        expect.stringMatching(/^environments\.dev\.schedule: is not a valid cron expression/),
        "environments.dev: unknown key 'colour'",
        expect.stringMatching(/^environments\.dev\.password: environment variable MISSING_PASSWORD is not set/),
      ]),
    );
  });

  it('refuses a literal password in a file tracked by git, but not in an untracked one', () => {
    const text = minimal.replace('${TS_DEV_PASSWORD}', 'hunter2');
    expect(problemsOf(() => loadConfig(file(text), { env: {}, isTracked: () => true }))).toEqual([
      expect.stringMatching(/^environments\.dev\.password: a literal secret in a file tracked by git/),
    ]);
    expect(loadConfig(file(text), { env: {}, isTracked: () => false }).environments[0]!.password).toBe('hunter2');
  });

  it('refuses a literal initial password for principals in a tracked file, and takes a reference', () => {
    const principals = (value: string) => `${minimal.replace('direction: export', 'direction: deploy')}    principals:\n      initialPassword: ${value}\n`;
    expect(problemsOf(() => loadConfig(file(principals('Welcome-1')), { env: { TS_DEV_PASSWORD: 'x' }, isTracked: () => true }))).toEqual([
      expect.stringMatching(/^environments\.dev\.principals\.initialPassword: a literal secret in a file tracked by git/),
    ]);
    const config = loadConfig(file(principals('${TS_INITIAL}')), { env: { TS_DEV_PASSWORD: 'x', TS_INITIAL: 'Welcome-1' }, isTracked: () => true });
    expect(config.environments[0]!.principals).toEqual({ prune: false, initialPassword: 'Welcome-1' });
    expect(loadConfig(file(minimal), { env: { TS_DEV_PASSWORD: 'x' } }).environments[0]!.principals).toBeUndefined();
  });

  it('takes a principals block on deploy environments only', () => {
    const block = '    principals:\n      prune: true\n';
    expect(problemsOf(() => loadConfig(file(`${minimal}${block}`), { env: { TS_DEV_PASSWORD: 'x' } }))).toEqual([
      'environments.dev.principals: principals are applied by deploys; this block is for deploy environments (direction: deploy)',
    ]);
    const deploy = loadConfig(file(`${minimal.replace('direction: export', 'direction: deploy')}${block}`), { env: { TS_DEV_PASSWORD: 'x' } });
    expect(deploy.environments[0]!.principals).toEqual({ prune: true });
  });

  it('requires credentials and distinct branches', () => {
    const problems = problemsOf(() =>
      loadConfig(file(`repository: { url: r.git }
environments:
  a: { url: "http://h", branch: main, username: u }
  b: { url: "http://h", branch: main, username: u, secretKey: "\${K:-k}" }
`), { env: {} }),
    );
    expect(problems).toEqual(['environments.a: needs username and password, or username and secretKey (trusted authentication)', 'environments.b.branch: branch main is already the branch of environment a']);
  });

  it('reads a session lifetime and the password rotation variables, and names bad ones', () => {
    const good = `${minimal}    sessionTtlMs: 1800000
    passwordRotation: { newPasswordEnv: TS_DEV_NEW_PASSWORD }
`;
    expect(loadConfig(file(good), { env: { TS_DEV_PASSWORD: 's3cret' } }).environments[0]).toMatchObject({
      sessionTtlMs: 1_800_000,
      passwordRotation: { newPasswordEnv: 'TS_DEV_NEW_PASSWORD' },
    });
    const bad = `${minimal}    sessionTtlMs: 20
    passwordRotation: { newPasswordEnv: "not a name", currentPasswordEnv: OLD, password: x }
`;
    expect(problemsOf(() => loadConfig(file(bad), { env: { TS_DEV_PASSWORD: 's3cret' } }))).toEqual([
      expect.stringMatching(/^environments\.dev\.sessionTtlMs: /),
      'environments.dev.passwordRotation.newPasswordEnv: must be an environment variable name',
      "environments.dev.passwordRotation: unknown key 'password'",
    ]);
  });

  it('names the file and line of invalid YAML, and an unreadable file', () => {
    expect(problemsOf(() => loadConfig(file('repository:\n  url: [unclosed\n'), { env: {} }))[0]).toMatch(/not valid YAML \(line \d\)/);
    expect(problemsOf(() => loadConfig(join(dir, 'missing.yaml'), { env: {} }))[0]).toContain('cannot read the file (ENOENT)');
  });

  it('ships a default configuration that loads', () => {
    const config = loadConfig(new URL('../../config/default.yaml', import.meta.url).pathname, { env: {}, isTracked: () => true });
    expect(config.environments[0]!.password).toBe('admin');
  });
});

describe('the environments a command acts on', () => {
  const two = `${minimal}  prod:
    url: https://ts.example.com
    username: bot
    password: \${TS_PROD_PASSWORD}
    direction: deploy
    branch: main
server:
  apiToken: \${API_TOKEN}
`;

  it('needs the variables of the environment acted on and of the shared sections, not those of another environment', () => {
    const config = loadConfig(file(two), { env: { TS_DEV_PASSWORD: 'd', API_TOKEN: 't' }, isTracked: () => true, environments: ['dev'] });
    expect(config.environments.map((e) => e.name)).toEqual(['dev', 'prod']);
    expect(config.environments[0]!.password).toBe('d');
    expect(problemsOf(() => loadConfig(file(two), { env: { TS_PROD_PASSWORD: 'p', API_TOKEN: 't' }, environments: ['dev'] }))).toEqual([
      'environments.dev.password: environment variable TS_DEV_PASSWORD is not set (use ${TS_DEV_PASSWORD:-default} for a default)',
    ]);
    expect(problemsOf(() => loadConfig(file(two), { env: { TS_DEV_PASSWORD: 'd' }, environments: ['dev'] }))).toEqual([
      'server.apiToken: environment variable API_TOKEN is not set (use ${API_TOKEN:-default} for a default)',
    ]);
  });

  it('needs every environment\'s variables when none is named, naming each one missing', () => {
    expect(problemsOf(() => loadConfig(file(two), { env: { TS_DEV_PASSWORD: 'd', API_TOKEN: 't' } }))).toEqual([
      'environments.prod.password: environment variable TS_PROD_PASSWORD is not set (use ${TS_PROD_PASSWORD:-default} for a default)',
    ]);
  });

  it('still refuses a literal secret, and a missing password, in an environment not acted on', () => {
    const literal = two.replace('${TS_PROD_PASSWORD}', 'hunter2');
    expect(problemsOf(() => loadConfig(file(literal), { env: { TS_DEV_PASSWORD: 'd', API_TOKEN: 't' }, isTracked: () => true, environments: ['dev'] }))).toEqual([
      expect.stringMatching(/^environments\.prod\.password: a literal secret in a file tracked by git/),
    ]);
    const none = two.replace('    password: ${TS_PROD_PASSWORD}\n', '');
    expect(problemsOf(() => loadConfig(file(none), { env: { TS_DEV_PASSWORD: 'd', API_TOKEN: 't' }, environments: ['dev'] }))).toEqual([
      'environments.prod: needs username and password, or username and secretKey (trusted authentication)',
    ]);
  });
});

describe('interpolate', () => {
  it('replaces references and reports unset variables', () => {
    expect(interpolate('a-${X}-${Y:-y}-${Z}', { X: 'x' })).toEqual({ value: 'a-x-y-', missing: ['Z'] });
    expect(literalIn('${A}')).toBeUndefined();
    expect(literalIn(' ${A} ${B} ')).toBeUndefined();
    expect(literalIn(' ${A:-x} ')).toBe('default');
    expect(literalIn('pre${A}')).toBe('text');
    expect(literalIn('plain')).toBe('text');
  });
});

describe('config/example.yaml', () => {
  it('documents keys that all load', () => {
    const config = loadConfig(new URL('../../config/example.yaml', import.meta.url).pathname, {
      env: { TS_DEV_PASSWORD: 'x', TS_PROD_SECRET_KEY: 'y', TS_SANDBOX_PASSWORD: 'z', TS_PROD_INITIAL_PASSWORD: 'p' },
      isTracked: () => true,
    });
    expect(config.environments.map((e) => `${e.name}:${e.direction}:${e.branch}`)).toEqual(['dev:export:dev', 'sandbox:sync:sandbox', 'prod:deploy:main']);
    expect(config.environments[2]!.principals).toEqual({ prune: false, initialPassword: 'p' });
  });
});

describe('sync environments', () => {
  it('default to the manual conflict policy and refuse mappings; watch is for sync only', () => {
    const sync = minimal.replace('direction: export', 'direction: sync');
    const config = loadConfig(file(sync), { env: { TS_DEV_PASSWORD: 's' }, isTracked: () => true });
    expect(config.environments[0]).toMatchObject({ direction: 'sync', conflictPolicy: 'manual', watch: false });
    expect(problemsOf(() => loadConfig(file(`${sync}    mappings:\n      schemas: { A: B }\n`), { env: { TS_DEV_PASSWORD: 's' } }))).toEqual([
      'environments.dev.mappings: a sync environment keeps its own names in git; mappings apply to deploy environments',
    ]);
    expect(problemsOf(() => loadConfig(file(`${minimal}    watch: true\n`), { env: { TS_DEV_PASSWORD: 's' } }))).toEqual([
      'environments.dev.watch: watching the working tree is for sync environments (direction: sync)',
    ]);
  });
});

describe('secrets (issue 15, item 4)', () => {
  const tracked = { env: { TS_DEV_PASSWORD: 'x' }, isTracked: () => true };

  it('refuses a literal default inside a reference to a secret in a tracked file, without printing it', () => {
    const problems = problemsOf(() => loadConfig(file(minimal.replace('${TS_DEV_PASSWORD}', '${TS_DEV_PASSWORD:-hunter2}')), tracked));
    expect(problems).toEqual([expect.stringMatching(/^environments\.dev\.password: a literal secret as the default of a reference/)]);
    expect(problems.join('\n')).not.toContain('hunter2');
    const token = `${minimal}server:\n  apiToken: \${API_TOKEN:-0123456789abcdef}\n`;
    expect(problemsOf(() => loadConfig(file(token), tracked))).toEqual([expect.stringMatching(/^server\.apiToken: a literal secret as the default/)]);
    expect(loadConfig(file(token), { env: { TS_DEV_PASSWORD: 'x' }, isTracked: () => false }).server.apiToken).toBe('0123456789abcdef');
  });

  it('takes the emulator\'s published demo password as a default only for an environment on this machine', () => {
    const demo = minimal.replace('${TS_DEV_PASSWORD}', '${TS_DEV_PASSWORD:-admin}');
    expect(loadConfig(file(demo), { env: {}, isTracked: () => true }).environments[0]!.password).toBe('admin');
    const remote = demo.replace('http://127.0.0.1:4000', 'https://dev.example.thoughtspot.cloud');
    expect(problemsOf(() => loadConfig(file(remote), { env: {}, isTracked: () => true }))).toEqual([expect.stringMatching(/^environments\.dev\.password: a literal secret as the default/)]);
  });

  it('refuses credentials in repository.url, tracked or not, telling to use repository.tokenEnv', () => {
    for (const url of ['https://bot:ghp_secret@github.com/acme/tml.git', 'https://ghp_secret@github.com/acme/tml.git', 'ssh://git:pw@host/tml.git', 'https://${GIT_CREDENTIALS}@github.com/acme/tml.git']) {
      const problems = problemsOf(() => loadConfig(file(minimal.replace('/srv/tml.git', url)), { env: { TS_DEV_PASSWORD: 'x', GIT_CREDENTIALS: 'bot:ghp_secret' }, isTracked: () => false }));
      expect(problems, url).toEqual([expect.stringMatching(/^repository\.url: holds credentials .*\.git\/config.*repository\.tokenEnv/)]);
      expect(problems.join('\n')).not.toContain('ghp_secret');
    }
  });

  it('takes remote URLs that name an account but hold no secret', () => {
    for (const url of ['ssh://git@github.com/acme/tml.git', 'git@github.com:acme/tml.git', 'https://github.com/acme/tml.git', '/srv/tml.git']) {
      expect(loadConfig(file(minimal.replace('/srv/tml.git', url)), { env: { TS_DEV_PASSWORD: 'x' } }).repository.url).toBe(url);
    }
  });

  it('refuses credentials in an environment\'s url', () => {
    const problems = problemsOf(() => loadConfig(file(minimal.replace('http://127.0.0.1:4000', 'https://tsadmin:hunter2@ts.example.com')), { env: { TS_DEV_PASSWORD: 'x' } }));
    expect(problems).toEqual([expect.stringMatching(/^environments\.dev\.url: holds credentials .*use username and password/)]);
  });
});

describe('configuration (issue 15, item 12)', () => {
  const env = { TS_DEV_PASSWORD: 'x' };

  it('refuses every branch name git refuses, naming the environment and the field', () => {
    for (const branch of ['-dev', 'HEAD', 'dev.lock', '.hidden', 'a/.b', 'a..b', 'a b', 'a~1', 'a^', 'a:b', 'a?', 'a*', 'a[b', 'a\\\\b', 'a@{1}', '@', '/a', 'a/', 'a//b', 'a.', 'a/b.lock/c']) {
      const problems = problemsOf(() => loadConfig(file(minimal.replace('branch: dev', `branch: "${branch}"`)), { env }));
      expect(problems, branch).toEqual([expect.stringMatching(/^environments\.dev\.branch: ".*" is not a valid git branch name: it /)]);
    }
  });

  it('takes the branch names git takes', () => {
    for (const branch of ['dev', 'release/2026-01', 'feature/a.b', 'tml_prod', 'UPPER', 'dé']) {
      expect(loadConfig(file(minimal.replace('branch: dev', `branch: "${branch}"`)), { env }).environments[0]!.branch).toBe(branch);
    }
  });

  it('refuses an environment named HEAD without a branch, since the name is the default branch', () => {
    const text = minimal.replace('  dev:\n', '  HEAD:\n').replace('    branch: dev\n', '');
    expect(problemsOf(() => loadConfig(file(text), { env }))).toEqual([expect.stringMatching(/^environments\.HEAD: the branch defaults to the environment's name, and "HEAD" is not a valid git branch name.*set branch:$/)]);
  });

  it('reports a value of the wrong type as a type error, not as missing', () => {
    const text = `${minimal}    prune: "yes"\n    maxDeletions: ten\n    rateLimit: [1]\n`;
    expect(problemsOf(() => loadConfig(file(text), { env })).sort()).toEqual([
      'environments.dev.maxDeletions: expected a number, got a string',
      'environments.dev.prune: expected a boolean, got a string',
      'environments.dev.rateLimit: expected an object, got a list',
    ]);
    expect(problemsOf(() => loadConfig(file(minimal.replace('    username: tsadmin\n', '    username: 12\n')), { env }))).toEqual(['environments.dev.username: expected a string, got a number']);
    expect(problemsOf(() => loadConfig(file('environments:\n  dev: {url: "http://127.0.0.1:4000", username: a, password: b}\n'), { env }))).toEqual(['repository: is required']);
  });
});

describe('parse limits (issue 15, item 3)', () => {
  it('refuses a configuration that is an alias bomb, naming the file and the limit', () => {
    let bomb = `${minimal}x0: &x0 [a, a, a, a, a, a, a, a, a, a]\n`;
    for (let level = 1; level <= 8; level += 1) bomb += `x${level}: &x${level} [${Array(10).fill(`*x${level - 1}`).join(', ')}]\n`;
    const path = file(bomb);
    try {
      loadConfig(path, { env: {} });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message).toMatch(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: a problem in the configuration:\\n  - refused \\(line \\d+\\): the document expands to more than 2,000,000 values`));
    }
  });
});

describe('the REST API of an environment (issue 12)', () => {
  const env = { env: { TS_DEV_PASSWORD: 's' }, isTracked: () => true };

  it('is auto unless set, and takes v1 or v2', () => {
    expect(loadConfig(file(minimal), env).environments[0]!.api).toBe('auto');
    expect(loadConfig(file(`${minimal}    api: auto\n`), env).environments[0]!.api).toBe('auto');
    expect(loadConfig(file(`${minimal}    api: v1\n`), env).environments[0]!.api).toBe('v1');
    expect(loadConfig(file(`${minimal}    api: v2\n`), env).environments[0]!.api).toBe('v2');
  });

  it('refuses any other value, naming the field', () => {
    const problems = problemsOf(() => loadConfig(file(`${minimal}    api: v3\n`), env));
    expect(problems).toEqual([expect.stringMatching(/^environments\.dev\.api: .*v1.*v2.*auto/)]);
  });
});

describe('reconcile (issue 16)', () => {
  const env = { env: { TS_DEV_PASSWORD: 's' }, isTracked: () => true };

  it('lists everything hourly by default; the top level sets every environment\'s interval, an environment its own', () => {
    expect(loadConfig(file(minimal), env).environments[0]!.reconcile).toBe(3_600_000);
    expect(loadConfig(file(`reconcile: 15m\n${minimal}`), env).environments[0]!.reconcile).toBe(900_000);
    expect(loadConfig(file(`reconcile: 15m\n${minimal}    reconcile: 1d\n`), env).environments[0]!.reconcile).toBe(86_400_000);
  });

  it('refuses a duration without a unit', () => {
    expect(problemsOf(() => loadConfig(file(`${minimal}    reconcile: "60"\n`), env))).toEqual([
      'environments.dev.reconcile: must be a number and a unit: s, m, h or d (e.g. "1h")',
    ]);
  });
});
