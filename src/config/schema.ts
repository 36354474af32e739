import { Cron } from 'croner';
import { z } from 'zod';
import { branchNameProblem } from './branch-name.js';

/**
 * The configuration, declared once: every key with its type, default and
 * description. `config/example.yaml` shows them all; `loadConfig` reports
 * every problem at once with the path of the bad key.
 */

const cron = z.string().refine(
  (expr) => {
    try {
      new Cron(expr, { paused: true }).stop();
      return true;
    } catch {
      return false;
    }
  },
  { message: 'is not a valid cron expression (5 fields, e.g. "*/10 * * * *")' },
);

const DURATION_UNITS_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** A duration as people write it ("90s", "15m", "1h", "1d"), in milliseconds. */
const duration = z
  .string()
  .regex(/^\d+[smhd]$/, 'must be a number and a unit: s, m, h or d (e.g. "1h")')
  .transform((text) => Number(text.slice(0, -1)) * DURATION_UNITS_MS[text.slice(-1) as keyof typeof DURATION_UNITS_MS]);

const nameMap = z.record(z.string().min(1), z.string().min(1));

const envVarName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name');
/** The kinds a deploy writes (connections belong to each environment and are never deployed). */
const DEPLOYED_KINDS = ['table', 'view', 'sql_view', 'worksheet', 'model', 'answer', 'liveboard'] as const;

/**
 * Who owns deployed objects, set with `user/transfer/ownership` after the
 * import: the first of `objects` (canonical or environment GUID), `paths`
 * (globs over repository paths, first match wins), `kinds`, `default`; the
 * importing user when none applies. Without the block, owners are left alone.
 */
const ownershipSchema = z.strictObject({
  default: z.string().min(1).optional(),
  kinds: z.partialRecord(z.enum(DEPLOYED_KINDS), z.string().min(1)).optional(),
  paths: nameMap.optional(),
  objects: nameMap.optional(),
});

/**
 * Data checks after a deploy: `pinboarddata` for every visualization of a
 * deployed liveboard; a search over each deployed worksheet or model, the
 * configured one (per object GUID, or per path glob) or `[first attribute]
 * [first measure]`.
 */
const dataChecksSchema = z.strictObject({
  enabled: z.boolean().default(true),
  searches: z.strictObject({ objects: nameMap.optional(), paths: nameMap.optional() }).optional(),
});

export const environmentSchema = z.strictObject({
  /** ThoughtSpot base URL, without `/callosum/...`. */
  url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
  username: z.string().min(1).optional(),
  /** Secret: must be a `${VAR}` reference in a tracked file. */
  password: z.string().optional(),
  /** Trusted authentication instead of a password (secret). */
  secretKey: z.string().optional(),
  /** Extra CA certificates (PEM) for a ThoughtSpot behind a private CA. */
  caFile: z.string().optional(),
  /**
   * The Org every call of a run works in: its name or numeric id (absent: the
   * user's default Org). Two environments may share a URL and differ by Org.
   */
  org: z
    .union([z.string().trim().min(1, 'must name an Org (its name or numeric id)'), z.number().int().min(0)])
    .transform((org) => String(org))
    .optional(),
  /** Git branch holding this environment's content; defaults to the environment's name. */
  branch: z
    .string()
    .superRefine((name, ctx) => {
      const problem = branchNameProblem(name);
      if (problem) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(name)} is not a valid git branch name: it ${problem}` });
    })
    .optional(),
  direction: z.enum(['export', 'deploy', 'sync']).default('export'),
  schedule: cron.default('*/10 * * * *'),
  /**
   * The REST API tmlsync speaks to this environment: v1 (`/callosum/v1/tspublic/v1/`), v2
   * (`/api/rest/2.0/`), or `auto`: v2, unless the instance has none (an older ThoughtSpot Software
   * release), then v1. Every workflow's suite runs over both versions (issue 12).
   */
  api: z.enum(['v1', 'v2', 'auto']).default('auto'),
  /** Per-call timeout. */
  timeoutMs: z.number().int().positive().default(60_000),
  /** How long the cluster keeps a session: tmlsync logs in again shortly before, not only after a 401. Unset: only after a 401. */
  sessionTtlMs: z.number().int().min(1000).optional(),
  /** `tmlsync rotate-password`: the variables holding the new password and, instead of `password`, the current one. */
  passwordRotation: z.strictObject({ newPasswordEnv: envVarName, currentPasswordEnv: envVarName.optional() }).optional(),
  rateLimit: z
    .strictObject({
      concurrency: z.number().int().positive().optional(),
      requestsPerSecond: z.number().positive().optional(),
    })
    .optional(),
  /** How a deploy imports: all of a batch or none of it (default), or whatever validates. */
  importPolicy: z.enum(['ALL_OR_NONE', 'PARTIAL']).default('ALL_OR_NONE'),
  /** Deploy deletes what left the repository: only objects tmlsync created, after a TML backup. Off by default. */
  prune: z.boolean().default(false),
  /** A deploy that would delete more objects than this deletes none and exits 2. */
  maxDeletions: z.number().int().positive().default(10),
  /** Value substitutions between the canonical TML in git and this environment. */
  mappings: z
    .strictObject({ connections: nameMap.optional(), databases: nameMap.optional(), schemas: nameMap.optional() })
    .optional(),
  ownership: ownershipSchema.optional(),
  dataChecks: dataChecksSchema.default({ enabled: true }),
  /**
   * Users, groups and group privileges as code: deploys apply
   * `principals/principals.yaml` here. Without this block the environment's
   * principals are left alone.
   */
  principals: z
    .strictObject({
      /** Remove users and groups that are absent from the file (built-in principals never). */
      prune: z.boolean().default(false),
      /** Secret: the first password of new local users. */
      initialPassword: z.string().optional(),
    })
    .optional(),
  /**
   * How often an export (or sync) lists everything, and so finds what was deleted in ThoughtSpot;
   * the runs in between list only what changed, newest first. "0s": every run lists everything.
   * Default: the top-level `reconcile`.
   */
  reconcile: duration.optional(),
  /** direction sync: what to do with an object changed in git and in ThoughtSpot since the last sync. */
  conflictPolicy: z.enum(['manual', 'git-wins', 'thoughtspot-wins']).default('manual'),
  /** direction sync: validate TML files in the working tree as they are saved (true), or in another folder (a path). */
  watch: z.union([z.boolean(), z.string().min(1)]).default(false),
  /**
   * A pipeline stage (issue 13, item 4): this environment deploys only the commit that the named
   * deploy environment last deployed successfully, never its own branch's head.
   */
  promoteFrom: z.string().min(1).optional(),
  /** A stage's promotion: `auto` (default) after each successful deploy of `promoteFrom`; `manual` only with `tmlsync promote`. */
  approval: z.enum(['auto', 'manual']).optional(),
}).superRefine((environment, ctx) => {
  if (environment.promoteFrom !== undefined && environment.direction !== 'deploy') {
    ctx.addIssue({ code: 'custom', path: ['promoteFrom'], message: 'a pipeline stage is deployed from git; promoteFrom is for deploy environments (direction: deploy)' });
  }
  if (environment.approval !== undefined && environment.promoteFrom === undefined) {
    ctx.addIssue({ code: 'custom', path: ['approval'], message: 'approval is for pipeline stages; set promoteFrom too' });
  }
  if (environment.direction === 'sync' && environment.mappings) {
    ctx.addIssue({ code: 'custom', path: ['mappings'], message: 'a sync environment keeps its own names in git; mappings apply to deploy environments' });
  }
  if (environment.direction !== 'deploy' && environment.principals) {
    ctx.addIssue({ code: 'custom', path: ['principals'], message: 'principals are applied by deploys; this block is for deploy environments (direction: deploy)' });
  }
  if (environment.direction !== 'sync' && environment.watch !== false) {
    ctx.addIssue({ code: 'custom', path: ['watch'], message: 'watching the working tree is for sync environments (direction: sync)' });
  }
});

/** What a notification is sent for (issue 17, item 5). */
export const NOTIFICATION_EVENTS = ['runFailed', 'newConflict', 'checkFailed', 'deploySucceeded'] as const;

/** One place to tell about runs: a Slack-compatible incoming webhook or a generic JSON webhook, with its own events. */
const notificationSchema = z.strictObject({
  /** Secret (a Slack webhook's URL is its token): must be a `${VAR}` reference in a tracked file. */
  webhookUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
  /** `slack`: `{ text, blocks }` for Slack (and the tools that take its format); `json`: the run's summary as JSON. */
  format: z.enum(['slack', 'json']),
  /** A failed run, a conflict not seen in the previous run, a failed data check; `deploySucceeded` (each deploy that changed something) only when listed. */
  events: z.array(z.enum(NOTIFICATION_EVENTS)).min(1).default(['runFailed', 'newConflict', 'checkFailed']),
});

export const configSchema = z.strictObject({
  repository: z.strictObject({
    /** Any git URL: a bare repository path, file://, git://, ssh://, https://. */
    url: z.string().min(1),
    /** Commits are made by this identity; the author is the ThoughtSpot user. */
    committer: z.strictObject({ name: z.string().min(1), email: z.string().min(3) }).default({ name: 'tmlsync', email: 'tmlsync@localhost' }),
    /** An SSH private key for ssh:// remotes (used through GIT_SSH_COMMAND). */
    sshKeyFile: z.string().optional(),
    /** The name of an environment variable holding an HTTPS token for https:// remotes. */
    tokenEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name').optional(),
  }),
  /** Working trees and caches; defaults under the OS cache directory. */
  workDir: z.string().optional(),
  server: z
    .strictObject({
      host: z.string().default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(8080),
      /** Secret shared with GitHub for webhook signatures. */
      webhookSecret: z.string().optional(),
      /** Secret bearer token of the trigger API. */
      apiToken: z.string().optional(),
      /**
       * Seconds an environment's lease holds (daemons on one configuration: one runs an
       * environment, the others stand by); renewed every third of it. Default 60.
       */
      leaseSeconds: z.number().int().min(5).max(3600).optional(),
    })
    .default({ host: '127.0.0.1', port: 8080 }),
  /** Every environment's interval between full listings, unless it sets its own. */
  reconcile: duration.prefault('1h'),
  /** Messages about runs (the daemon's); failing to send one is logged and never fails a run. */
  notifications: z.array(notificationSchema).optional(),
  environments: z.record(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'environment names are letters, digits, - and _'), environmentSchema).refine((envs) => Object.keys(envs).length > 0, {
    message: 'needs at least one environment',
  }),
});

export type TmlsyncConfig = z.infer<typeof configSchema>;
export type EnvironmentConfig = z.infer<typeof environmentSchema> & { name: string; branch: string };
export type NotificationConfig = z.infer<typeof notificationSchema>;
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];

