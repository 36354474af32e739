import type { EnvironmentConfig } from './schema.js';

/**
 * The problems of the pipelines a configuration chains with `promoteFrom`
 * (issue 13, item 4), across environments (the schema checks each one alone):
 * the source exists, deploys (its deploy ledger records what passed), and no
 * chain comes back to where it started.
 */
export function pipelineProblems(environments: readonly EnvironmentConfig[]): { path: string; message: string }[] {
  const byName = new Map(environments.map((e) => [e.name, e]));
  const problems: { path: string; message: string }[] = [];
  for (const stage of environments) {
    if (stage.promoteFrom === undefined) continue;
    const path = `environments.${stage.name}.promoteFrom`;
    const source = byName.get(stage.promoteFrom);
    if (!source) problems.push({ path, message: `no environment ${stage.promoteFrom} to promote from (has ${[...byName.keys()].join(', ')})` });
    else if (source.direction !== 'deploy') problems.push({ path, message: `environment ${source.name} is not deployed (direction: ${source.direction}); a stage promotes what a deploy environment deployed` });
    const cycle = cycleFrom(stage, byName);
    if (cycle) problems.push({ path, message: `the pipeline comes back to ${stage.name}: ${cycle.join(' → ')}` });
  }
  return problems;
}

/** The chain of sources from `stage` back to itself, if it comes back (a promotes from b, b from a). */
function cycleFrom(stage: EnvironmentConfig, byName: ReadonlyMap<string, EnvironmentConfig>): string[] | undefined {
  const chain = [stage.name];
  let source = stage.promoteFrom === undefined ? undefined : byName.get(stage.promoteFrom);
  while (source) {
    chain.push(source.name);
    if (source.name === stage.name) return chain;
    if (chain.length > byName.size + 1) return undefined; // a loop that does not hold `stage`: reported from its own stages
    source = source.promoteFrom === undefined ? undefined : byName.get(source.promoteFrom);
  }
  return undefined;
}
