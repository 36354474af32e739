import type { EnvironmentConfig, LoadedConfig } from '../config/index.js';
import { InvalidInputError } from '../errors/index.js';
import type { WorkflowEnvironment } from '../sync/kernel/environment.js';

/** The account tmlsync signs in with when the configuration names none (the emulator's and ThoughtSpot's usual admin). */
const DEFAULT_USERNAME = 'tsadmin';

/** Who tmlsync is in an environment: the configured user, else the usual admin. */
export function signInName(environment: EnvironmentConfig): string {
  return environment.username ?? DEFAULT_USERNAME;
}

/** The environments a run acts on: the one named, or every one whose direction is `loop`. */
export function environmentsFor(config: LoadedConfig, name: string | undefined, loop: 'export' | 'deploy' | 'sync'): EnvironmentConfig[] {
  if (name) {
    const found = config.environments.find((e) => e.name === name);
    if (!found) throw new InvalidInputError(`--env ${name}: no such environment in ${config.file} (has ${config.environments.map((e) => e.name).join(', ')})`);
    return [found];
  }
  return config.environments.filter((e) => e.direction === loop);
}

/** One way only on a two-way environment would leave its ledgers out of step: such a run writes nothing or is refused. */
export function refuseOneWay(environments: EnvironmentConfig[], dryRun: boolean): void {
  const synced = environments.find((e) => e.direction === 'sync');
  if (synced && !dryRun) throw new InvalidInputError(`environment ${synced.name} is synced both ways (direction: sync): run tmlsync sync --env ${synced.name}`);
}

/**
 * The one shape every workflow takes an environment in (export, deploy, sync,
 * plan, drift), CLI and daemon alike: each reads what it needs of it.
 */
export function workflowEnvironment(environment: EnvironmentConfig): WorkflowEnvironment {
  const { name, branch, reconcile, importPolicy, prune, maxDeletions, mappings, principals, ownership, dataChecks, conflictPolicy } = environment;
  return {
    name,
    branch,
    ...(reconcile !== undefined ? { reconcileMs: reconcile } : {}),
    policy: importPolicy,
    ...(prune ? { prune: { maxDeletions } } : {}),
    // The schema refuses mappings on a sync environment: it keeps its own names in git.
    ...(mappings ? { mappings } : {}),
    ...(principals ? { principals } : {}),
    // Without an `ownership` block owners are left as ThoughtSpot sets them; with one, the importing user is the default owner.
    ...(ownership ? { ownership: { ...ownership, importer: signInName(environment) } } : {}),
    dataChecks: { enabled: dataChecks?.enabled ?? true, ...(dataChecks?.searches ? { searches: dataChecks.searches } : {}) },
    conflicts: conflictPolicy,
    ...(environment.promoteFrom ? { stage: { promoteFrom: environment.promoteFrom, approval: environment.approval ?? 'auto' } } : {}),
  };
}
