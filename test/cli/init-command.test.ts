import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, type CliIo } from '../../src/cli/index.js';
import { loadConfig } from '../../src/config/index.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { cli } from '../support/cli.js';

const work = mkdtempSync(join(tmpdir(), 'tmlsync-init-'));
let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator.close();
  rmSync(work, { recursive: true, force: true });
});

let count = 0;
/** A content repository folder and an empty bare remote for it. */
function fresh() {
  count += 1;
  const remote = join(work, `remote-${count}.git`);
  execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', remote]);
  return { dir: join(work, `content-${count}`), remote, env: { TS_DEV_PASSWORD: 'admin', XDG_CACHE_HOME: join(work, `cache-${count}`) } };
}

const workflows = new URL('../../config/workflows/', import.meta.url);
/** What README's "GitHub Actions" names, and `init --github` writes. */
const THREE_WORKFLOWS = ['tmlsync-deploy.yml', 'tmlsync-export.yml', 'tmlsync-pull-request.yml'];

interface Workflow {
  on: { push?: { branches: string[] }; pull_request?: { branches: string[] } };
  jobs: Record<string, { steps: { uses?: string; with?: { command?: string; environment?: string }; env?: Record<string, string> }[] }>;
}

/** Each tmlsync step of a workflow: the environment it runs, and the TS_ secrets it passes. */
function tmlsyncSteps(file: string): { command: string; environment: string; secrets: string[] }[] {
  const workflow = load(readFileSync(file, 'utf8')) as Workflow;
  return Object.values(workflow.jobs).flatMap((job) =>
    job.steps.filter((step) => step.uses?.includes('/actions/tmlsync')).map((step) => ({ command: step.with!.command!, environment: step.with!.environment!, secrets: Object.keys(step.env ?? {}).filter((k) => k.startsWith('TS_')) })),
  );
}

describe.each(['v1', 'v2'])('tmlsync init, doctor, export over API %s', (api) => {
  it('writes a configuration that doctor passes and export runs with', async () => {
    const { dir, remote, env } = fresh();
    const init = await cli(['init', '--dir', dir, '--remote', remote, '--environment', `name=dev,url=${emulator.url},user=tsadmin,direction=export,api=${api}`], env);
    expect(init.code).toBe(0);
    const text = readFileSync(join(dir, 'tmlsync.yaml'), 'utf8');
    expect(text).toContain('password: ${TS_DEV_PASSWORD}');
    expect(text).not.toMatch(/: admin$/m);
    expect(loadConfig(join(dir, 'tmlsync.yaml'), { env }).environments[0]).toMatchObject({ name: 'dev', api, direction: 'export', password: 'admin' });

    const doctor = await cli(['doctor', '--config', join(dir, 'tmlsync.yaml')], env);
    expect(doctor.stdout).toContain('Ready: every needed check passed.');
    expect(doctor.code).toBe(0);

    const exported = await cli(['export', '--config', join(dir, 'tmlsync.yaml'), '--env', 'dev'], env);
    expect(exported.code).toBe(0);
    const files = execFileSync('git', ['-C', remote, 'ls-tree', '-r', '--name-only', 'dev'], { encoding: 'utf8' });
    expect(files).toMatch(/^tml\/liveboard\/.+\.liveboard\.tml$/m);
  });
});

describe('the configuration of tmlsync init with the workflows\' secrets', () => {
  it('runs a command on one environment with that environment\'s variable alone, and one on every environment needs all', async () => {
    const { dir, remote, env } = fresh();
    const environments = ['--environment', `name=dev,url=${emulator.url},user=tsadmin,direction=export`, '--environment', `name=prod,url=${emulator.url},user=tsadmin,direction=deploy,branch=main`];
    expect((await cli(['init', '--dir', dir, '--remote', remote, '--github', ...environments], env)).code).toBe(0);
    const config = join(dir, 'tmlsync.yaml');
    const exported = await cli(['export', '--config', config, '--env', 'dev'], env);
    expect(exported.stderr).not.toContain('is not set');
    expect(exported.code).toBe(0);
    const prodOnly = { ...env, TS_DEV_PASSWORD: undefined, TS_PROD_PASSWORD: 'admin' };
    const doctorProd = await cli(['doctor', '--config', config, '--env', 'prod'], prodOnly);
    expect(doctorProd.stdout).toContain('[ok]   configuration: valid; environments dev, prod');
    const doctorAll = await cli(['doctor', '--config', config], env);
    expect(doctorAll.code).toBe(2);
    expect(doctorAll.stdout).toContain('environments.prod.password: environment variable TS_PROD_PASSWORD is not set');
  });
});

describe('tmlsync init', () => {
  it('with --github, copies the three example workflows, renamed to the configured environments and secrets', async () => {
    const { dir, remote, env } = fresh();
    const result = await cli(['init', '--dir', dir, '--remote', remote, '--github', '--environment', `name=stage,url=${emulator.url},user=svc`, '--environment', `name=live,url=${emulator.url},user=svc,direction=deploy,auth=trusted`], env);
    expect(result.code).toBe(0);
    const written = readdirSync(join(dir, '.github', 'workflows')).sort();
    expect(written).toEqual(THREE_WORKFLOWS);
    const exportFlow = readFileSync(join(dir, '.github', 'workflows', 'tmlsync-export.yml'), 'utf8');
    const original = readFileSync(new URL('tmlsync-export.yml', workflows), 'utf8');
    expect(exportFlow).toBe(original.replace(/^(\s+environment: )dev$/m, '$1stage').replaceAll('TS_DEV_PASSWORD', 'TS_STAGE_PASSWORD'));
    const deployFlow = readFileSync(join(dir, '.github', 'workflows', 'tmlsync-deploy.yml'), 'utf8');
    expect(deployFlow).toContain('environment: live\n');
    expect(deployFlow).toContain('TS_LIVE_SECRET_KEY: ${{ secrets.TS_LIVE_SECRET_KEY }}');
    expect(deployFlow).toContain('uses: acme/tmlsync/.github/actions/tmlsync@v1');
    expect(readFileSync(join(dir, 'tmlsync.yaml'), 'utf8')).toContain('secretKey: ${TS_LIVE_SECRET_KEY}');
  });

  it.each([
    ['README\'s', ['name=dev,direction=export', 'name=prod,direction=deploy,branch=main']],
    ['other', ['name=qa,direction=sync', 'name=stage,direction=export', 'name=live,direction=deploy,auth=trusted', 'name=prod,direction=deploy']],
  ])('with --github and %s environments, writes only the three workflows, each running a configured environment of its direction with that environment\'s secret', async (_, specs) => {
    const { dir, remote, env } = fresh();
    const result = await cli(['init', '--dir', dir, '--remote', remote, '--github', ...specs.flatMap((spec) => ['--environment', `${spec},url=${emulator.url},user=svc`])], env);
    expect(result.code).toBe(0);
    expect(readdirSync(join(dir, '.github', 'workflows')).sort()).toEqual(THREE_WORKFLOWS);
    const config = loadConfig(join(dir, 'tmlsync.yaml'), { env: { TS_DEV_PASSWORD: 'x', TS_PROD_PASSWORD: 'x', TS_QA_PASSWORD: 'x', TS_STAGE_PASSWORD: 'x', TS_LIVE_SECRET_KEY: 'x' } });
    const secretOf = (name: string) => readFileSync(join(dir, 'tmlsync.yaml'), 'utf8').match(new RegExp(`^  ${name}:\\n(?:    .*\\n)*?    (?:password|secretKey): \\$\\{(\\w+)\\}$`, 'm'))![1];
    for (const [file, direction] of [['tmlsync-export.yml', 'export'], ['tmlsync-pull-request.yml', 'deploy'], ['tmlsync-deploy.yml', 'deploy']] as const) {
      const runs = config.environments.find((e) => e.direction === direction)!;
      const steps = tmlsyncSteps(join(dir, '.github', 'workflows', file));
      expect(steps.length).toBeGreaterThan(0);
      for (const step of steps) expect(step, file).toEqual({ command: step.command, environment: runs.name, secrets: [secretOf(runs.name)] });
      const workflow = load(readFileSync(join(dir, '.github', 'workflows', file), 'utf8')) as Workflow;
      // Plan on pull requests into, and deploy on pushes to, the branch the environment deploys.
      if (direction === 'deploy') expect((workflow.on.push ?? workflow.on.pull_request)!.branches).toEqual([runs.branch]);
    }
  });

  it('with --github and no deploy environment, writes the export workflow alone and says why not the others', async () => {
    const { dir, remote, env } = fresh();
    const result = await cli(['init', '--dir', dir, '--remote', remote, '--github', '--environment', `name=dev,url=${emulator.url},user=svc`], env);
    expect(result.code).toBe(0);
    expect(readdirSync(join(dir, '.github', 'workflows'))).toEqual(['tmlsync-export.yml']);
    expect(result.stdout).toContain('not written: tmlsync-pull-request.yml, which runs an environment with direction=deploy, and none has it\n');
    expect(result.stdout).toContain('not written: tmlsync-deploy.yml, which runs an environment with direction=deploy, and none has it\n');
  });

  it('refuses to overwrite a file without --force, naming it, and writes nothing', async () => {
    const { dir, remote, env } = fresh();
    const args = ['init', '--dir', dir, '--remote', remote, '--environment', `name=dev,url=${emulator.url},user=tsadmin`];
    expect((await cli(args, env)).code).toBe(0);
    writeFileSync(join(dir, 'tmlsync.yaml'), '# mine\n');
    const again = await cli([...args, '--github'], env);
    expect(again.code).toBe(2);
    expect(again.stderr).toBe(`error: ${join(dir, 'tmlsync.yaml')} exists; tmlsync init overwrites nothing without --force\n`);
    expect(readFileSync(join(dir, 'tmlsync.yaml'), 'utf8')).toBe('# mine\n');
    expect(() => readdirSync(join(dir, '.github'))).toThrow();
    expect((await cli([...args, '--force'], env)).code).toBe(0);
    expect(readFileSync(join(dir, 'tmlsync.yaml'), 'utf8')).toContain('${TS_DEV_PASSWORD}');
  });

  it('refuses an environment the configuration schema refuses, naming the field', async () => {
    const { dir, remote, env } = fresh();
    const result = await cli(['init', '--dir', dir, '--remote', remote, '--environment', `name=dev,url=${emulator.url},user=svc,direction=sideways`], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: environment dev: direction: /);
    const unknown = await cli(['init', '--dir', dir, '--remote', remote, '--environment', 'name=dev,password=hunter2'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("'password=hunter2' is not one of name=, url=");
  });

  it('refuses an environment name given twice, and writes nothing', async () => {
    const { dir, remote, env } = fresh();
    const result = await cli(['init', '--dir', dir, '--remote', remote, '--force', '--environment', `name=dev,url=${emulator.url},user=a`, '--environment', 'name=dev,url=http://h2,user=a'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('error: environment dev given twice\n');
    expect(() => readdirSync(dir)).toThrow();
  });

  it('asks for the remote and the environments on a terminal', async () => {
    const { dir, remote } = fresh();
    const answers = [remote, 'dev', 'export', emulator.url, 'svc-tmlsync', 'password', 'Sales', '', 'auto', 'y', 'prod', 'deploy', emulator.url, '', 'trusted', '', 'main', '', 'n'];
    const stdin = Object.assign(Readable.from([`${answers.join('\n')}\n`]), { isTTY: true });
    let stderr = '';
    const io: CliIo = { stdout: { write: () => true }, stderr: { write: (t: string) => (stderr += t) }, env: { PATH: process.env.PATH }, stdin };
    expect(await run(['--log-level', 'silent', 'init', '--dir', dir], io)).toBe(0);
    expect(stderr).toContain('git URL of the content repository: ');
    const config = loadConfig(join(dir, 'tmlsync.yaml'), { env: { TS_DEV_PASSWORD: 'x', TS_PROD_SECRET_KEY: 'y' } });
    expect(config.repository.url).toBe(remote);
    expect(config.environments.map(({ name, username, direction, branch, api, org }) => ({ name, username, direction, branch, api, org }))).toEqual([
      { name: 'dev', username: 'svc-tmlsync', direction: 'export', branch: 'dev', api: 'auto', org: 'Sales' },
      { name: 'prod', username: 'tsadmin', direction: 'deploy', branch: 'main', api: 'auto', org: undefined },
    ]);
  });
});
