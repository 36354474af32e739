/**
 * `npm run bench`: the export loop against the emulator at 20 ms latency,
 * with 1,000 and 10,000 generated objects (`--sizes 1000,10000`). Reports, for
 * a full export and for an incremental export after one change: wall time,
 * API calls, peak RSS, and the ratio to the bound the queue's limits set; and
 * a naive exporter (one object per export call, sequential) side by side.
 *
 * Each phase runs in a child process of its own, so that its peak RSS is its
 * own; the emulator runs in another. A report, not a test: it exits 0 unless
 * something crashed, and prints PASS/FAIL per target.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { thoughtspotPort } from '../src/daemon/index.js';
import { GitRepo } from '../src/git/index.js';
import { runExport } from '../src/sync/export.js';
import { DEFAULT_RATE_LIMIT, ThoughtSpotClient } from '../src/thoughtspot/index.js';

const LATENCY_MS = 20;
const NAIVE_SAMPLE = 500;
const main = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const self = fileURLToPath(import.meta.url);

interface PhaseResult {
  wallMs: number;
  calls: Record<string, number>;
  peakRssMb: number;
  objects: number;
}

function client(url: string, calls: Record<string, number>): ThoughtSpotClient {
  return new ThoughtSpotClient({ url, username: 'tsadmin', password: 'admin', env: {}, onCall: (endpoint) => void (calls[endpoint] = (calls[endpoint] ?? 0) + 1) });
}

/** Runs inside a phase child: measures one phase and prints its result as JSON. */
async function phase(name: string, url: string, remote: string, workDir: string): Promise<void> {
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const calls: Record<string, number> = {};
  const ts = client(url, calls);
  const started = performance.now();
  let objects = 0;
  if (name === 'naive') {
    // The naive exporter: the same listing, then one object per export call, one call at a time.
    const ids: string[] = [];
    for (const type of ['DATA_SOURCE', 'LOGICAL_TABLE', 'QUESTION_ANSWER_BOOK', 'PINBOARD_ANSWER_BOOK'] as const) {
      ids.push(...(await ts.listAllObjectHeaders({ type })).map((h) => h.id));
    }
    for (const id of ids.slice(0, NAIVE_SAMPLE)) await ts.exportTml([id], { exportFqn: true, schemaVersion: 'v2' });
    objects = ids.length;
  } else {
    const repo = await GitRepo.open(workDir, { remoteUrl: remote, committer: { name: 'bench', email: 'bench@localhost' } });
    const report = await runExport({ environment: 'bench', branch: 'bench', thoughtspot: thoughtspotPort(ts), repo, committer: { name: 'bench', email: 'bench@localhost' } });
    objects = report.objects.length;
  }
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024);
  const result: PhaseResult = { wallMs: performance.now() - started, calls, peakRssMb: peak / 1e6, objects };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function runPhase(name: string, url: string, remote: string, workDir: string): PhaseResult {
  const out = execFileSync(process.execPath, ['--import', 'tsx', self, '--phase', name, url, remote, workDir], { encoding: 'utf8', maxBuffer: 1 << 24 });
  return JSON.parse(out.trim().split('\n').at(-1)!) as PhaseResult;
}

async function startEmulatorProcess(scale: number): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', main, 'emulator', '--port', '0', '--seed', 'none', '--seed-scale', String(scale), '--latency-ms', String(LATENCY_MS), '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`emulator exited (${code ?? 'signal'})`)));
  });
  return { child, url };
}

/**
 * The least wall time the queue's limits allow for `calls` requests: no
 * faster than `intervalCap` per `intervalMs`, and no faster than
 * `concurrency` requests of `LATENCY_MS` each at a time.
 */
function bound(calls: number): number {
  const byRate = (calls / DEFAULT_RATE_LIMIT.intervalCap) * DEFAULT_RATE_LIMIT.intervalMs;
  const byConcurrency = (calls * LATENCY_MS) / DEFAULT_RATE_LIMIT.concurrency;
  return Math.max(byRate, byConcurrency);
}

const total = (calls: Record<string, number>) => Object.values(calls).reduce((a, b) => a + b, 0);
const exportsOf = (calls: Record<string, number>) => calls['metadata/tml/export'] ?? 0;
const listingsOf = (calls: Record<string, number>) => total(calls) - exportsOf(calls) - (calls['session/login'] ?? 0) - (calls['session/logout'] ?? 0);

async function orchestrate(sizes: number[]): Promise<void> {
  const rows: string[] = [];
  const checks: string[] = [];
  for (const size of sizes) {
    const scale = Math.ceil((size - 1) / 7);
    const emulator = await startEmulatorProcess(scale);
    const work = mkdtempSync(join(tmpdir(), 'tmlsync-bench-'));
    try {
      const remote = join(work, 'remote.git');
      execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', remote]);
      const full = runPhase('full', emulator.url, remote, join(work, 'wd'));
      // One change in ThoughtSpot: re-import one answer with a new description.
      const admin = client(emulator.url, {});
      const [answer] = await admin.listObjectHeaders({ type: 'QUESTION_ANSWER_BOOK', batchSize: 1 });
      const [exported] = await admin.exportTml([answer!.id], { schemaVersion: 'v2' });
      const edoc = exported?.ok ? exported.edoc : '';
      await admin.importTml([edoc.replace(/^(answer:\n {2}name: .*)$/m, '$1\n  description: changed for the benchmark')], { policy: 'PARTIAL', forceCreate: false, throwOnError: true });
      const incremental = runPhase('incremental', emulator.url, remote, join(work, 'wd'));
      const naive = runPhase('naive', emulator.url, remote, join(work, 'wd'));
      const naiveSampleCalls = total(naive.calls);
      const naiveFullMs = (naive.wallMs / Math.min(NAIVE_SAMPLE, naive.objects)) * naive.objects;
      for (const [label, r] of [['full', full], ['incremental (1 change)', incremental]] as const) {
        const b = bound(total(r.calls));
        rows.push(
          `| ${size.toLocaleString('en-US')} | ${label} | ${(r.wallMs / 1000).toFixed(1)} | ${listingsOf(r.calls)} + ${exportsOf(r.calls)} export | ${r.peakRssMb.toFixed(0)} | ${(b / 1000).toFixed(1)} | ${(r.wallMs / b).toFixed(2)}× | ${label === 'full' ? `${(naiveFullMs / 1000).toFixed(0)} (${naiveSampleCalls} calls for ${Math.min(NAIVE_SAMPLE, naive.objects)} objects, extrapolated)` : ''} | ${label === 'full' ? `${(naiveFullMs / r.wallMs).toFixed(1)}×` : ''} |`,
        );
      }
      checks.push(`${full.wallMs / bound(total(full.calls)) <= 1.3 ? 'PASS' : 'FAIL'} ${size}: full export within 1.3× of the queue's bound (${(full.wallMs / bound(total(full.calls))).toFixed(2)}×)`);
      checks.push(`${exportsOf(incremental.calls) === 1 ? 'PASS' : 'FAIL'} ${size}: one change → listing calls + ${exportsOf(incremental.calls)} export call(s)`);
      if (size >= 10_000) checks.push(`${full.peakRssMb < 300 ? 'PASS' : 'FAIL'} ${size}: peak RSS ${full.peakRssMb.toFixed(0)} MB under 300 MB`);
    } finally {
      emulator.child.kill('SIGTERM');
      rmSync(work, { recursive: true, force: true });
    }
  }
  process.stdout.write(
    [
      `tmlsync export benchmark — emulator at ${LATENCY_MS} ms latency; queue: ${DEFAULT_RATE_LIMIT.concurrency} at once, ${DEFAULT_RATE_LIMIT.intervalCap} per ${DEFAULT_RATE_LIMIT.intervalMs} ms`,
      '',
      '| objects | export | wall s | API calls | peak RSS MB | queue bound s | ratio | naive s | speed-up |',
      '|---|---|---|---|---|---|---|---|---|',
      ...rows,
      '',
      ...checks,
      '',
    ].join('\n'),
  );
}

const args = process.argv.slice(2);
if (args[0] === '--phase') {
  await phase(args[1]!, args[2]!, args[3]!, args[4]!);
} else {
  const sizesArg = args.indexOf('--sizes');
  const sizes = sizesArg >= 0 ? args[sizesArg + 1]!.split(',').map(Number) : [1000, 10000];
  await orchestrate(sizes);
}
