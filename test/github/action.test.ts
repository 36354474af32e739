import { readFileSync } from 'node:fs';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';

const read = (path: string) => load(readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8')) as Record<string, unknown>;

describe('the reusable GitHub action', () => {
  const action = read('.github/actions/tmlsync/action.yml') as { inputs: Record<string, unknown>; outputs: Record<string, unknown>; runs: { using: string; steps: { run?: string; shell?: string; env?: Record<string, string>; with?: Record<string, string> }[] } };

  it('is a composite action whose run steps all name a shell', () => {
    expect(action.runs.using).toBe('composite');
    for (const step of action.runs.steps.filter((s) => s.run)) expect(step.shell).toBe('bash');
  });

  it('declares every input it reads, and reads inputs only through the environment of its script', () => {
    const text = readFileSync(new URL('../../.github/actions/tmlsync/action.yml', import.meta.url), 'utf8');
    const used = new Set([...text.matchAll(/inputs\.([a-z-]+)/g)].map((m) => m[1]));
    expect([...used].sort()).toEqual(Object.keys(action.inputs).sort());
    for (const step of action.runs.steps.filter((s) => s.run)) expect(step.run).not.toContain('${{');
  });

  it('is what the example workflows call, with inputs it has', () => {
    for (const file of ['tmlsync-export.yml', 'tmlsync-pull-request.yml', 'tmlsync-deploy.yml', 'tmlsync-pipeline.yml']) {
      const workflow = read(`config/workflows/${file}`) as { jobs: Record<string, { steps: { uses?: string; with?: Record<string, string> }[] }> };
      const calls = Object.values(workflow.jobs).flatMap((j) => j.steps).filter((s) => s.uses?.includes('.github/actions/tmlsync'));
      expect(calls.length, file).toBeGreaterThan(0);
      for (const call of calls) for (const input of Object.keys(call.with ?? {})) expect(Object.keys(action.inputs), `${file}: ${input}`).toContain(input);
    }
  });
});
