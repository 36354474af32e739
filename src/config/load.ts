import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { load } from 'js-yaml';
import type { z } from 'zod';
import { InvalidInputError } from '../errors/index.js';
import { interpolate, isOnlyReferences } from './interpolate.js';
import { configSchema, SECRET_FIELDS, type EnvironmentConfig, type TmlsyncConfig } from './schema.js';

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
    raw = load(text, { filename: file });
  } catch (error) {
    const mark = (error as { mark?: { line: number } }).mark;
    throw new ConfigError(file, [{ path: '', message: `not valid YAML${mark ? ` (line ${mark.line + 1})` : ''}: ${(error as { reason?: string }).reason ?? String(error)}` }]);
  }

  const problems: ConfigProblem[] = [];
  const tracked = options.isTracked?.(file) ?? false;
  const resolved = walk(raw, [], (value, path) => {
    const key = String(path.at(-1) ?? '');
    if (SECRET_FIELDS.has(key) && value !== '' && !isOnlyReferences(value) && tracked) {
      problems.push({ path: path.join('.'), message: 'a literal secret in a file tracked by git; use an environment variable reference such as ${TS_PASSWORD}' });
    }
    const { value: out, missing } = interpolate(value, env);
    for (const name of missing) problems.push({ path: path.join('.'), message: `environment variable ${name} is not set (use \${${name}:-default} for a default)` });
    return out;
  });

  const parsed = configSchema.safeParse(resolved);
  if (!parsed.success) problems.push(...parsed.error.issues.map(toProblem));
  if (problems.length > 0 || !parsed.success) throw new ConfigError(file, problems);

  const config = parsed.data;
  const environments = Object.entries(config.environments).map(([name, e]): EnvironmentConfig => ({ ...e, name, branch: e.branch ?? name }));
  for (const e of environments) {
    if (!e.secretKey && !(e.username && e.password)) {
      problems.push({ path: `environments.${e.name}`, message: 'needs username and password, or username and secretKey (trusted authentication)' });
    }
  }
  const branches = new Map<string, string>();
  for (const e of environments) {
    const other = branches.get(e.branch);
    if (other) problems.push({ path: `environments.${e.name}.branch`, message: `branch ${e.branch} is already the branch of environment ${other}` });
    branches.set(e.branch, e.name);
  }
  if (problems.length > 0) throw new ConfigError(file, problems);
  return { ...config, file: resolve(file), workDir: resolve(config.workDir ?? defaultWorkDir(env)), environments };
}

function toProblem(issue: z.core.$ZodIssue): ConfigProblem {
  const path = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    return { path, message: `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}` };
  }
  if (issue.code === 'invalid_type' && issue.input === undefined) return { path, message: 'is required' };
  return { path, message: issue.message };
}

function walk(value: unknown, path: (string | number)[], onString: (value: string, path: (string | number)[]) => string): unknown {
  if (typeof value === 'string') return onString(value, path);
  if (Array.isArray(value)) return value.map((item, i) => walk(item, [...path, i], onString));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, [...path, k], onString)]));
  }
  return value;
}
