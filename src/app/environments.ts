import type { EnvironmentConfig, LoadedConfig } from '../config/index.js';
import { InvalidInputError } from '../errors/index.js';
import type { DeployEnvironment } from '../sync/deploy/deploy.js';
import type { SyncEnvironment } from '../sync/sync/sync.js';

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

/** What the deploy loop (and `plan`) needs of an environment's configuration, CLI and daemon alike. */
export function deployEnvironment(environment: EnvironmentConfig): DeployEnvironment {
  const { name, branch, importPolicy, prune, maxDeletions, mappings, principals, ownership, dataChecks } = environment;
  return {
    name,
    branch,
    policy: importPolicy,
    ...(prune ? { prune: { maxDeletions } } : {}),
    ...(mappings ? { mappings } : {}),
    ...(principals ? { principals } : {}),
    // Without an `ownership` block owners are left as ThoughtSpot sets them; with one, the importing user is the default owner.
    ...(ownership ? { ownership: { ...ownership, importer: signInName(environment) } } : {}),
    dataChecks: { enabled: dataChecks?.enabled ?? true, ...(dataChecks?.searches ? { searches: dataChecks.searches } : {}) },
    ...(environment.promoteFrom ? { stage: { promoteFrom: environment.promoteFrom, approval: environment.approval ?? 'auto' } } : {}),
  };
}

/** What a sync run needs: the deploy side's settings (a sync environment has no mappings) and the conflict policy. */
export function syncEnvironment(environment: EnvironmentConfig): SyncEnvironment {
  const { mappings: _none, ...deploy } = deployEnvironment(environment);
  return { ...deploy, conflicts: environment.conflictPolicy };
}
