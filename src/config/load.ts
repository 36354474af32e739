import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { z } from 'zod';
import { InvalidInputError } from '../errors/index.js';
import { parseYaml, TmlParseError, yamlProblem } from '../tml/index.js';
import { branchNameProblem } from './branch-name.js';
import { literalSecretProblem, SECRET_FIELDS, urlCredentialsProblem, urlHoldsCredentials } from './credentials.js';
import { interpolate } from './interpolate.js';
import { pipelineProblems } from './pipeline.js';
import { configSchema, type EnvironmentConfig, type TmlsyncConfig } from './schema.js';

export interface ConfigProblem {
  /** Dotted path of the key, e.g. `environments.dev.password`. */
  path: string;
  message: string;
}

/** Every problem of a configuration file at once; the CLI exits 2 on it. */
export class ConfigError extends InvalidInputError {
  override readonly name = 'ConfigError';
  constructor(
    readonly file: string,
    readonly problems: ConfigProblem[],
  ) {
    super(`${file}: ${problems.length === 1 ? 'a problem' : `${problems.length} problems`} in the configuration:\n${problems.map((p) => `  - ${p.path ? `${p.path}: ` : ''}${p.message}`).join('\n')}`);
  }
}

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  /** Whether the file is tracked by git; a literal secret is refused in a tracked file. */
  isTracked?: (file: string) => boolean;
  /**
   * The environments the command acts on (absent: every one). A variable that only another
   * environment's block references need not be set: a workflow holds the secrets of the
   * environment it runs, not of every environment in the file.
   */
  environments?: readonly string[];
}

export interface LoadedConfig extends Omit<TmlsyncConfig, 'environments' | 'workDir'> {
  file: string;
  workDir: string;
  environments: EnvironmentConfig[];
}

/** The default working directory: under the OS cache directory, never the current directory. */
export function defaultWorkDir(env: NodeJS.ProcessEnv): string {
  return join(env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache'), 'tmlsync');
}

/**
 * Reads, interpolates and validates a configuration file, collecting every
 * problem (renovate's `lib/config/validation.ts` approach) before failing.
 */
export function loadConfig(file: string, options: LoadOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(file, [{ path: '', message: `cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'})` }]);
  }
  let raw: unknown;
  try {
    // The same limits as TML (size, depth, aliases): a configuration may come from a repository too.
    raw = parseYaml(text, { file });
  } catch (error) {
    if (!(error instanceof TmlParseError)) throw error;
    throw new ConfigError(file, [{ path: '', message: yamlProblem(error) }]);
  }

  const problems: ConfigProblem[] = [];
  const tracked = options.isTracked?.(file) ?? false;
  // Environments left unresolved: not acted on, with a variable unset. Only what reads the variables is skipped for them.
  const unresolved = new Set<string>();
  const resolved = walk(raw, [], (value, path) => {
    // Whatever the command: a literal in a tracked file is in git's history, used or not.
    const secret = tracked && SECRET_FIELDS.has(String(path.at(-1) ?? '')) ? literalSecretProblem(value, environmentUrlOf(raw, path)) : undefined;
    if (secret) problems.push({ path: path.join('.'), message: secret });
    const { value: out, missing } = interpolate(value, env);
    const other = otherEnvironment(path, options.environments);
    if (other !== undefined && missing.length > 0) unresolved.add(other);
    else for (const name of missing) problems.push({ path: path.join('.'), message: `environment variable ${name} is not set (use \${${name}:-default} for a default)` });
    // Whether tracked or not, and after interpolation: a token in repository.url ends up in .git/config.
    if (isUrlField(path) && urlHoldsCredentials(out)) problems.push({ path: path.join('.'), message: urlCredentialsProblem(path) });
    return out;
  });

  // reportInput: a type error can then say what was given ("got a string"), not only what is expected.
  const parsed = configSchema.safeParse(resolved, { reportInput: true });
  if (!parsed.success) problems.push(...parsed.error.issues.map(toProblem));
  if (problems.length > 0 || !parsed.success) throw new ConfigError(file, problems);

  const config = parsed.data;
  const environments = Object.entries(config.environments).map(([name, e]): EnvironmentConfig => ({ ...e, name, branch: e.branch ?? name, reconcile: e.reconcile ?? config.reconcile }));
  for (const e of environments) {
    // An unset variable reads as empty: whether its credentials are complete is said when it is acted on.
    if (!unresolved.has(e.name) && !e.secretKey && !(e.username && e.password)) {
      problems.push({ path: `environments.${e.name}`, message: 'needs username and password, or username and secretKey (trusted authentication)' });
    }
  }
  for (const e of environments) {
    // An explicit branch is checked by the schema; the default one is the environment's name.
    const problem = config.environments[e.name]?.branch === undefined ? branchNameProblem(e.branch) : undefined;
    if (problem) problems.push({ path: `environments.${e.name}`, message: `the branch defaults to the environment's name, and ${JSON.stringify(e.branch)} is not a valid git branch name: it ${problem}; set branch:` });
  }
  const branches = new Map<string, string>();
  for (const e of environments) {
    const other = branches.get(e.branch);
    if (other) problems.push({ path: `environments.${e.name}.branch`, message: `branch ${e.branch} is already the branch of environment ${other}` });
    branches.set(e.branch, e.name);
  }
  problems.push(...pipelineProblems(environments));
  if (problems.length > 0) throw new ConfigError(file, problems);
  return { ...config, file: resolve(file), workDir: resolve(config.workDir ?? defaultWorkDir(env)), environments };
}

function toProblem(issue: z.core.$ZodIssue): ConfigProblem {
  const path = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    return { path, message: `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}` };
  }
  if (issue.code === 'invalid_type') return { path, message: issue.input === undefined ? 'is required' : `expected ${article(issue.expected)}, got ${typeOf(issue.input)}` };
  return { path, message: issue.message };
}

function article(type: string): string {
  return `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`;
}

/** What a YAML value is, in the words of a type error: a string, a number, a list, null. */
function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return article(typeof value);
}


/** The environment a value belongs to when the command does not act on it; undefined for shared sections and acted-on environments. */
function otherEnvironment(path: readonly (string | number)[], actedOn: readonly string[] | undefined): string | undefined {
  if (actedOn === undefined || path[0] !== 'environments' || path.length < 3) return undefined;
  const name = String(path[1]);
  return actedOn.includes(name) ? undefined : name;
}

/** The fields holding a URL that may carry credentials: the remote's and each environment's. */
function isUrlField(path: readonly (string | number)[]): boolean {
  return (path.length === 2 && path[0] === 'repository' && path[1] === 'url') || (path.length === 3 && path[0] === 'environments' && path[2] === 'url');
}

/** For an environment's `password`, the environment's `url` as written (the emulator's demo password may be its default). */
function environmentUrlOf(raw: unknown, path: readonly (string | number)[]): string | undefined {
  if (path.length !== 3 || path[0] !== 'environments' || path[2] !== 'password') return undefined;
  const environments = (raw as { environments?: Record<string, { url?: unknown } | undefined> }).environments;
  const url = environments?.[String(path[1])]?.url;
  return typeof url === 'string' ? url : undefined;
}

function walk(value: unknown, path: (string | number)[], onString: (value: string, path: (string | number)[]) => string): unknown {
  if (typeof value === 'string') return onString(value, path);
  if (Array.isArray(value)) return value.map((item, i) => walk(item, [...path, i], onString));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, [...path, k], onString)]));
  }
  return value;
}
