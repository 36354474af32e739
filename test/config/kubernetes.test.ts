// The manifests are untyped YAML, read through `any` to assert on their fields.
/* eslint-disable @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-explicit-any */
import { readFileSync, readdirSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAll } from 'js-yaml';
import { Deployment } from 'kubernetes-models/apps/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Secret, Service } from 'kubernetes-models/v1';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';

// config/kubernetes/ checked against Kubernetes' own OpenAPI schemas (kubernetes-models: the
// schemas compiled into the package, so the check needs no cluster and no network), and
// against tmlsync: the ConfigMap's configuration loads, and every secret it references is
// given to the container from the Secret.

const folder = fileURLToPath(new URL('../../config/kubernetes/', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'tmlsync-k8s-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

type Manifest = { apiVersion: string; kind: string; metadata: { name: string }; [key: string]: unknown };
const models: Record<string, new (data: never) => { validate(): void }> = {
  'apps/v1 Deployment': Deployment,
  'policy/v1 PodDisruptionBudget': PodDisruptionBudget,
  'v1 ConfigMap': ConfigMap,
  'v1 Secret': Secret,
  'v1 Service': Service,
};

const manifests = readdirSync(folder)
  .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
  .flatMap((f) => (loadAll(readFileSync(join(folder, f), 'utf8')) as Manifest[]).map((m) => ({ file: f, manifest: m })));
const byKind = (kind: string) => manifests.find((m) => m.manifest.kind === kind)!.manifest as never as Record<string, any>;

function validate(manifest: Manifest): void {
  const Model = models[`${manifest.apiVersion} ${manifest.kind}`];
  if (!Model) throw new Error(`no schema for ${manifest.apiVersion} ${manifest.kind}`);
  new Model(manifest as never).validate();
}

describe('config/kubernetes', () => {
  it('holds a Deployment, a ConfigMap, a Secret, a Service and a PodDisruptionBudget, each valid against the Kubernetes schema', () => {
    expect(manifests.map((m) => m.manifest.kind).sort()).toEqual(['ConfigMap', 'Deployment', 'PodDisruptionBudget', 'Secret', 'Service']);
    for (const { file, manifest } of manifests) expect(() => validate(manifest), file).not.toThrow();
    const kustomization = loadAll(readFileSync(join(folder, 'kustomization.yaml'), 'utf8'))[0] as { resources: string[] };
    expect(kustomization.resources.sort()).toEqual([...new Set(manifests.map((m) => m.file))].sort());
  });

  it('is checked by a validator that refuses a wrong manifest', () => {
    const deployment = structuredClone(byKind('Deployment'));
    deployment.spec.replicas = 'two';
    expect(() => validate(deployment as Manifest)).toThrow(/replicas must be integer/);
    const pdb = structuredClone(byKind('PodDisruptionBudget'));
    delete pdb.spec.selector;
    pdb.spec.minAvailable = { half: true };
    expect(() => validate(pdb as Manifest)).toThrow();
  });

  it('runs two replicas, probes /healthz and scrapes /metrics on the port the configuration listens on', () => {
    const deployment = byKind('Deployment');
    const config = loadConfig(writeConfig(), { env: secretsEnv(), isTracked: () => true });
    expect(deployment.spec.replicas).toBe(2);
    const pod = deployment.spec.template;
    const container = pod.spec.containers[0];
    expect(config.server).toMatchObject({ host: '0.0.0.0', port: container.ports[0].containerPort });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(pod.metadata.annotations).toEqual({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(config.server.port), 'prometheus.io/path': '/metrics' });
    expect(container.volumeMounts.map((m: { mountPath: string }) => m.mountPath)).toContain(config.workDir);
    expect(byKind('PodDisruptionBudget').spec).toMatchObject({ minAvailable: 1, selector: deployment.spec.selector });
    expect(byKind('Service').spec.selector).toEqual(deployment.spec.selector.matchLabels);
  });

  it('gives every secret the configuration references from the Secret, by reference, and writes none into the ConfigMap', () => {
    const text: string = byKind('ConfigMap').data['config.yaml'];
    const referenced = [...text.matchAll(/\$\{([A-Z_][A-Z0-9_]*)\}/g)].map((m) => m[1]!);
    referenced.push(...[...text.matchAll(/tokenEnv: (\w+)/g)].map((m) => m[1]!));
    const env = byKind('Deployment').spec.template.spec.containers[0].env as { name: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
    const secret = byKind('Secret');
    for (const name of referenced) {
      const entry = env.find((e) => e.name === name);
      expect(entry?.valueFrom?.secretKeyRef, name).toEqual({ name: secret.metadata.name, key: name });
      expect(Object.keys(secret.stringData)).toContain(name);
    }
    expect(Object.values(secret.stringData).every((v) => v === '')).toBe(true);
    // The configuration passes tmlsync's check for literal secrets in a tracked file.
    expect(() => loadConfig(writeConfig(), { env: secretsEnv(), isTracked: () => true })).not.toThrow();
  });
});

function writeConfig(): string {
  const file = join(work, 'config.yaml');
  writeFileSync(file, byKind('ConfigMap').data['config.yaml']);
  return file;
}

function secretsEnv(): Record<string, string> {
  return Object.fromEntries(Object.keys(byKind('Secret').stringData).map((k) => [k, `value-of-${k}`]));
}
