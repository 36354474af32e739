import type { Logger } from '../../log/index.js';
import type { DataChecksPolicy } from '../deploy/checks.js';
import type { OwnershipPolicy } from '../deploy/ownership.js';
import type { StageSettings } from '../deploy/pipeline.js';
import type { PrincipalsSettings } from '../deploy/principals.js';
import type { ContentRepo, ThoughtSpotPort } from '../ports.js';

/** Who wins when one object changed in git and in ThoughtSpot since the last sync (a sync environment's `conflicts`). */
export type ConflictPolicy = 'manual' | 'git-wins' | 'thoughtspot-wins';

/**
 * One environment as every workflow sees it (export, deploy, sync, plan,
 * drift): built once from its configuration by the application layer
 * (`workflowEnvironment` in src/app/environments.ts). Each workflow reads the
 * settings it needs and ignores the others, so a sync can hand its
 * environment to the deploy and the export it runs as it is.
 *
 * How to reach ThoughtSpot (url, `api`, Org, credentials) is not here: the
 * application layer spends it on the port it connects (`connect()`), and a
 * workflow only ever sees the port.
 */
export interface WorkflowEnvironment {
  name: string;
  /** The git branch holding the environment's content. */
  branch: string;
  /** Export: interval between full listings (config `reconcile`); hourly without it. */
  reconcileMs?: number;
  /** Deploy: canonical names to the environment's own (connections, databases, schemas). */
  mappings?: { connections?: Record<string, string>; databases?: Record<string, string>; schemas?: Record<string, string> };
  /** Deploy: how ThoughtSpot imports a batch. */
  policy?: 'ALL_OR_NONE' | 'PARTIAL';
  /** Deploy: delete what left the repository, at most `maxDeletions` per run (see deploy/prune.ts); off when absent. */
  prune?: { maxDeletions: number };
  /** Deploy: users, groups and privileges from `principals/principals.yaml`; left alone without. */
  principals?: PrincipalsSettings;
  /** Deploy: who owns deployed objects; without it owners are left alone. */
  ownership?: OwnershipPolicy;
  /** Deploy: data checks after the import; off without it. */
  dataChecks?: DataChecksPolicy;
  /** Sync: what to do with an object changed in git and in ThoughtSpot since the last sync; `manual` without it. */
  conflicts?: ConflictPolicy;
  /** Deploy: a pipeline stage (deploy/pipeline.ts) deploys the commit its source last deployed successfully, not its branch's head. */
  stage?: StageSettings;
}

/** What every workflow takes besides its own options: the environment, its two sides, and the run's context. */
export interface WorkflowOptions {
  environment: WorkflowEnvironment;
  thoughtspot: ThoughtSpotPort;
  repo: ContentRepo;
  log?: Logger;
  /** The run's id (the daemon's run record); a new one without. */
  runId?: string;
  /** Decide and report, write nothing. */
  dryRun?: boolean;
}
