import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { demoDocuments } from '../../src/emulator/seed/demo.js';
import type { EmulatorState } from '../../src/emulator/state.js';
import { GitRepo } from '../../src/git/index.js';
import type { RunRecord } from '../../src/sync/kernel/runs.js';
import { format, type TmlMap } from '../../src/tml/index.js';
import { clientOf, type ApiVersion } from '../support/api.js';
import { editInThoughtSpot, pushEdit } from '../support/edits.js';
import { startGitServer, type GitServer } from '../support/git-server.js';
import { exportLedgerIn } from '../support/ledger.js';
import { CLI_MAIN } from '../support/cli.js';
import { shardOf } from '../../src/sync/kernel/ledger.js';

// Issue 15, several replicas: three daemons (real processes, so that kill -9 is real) on one
// configuration of two sync environments, a person pushing and someone editing in ThoughtSpot
// meanwhile, and the lease holders killed halfway. In a file of its own: it takes over a minute.
// Every round appends to a description (the worksheet's in git, the model's in ThoughtSpot), so
// that any edit lost on the way, not only the last, is missing from the final text.
// Issue 12: one environment syncs over v1 (the Primary Org, branch dev-v1), the other over v2
// (an Org of its own holding the demo too, branch dev-v2), in the same daemons and the same 60 s:
// both versions for one window's time and three processes' start-up, not two of each.

const work = mkdtempSync(join(tmpdir(), 'tmlsync-replicas-'));
const committer = { name: 'Person', email: 'person@example.com' };
const LEASE_SECONDS = 20;
// The issue asks for 60 s of pushes and API edits, the holder killed halfway.
const ACTIVITY_MS = 60_000;
/**
 * A round of edits (a push and an API edit in each environment) every 4 s or so: two or three of
 * each side's edits for every run of the 10 s schedule. Every 2 s, the person's pushes were most of
 * this file's git processes (568 of 908, ten each: fetch, checkout, add, commit, push, the
 * server's) and the file the suite's costliest, for the same checks.
 */
const ROUND_PAUSE_MS = 3_500;
const SECOND_ORG = 'Second';

/** A sync environment of the configuration: its API version, name (= branch) and Org. */
interface Synced {
  api: ApiVersion;
  name: string;
  org?: string;
}
const SYNCED: readonly Synced[] = [
  { api: 'v1', name: 'dev-v1' },
  { api: 'v2', name: 'dev-v2', org: SECOND_ORG },
];

interface Replica {
  child: ChildProcess;
  workDir: string;
  exited: Promise<number | null>;
  log: string;
}

let emulator: RunningEmulator;
let server: GitServer;
let remote: string;
const replicas: Replica[] = [];

function startReplica(config: string, workDir: string): Replica {
  const child = spawn(process.execPath, [CLI_MAIN, 'daemon', '--config', config, '--log-level', 'info'], { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH, HOME: process.env.HOME } });
  const replica: Replica = { child, workDir, exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))), log: '' };
  child.stdout.on('data', (chunk: Buffer) => (replica.log += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (replica.log += chunk.toString()));
  return replica;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await what()) return true;
    await sleep(200);
  }
  return false;
}

/** Who holds the environment's lease in the remote now, if anyone. */
function leaseHolder(env: string): string | undefined {
  try {
    return (JSON.parse(execFileSync('git', ['show', `refs/tmlsync/${env}/lock:lock.json`], { cwd: server.pathOf('content'), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })) as { holder: string }).holder;
  } catch {
    return undefined;
  }
}

function runsOf(replica: Replica): RunRecord[] {
  const file = join(replica.workDir, 'runs.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { runs: RunRecord[] }).runs : [];
}

function gitShow(spec: string): string {
  return execFileSync('git', ['show', spec], { cwd: server.pathOf('content'), encoding: 'utf8' });
}

function fileOf(branch: string, guid: string): string {
  return execFileSync('git', ['ls-tree', '-r', '--name-only', branch], { cwd: server.pathOf('content'), encoding: 'utf8' }).split('\n').find((p) => p.includes(guid))!;
}

/** The Org an environment syncs, in the emulator. */
function stateOf(synced: Synced): EmulatorState {
  return synced.org ? emulator.instance.findOrg(synced.org)! : emulator.state;
}

/**
 * The GUID of the demo's one object of `kind` in the environment's Org (the second Org's copies have
 * GUIDs of their own: an import keeps a GUID only where no Org of the instance has it).
 */
function guidOf(e: Synced, kind: 'worksheet' | 'model'): string {
  return [...stateOf(e).objects.values()].find((o) => o.kind === kind)!.id;
}

/**
 * One configuration of both environments; only the work folder (each pod's own) differs. Each
 * replica tries each environment every 10 s, with a round of edits every 4 s or so
 * (`ROUND_PAUSE_MS`), and a standby try from the other replicas between runs. The file
 * was 12% of the whole suite's CPU. Every 5 s took 69.3 s of CPU against 49.5 s (user + sys of
 * `npx vitest run` of this file, one run each, side by side), and every 3 s a third more git
 * processes again (2,127 against 1,608), for the same checks.
 */
function configText(workDir: string): string {
  const environment = ({ api, name, org }: Synced) =>
    `  ${name}:\n    url: ${emulator.url}\n    username: tsadmin\n    password: \${P:-admin}\n    branch: ${name}\n    direction: sync\n    api: ${api}\n${org ? `    org: ${org}\n` : ''}    schedule: "*/10 * * * * *"\n`;
  return `repository:\n  url: ${remote}\nworkDir: ${workDir}\nserver:\n  port: 0\n  leaseSeconds: ${LEASE_SECONDS}\nenvironments:\n${SYNCED.map(environment).join('')}`;
}

beforeAll(async () => {
  emulator = await startEmulator({ orgs: [SECOND_ORG] });
  // The second Org holds the demo too, imported as any client would.
  await clientOf('v2', emulator.url, { org: SECOND_ORG }).importTml((demoDocuments() as TmlMap[]).map((d) => format(d)), { policy: 'ALL_OR_NONE', forceCreate: false, throwOnError: true });
  server = await startGitServer();
  remote = server.createRepo('content');
  for (const n of [1, 2, 3]) {
    const workDir = join(work, `replica-${n}`);
    const config = join(work, `replica-${n}.yaml`);
    writeFileSync(config, configText(workDir));
    replicas.push(startReplica(config, workDir));
  }
});

afterAll(async () => {
  for (const r of replicas) if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGKILL');
  await Promise.all(replicas.map((r) => r.exited));
  await emulator?.close();
  await server?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('three daemons on one configuration of two environments, one over v1 and one over v2 (issues 15 and 12)', () => {
  // It lost the last push one run in three (a sync's export re-read the branch after its deploy and
  // overwrote a push made in between: test/sync/sync-push-during-run.e2e.test.ts), and then, in CI, every
  // API edit after the kill (the killed run had pushed its export and recorded neither ledger, and
  // the object was a conflict on every later run: test/sync/sync-killed.e2e.test.ts). A sync now
  // publishes its commits and both ledgers in one atomic push.
  it('run each environment one at a time, survive the holders killed with kill -9, and lose nothing', async () => {
    // The first syncs have exported the content to both branches.
    expect(await until(() => SYNCED.every((e) => gitRefExists(e.name)), 180_000), replicas.map((r, i) => `${i}: ${r.log.slice(-1500)}`).join('\n')).toBe(true);
    const people = await Promise.all(SYNCED.map((e) => GitRepo.open(join(work, `person-${e.name}`), { remoteUrl: remote, committer })));
    const admins = SYNCED.map((e) => clientOf(e.api, emulator.url, e.org ? { org: e.org } : {}));
    const started = Date.now();
    let edits = 0;
    let killed: Killed | undefined;
    while (Date.now() - started < ACTIVITY_MS) {
      edits += 1;
      const round = edits;
      // In each environment, a person's addition to the worksheet's description, pushed (rebased on what the daemons committed meanwhile), and someone's to the model's, in ThoughtSpot.
      await Promise.all(SYNCED.map(async (e, i) => {
        await pushEdit(people[i]!, guidOf(e, 'worksheet'), (tml) => appended(tml, ` Pushed ${round}.`), committer, e.name);
        await editInThoughtSpot(admins[i]!, guidOf(e, 'model'), (tml) => appended(tml, ` Edited ${round}.`));
      }));
      if (!killed && Date.now() - started > ACTIVITY_MS / 2) killed = await killHolders();
      await sleep(ROUND_PAUSE_MS);
    }
    expect(killed).toBeDefined();

    // Every edit reaches the other side: ThoughtSpot's worksheet holds every push, git's model every API edit.
    const all = (word: string) => Array.from({ length: edits }, (_, i) => ` ${word} ${i + 1}.`).join('');
    const converged = await until(() => SYNCED.every((e) => worksheetInThoughtSpot(e).endsWith(`${all('Pushed')}`) && modelInGit(e).endsWith(`${all('Edited')}`)), 120_000);
    expect(converged, diagnosis(edits)).toBe(true);
    for (const e of SYNCED) expect(gitShow(`${e.name}:${fileOf(e.name, guidOf(e, 'worksheet'))}`)).toContain(all('Pushed'));
    const survivors = replicas.filter((r) => !killed!.replicas.has(r));
    for (const r of survivors) r.child.kill('SIGTERM');
    expect(await Promise.all(survivors.map((r) => r.exited))).toEqual(survivors.map(() => 0));
    expect(survivors.some((r) => r.log.includes('standing by'))).toBe(true);
    for (const e of SYNCED) await expectRanOneAtATime(e, killed!);
  }, 420_000);
});

/** The replicas killed halfway (each environment's lease holder then), and when. */
interface Killed {
  replicas: Set<Replica>;
  at: number;
}

/** One environment's runs never overlapped, were taken over after the kill, and left its Org and ledgers sound. */
async function expectRanOneAtATime(e: Synced, killed: Killed): Promise<void> {
  // No two runs overlap: each run from its start to its end (a killed replica's run: to the kill).
  const runs = replicas.flatMap((r) => runsOf(r).filter((run) => run.environment === e.name && run.startedAt).map((run) => ({ replica: replicas.indexOf(r), start: Date.parse(run.startedAt!), end: run.finishedAt ? Date.parse(run.finishedAt) : killed.replicas.has(r) ? killed.at : Infinity, status: run.status })));
  runs.sort((a, b) => a.start - b.start);
  for (let i = 1; i < runs.length; i += 1) expect(runs[i]!.start, `${e.name}: run ${i} of ${runs.length} starts after the one before ends`).toBeGreaterThanOrEqual(runs[i - 1]!.end);
  // Another replica took over after the kill, and more than one replica ran the environment.
  expect(runs.some((r) => r.start > killed.at && !killed.replicas.has(replicas[r.replica]!) && r.status === 'ok'), e.name).toBe(true);
  expect(new Set(runs.map((r) => r.replica)).size, e.name).toBeGreaterThan(1);
  expect(replicas.flatMap((r) => runsOf(r)).some((run) => run.environment === e.name && run.status === 'standby'), e.name).toBe(true);

  // No duplicate object in the environment's Org; the ledgers read and name objects that exist.
  const state = stateOf(e);
  const objects = [...state.objects.values()];
  expect(new Set(objects.map((o) => `${o.kind}/${o.name}`)).size).toBe(objects.length);
  const ledger = await exportLedgerIn(server.pathOf('content'), e.name);
  expect(ledger.version).toBe(1);
  for (const [guid, entry] of Object.entries(ledger.objects)) {
    expect(state.objects.has(guid), `${e.name}: ${guid}`).toBe(true);
    expect(gitShow(`${e.name}:${entry.path}`)).toContain(guid);
  }
  // The lease was given back at the end.
  expect(leaseHolder(e.name), e.name).toBeUndefined();
}

/** The worksheet's description in the environment's Org. */
function worksheetInThoughtSpot(e: Synced): string {
  const document = stateOf(e).objects.get(guidOf(e, 'worksheet'))?.document as { worksheet?: { description?: string } } | undefined;
  return document?.worksheet?.description ?? '';
}

/** The model's description in the environment's branch. */
function modelInGit(e: Synced): string {
  return descriptionOf(gitShow(`${e.name}:${fileOf(e.name, guidOf(e, 'model'))}`));
}

/** A TML text's (first) description, as written plain or quoted. */
function descriptionOf(tml: string): string {
  const value = /^ {2}description: (.*)$/m.exec(tml)?.[1] ?? '';
  return value.startsWith('"') ? (JSON.parse(value) as string) : value.startsWith("'") ? value.slice(1, -1).replace(/''/g, "'") : value;
}

/** The TML text with `text` added to its description (written double-quoted, which YAML reads as JSON does). */
function appended(tml: string, text: string): string {
  return tml.replace(/^ {2}description: .*$/m, `  description: ${JSON.stringify(descriptionOf(tml) + text)}`);
}

/** What a failed convergence looked like: each side's text, and the replicas' warnings. */
function diagnosis(edits: number): string {
  const sides = SYNCED.map((e) => `${e.name}: ThoughtSpot's worksheet ${worksheetInThoughtSpot(e)}, git's model ${modelInGit(e)}, deploy ledger's worksheet: ${deployLedgerEntry(e.name, guidOf(e, 'worksheet'))}`);
  const warnings = replicas.flatMap((r, i) => r.log.split('\n').filter((l) => /"level":"(warn|error|fatal)"/.test(l)).slice(-8).map((l) => `${i}: ${l.slice(0, 400)}`));
  const runs = replicas.flatMap((r, i) => runsOf(r).filter((run) => run.finishedAt).slice(-6).map((run) => `${i}: ${run.environment} ${run.status} ${run.startedAt} ${JSON.stringify(run.counts ?? {})} ${run.error ?? ''}`));
  return `after ${edits} edits:\n${sides.join('\n')}\nwarnings:\n${warnings.join('\n')}\nlast runs:\n${runs.join('\n')}`;
}

/** The deploy ledger's entry of an object, as recorded (for a failure's diagnosis). */
function deployLedgerEntry(env: string, guid: string): string {
  try {
    return JSON.stringify((JSON.parse(gitShow(`refs/tmlsync/${env}/deploy:objects/${shardOf(guid)}.json`)) as Record<string, unknown>)[guid]);
  } catch (error) {
    return String(error);
  }
}

function gitRefExists(ref: string): boolean {
  try {
    execFileSync('git', ['rev-parse', '--verify', '--quiet', ref], { cwd: server.pathOf('content'), stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Kills each environment's lease holder, mid-run, with SIGKILL (no release, no clean-up): one replica or two. */
async function killHolders(): Promise<Killed | undefined> {
  const holders = new Set<Replica>();
  for (const e of SYNCED) {
    let holder: Replica | undefined;
    await until(() => {
      const text = leaseHolder(e.name);
      holder = replicas.find((r) => text?.includes(` pid ${r.child.pid} `));
      return holder !== undefined;
      // Three of the schedule's tries (every 10 s), each a run that holds the lease for a few seconds.
    }, 30_000);
    if (!holder) return undefined;
    holders.add(holder);
  }
  for (const holder of holders) holder.child.kill('SIGKILL');
  await Promise.all([...holders].map((holder) => holder.exited));
  return { replicas: holders, at: Date.now() };
}
