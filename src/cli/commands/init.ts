import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { dump } from 'js-yaml';
import { environmentSchema } from '../../config/schema.js';
import { InvalidInputError } from '../../errors/index.js';
import type { CliIo } from '../io.js';
import type { ExitCode } from '../outcome.js';
import type { CommandContext } from '../context.js';

export interface InitOptions {
  dir: string;
  remote?: string;
  environment?: string[];
  github?: boolean;
  force?: boolean;
}

/** One environment as `init` asks for it (flags or questions). */
interface Answers {
  name: string;
  url: string;
  user: string;
  direction: string;
  branch?: string;
  org?: string;
  api?: string;
  auth: 'password' | 'trusted';
}

const SPEC_KEYS = ['name', 'url', 'user', 'org', 'direction', 'branch', 'api', 'auth'] as const;

/** The example workflows, shipped in the package (`files: config`): copied, never rewritten in code. */
const WORKFLOWS = new URL('../../../config/workflows/', import.meta.url);

/**
 * `tmlsync init`: a starter `tmlsync.yaml` for a content repository (and with
 * `--github` the three example workflows, which run the composite action),
 * from `--environment` flags or, on a terminal, from questions. Secrets are
 * `${VAR}` references, never values. No file is overwritten without
 * `--force`, and nothing is written if one would be.
 */
export async function initCommand(options: InitOptions, _args: string[], context: CommandContext): Promise<ExitCode> {
  const interactive = !options.environment?.length && context.io.stdin?.isTTY === true;
  const answers = interactive ? await askAll(context.io, options.remote) : { remote: options.remote, environments: (options.environment ?? []).map(parseSpec) };
  if (!answers.remote) throw new InvalidInputError('--remote is required: the git URL of the content repository (or run tmlsync init on a terminal to be asked)');
  if (answers.environments.length === 0) throw new InvalidInputError('--environment is required: e.g. --environment name=dev,url=https://my.thoughtspot.cloud,user=svc-tmlsync,direction=export');
  refuseRepeatedNames(answers.environments);
  const files = new Map<string, string>([[join(resolve(options.dir), 'tmlsync.yaml'), configText(answers.remote, answers.environments)]]);
  const workflows = options.github ? workflowFiles(answers.environments) : { files: [], skipped: [] };
  for (const [name, text] of workflows.files) files.set(join(resolve(options.dir), '.github', 'workflows', name), text);
  const existing = [...files.keys()].filter((file) => existsSync(file));
  if (existing.length > 0 && !options.force) throw new InvalidInputError(`${existing[0]} exists; tmlsync init overwrites nothing without --force`);
  for (const [file, text] of files) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  context.io.stdout.write(nextSteps([...files.keys()], workflows.skipped, answers.environments));
  return 0;
}

/** `name=dev,url=https://…,user=svc,direction=export`: one environment of `--environment`. */
function parseSpec(spec: string): Answers {
  const fields: Record<string, string> = {};
  for (const part of spec.split(',')) {
    const at = part.indexOf('=');
    const key = part.slice(0, at).trim();
    if (at < 1 || !(SPEC_KEYS as readonly string[]).includes(key)) throw new InvalidInputError(`--environment ${spec}: '${part}' is not one of ${SPEC_KEYS.map((k) => `${k}=`).join(', ')}`);
    fields[key] = part.slice(at + 1).trim();
  }
  for (const key of ['name', 'url', 'user'] as const) if (!fields[key]) throw new InvalidInputError(`--environment ${spec}: ${key}= is required`);
  if (fields.auth && fields.auth !== 'password' && fields.auth !== 'trusted') throw new InvalidInputError(`--environment ${spec}: auth= is password or trusted`);
  return {
    name: fields.name!, url: fields.url!, user: fields.user!, direction: fields.direction || 'export', auth: fields.auth === 'trusted' ? 'trusted' : 'password',
    ...(fields.branch ? { branch: fields.branch } : {}), ...(fields.org ? { org: fields.org } : {}), ...(fields.api ? { api: fields.api } : {}),
  };
}

/** The configuration is a mapping by name: a second environment of one name would replace the first, unsaid. */
function refuseRepeatedNames(environments: Answers[]): void {
  const seen = new Set<string>();
  for (const { name } of environments) {
    if (seen.has(name)) throw new InvalidInputError(`environment ${name} given twice`);
    seen.add(name);
  }
}

/** `TS_DEV_PASSWORD`: the variable holding an environment's secret, as the example workflows name it. */
export function secretVariable(environment: string, auth: Answers['auth']): string {
  return `TS_${environment.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_${auth === 'trusted' ? 'SECRET_KEY' : 'PASSWORD'}`;
}

/** The configuration text, checked against the schema before anything is written. */
function configText(remote: string, environments: Answers[]): string {
  const entries = environments.map((a) => {
    const environment = {
      url: a.url,
      username: a.user,
      [a.auth === 'trusted' ? 'secretKey' : 'password']: `\${${secretVariable(a.name, a.auth)}}`,
      direction: a.direction,
      ...(a.branch ? { branch: a.branch } : {}),
      ...(a.org ? { org: a.org } : {}),
      ...(a.api ? { api: a.api } : {}),
    };
    const parsed = environmentSchema.safeParse(environment);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new InvalidInputError(`environment ${a.name}: ${issue.path.join('.') || 'value'}: ${issue.message}`);
    }
    return [a.name, environment] as const;
  });
  const header = [
    '# tmlsync configuration, written by `tmlsync init`. Reference: the README of tmlsync.',
    '# Secrets are ${VAR} references: set the variables where tmlsync runs (CI secrets), never here.',
    '',
  ];
  return `${header.join('\n')}${dump({ repository: { url: remote }, environments: Object.fromEntries(entries) }, { lineWidth: 120 })}`;
}

/**
 * The three workflows `init --github` writes (README, "GitHub Actions"), each for the environment
 * it runs: in the example `dev` or `prod`, here the first of the configuration with that direction.
 * Named one by one: `config/workflows/` holds other examples (the pipeline's), which fit only the
 * configuration they were written with.
 */
const INIT_WORKFLOWS = [
  { file: 'tmlsync-export.yml', example: 'dev', direction: 'export' },
  { file: 'tmlsync-pull-request.yml', example: 'prod', direction: 'deploy' },
  { file: 'tmlsync-deploy.yml', example: 'prod', direction: 'deploy' },
] as const;

/** A workflow with no environment of its direction to run: not written, and said why. */
interface SkippedWorkflow {
  file: string;
  direction: string;
}

/** The workflows that fit the environments, renamed to them, and those none fits. */
function workflowFiles(environments: Answers[]): { files: [string, string][]; skipped: SkippedWorkflow[] } {
  const files: [string, string][] = [];
  const skipped: SkippedWorkflow[] = [];
  for (const { file, example, direction } of INIT_WORKFLOWS) {
    const environment = environments.find((e) => e.direction === direction);
    if (environment) files.push([file, renamed(readFileSync(new URL(file, WORKFLOWS), 'utf8'), example, environment)]);
    else skipped.push({ file, direction });
  }
  return { files, skipped };
}

/**
 * The example's environment, its secret and (for plan and deploy, which run on the branch the
 * environment deploys) its `main` branch, as this configuration names them.
 */
function renamed(text: string, example: string, environment: Answers): string {
  const out = text.replace(new RegExp(`^(\\s+environment: )${example}$`, 'gm'), `$1${environment.name}`).replaceAll(secretVariable(example, 'password'), secretVariable(environment.name, environment.auth));
  return environment.direction === 'deploy' ? out.replace(/^(\s+branches: )\[main\]$/gm, `$1[${environment.branch ?? environment.name}]`) : out;
}

function nextSteps(files: string[], skipped: SkippedWorkflow[], environments: Answers[]): string {
  return [
    ...files.map((f) => `wrote ${f}`),
    ...skipped.map((w) => `not written: ${w.file}, which runs an environment with direction=${w.direction}, and none has it`),
    'Next:',
    `  export ${environments.map((e) => `${secretVariable(e.name, e.auth)}=…`).join(' ')}`,
    '  tmlsync doctor --config tmlsync.yaml',
    `  tmlsync export --config tmlsync.yaml --env ${environments.find((e) => e.direction !== 'deploy')?.name ?? environments[0]!.name}`,
    '',
  ].join('\n');
}

/** The questions on a terminal: the remote, then environments until the answer is no. */
async function askAll(io: CliIo, remote: string | undefined): Promise<{ remote: string; environments: Answers[] }> {
  const rl = createInterface({ input: io.stdin!, terminal: false });
  // Lines read through one iterator: none is lost between two questions (rl.question drops lines typed ahead).
  const lines = rl[Symbol.asyncIterator]();
  const ask = async (question: string, fallback = ''): Promise<string> => {
    io.stderr.write(`${question}${fallback ? ` [${fallback}]` : ''}: `);
    const next = await lines.next();
    return (next.done ? '' : String(next.value).trim()) || fallback;
  };
  try {
    const url = remote ?? (await ask('git URL of the content repository'));
    const environments: Answers[] = [];
    do {
      const name = await ask('environment name', environments.length === 0 ? 'dev' : 'prod');
      const direction = await ask('direction (export, deploy, sync)', environments.length === 0 ? 'export' : 'deploy');
      environments.push({
        name, url: await ask('ThoughtSpot URL'), user: await ask('user', 'tsadmin'), direction,
        auth: (await ask('login with password or trusted (authentication)', 'password')) === 'trusted' ? 'trusted' : 'password',
        ...optional('org', await ask('Org (empty: the user\'s default)')), ...optional('branch', await ask('git branch', name)), ...optional('api', await ask('REST API (v1, v2, auto)', 'auto')),
      });
    } while ((await ask('another environment? (y/n)', 'n')).toLowerCase().startsWith('y'));
    return { remote: url, environments };
  } finally {
    rl.close();
  }
}

const optional = <K extends string>(key: K, value: string): Partial<Record<K, string>> => (value ? ({ [key]: value } as Record<K, string>) : {});
