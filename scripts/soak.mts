/**
 * `npm run soak`: the daemon through many sync runs against the emulator with faults on (a
 * report, not a test; issue 15). Says whether the daemon's memory and open files stay flat.
 *
 *   npm run soak -- --runs 1000 --fail-rate 0.05 --drop-rate 0.01
 *
 * The emulator (with `--fail-rate` and `--drop-rate`) and the daemon each run as a process of
 * their own (`node --import tsx src/cli/main.ts …`), the daemon on a sync environment
 * scheduled every second with a short session lifetime (so sessions are renewed early too),
 * its remote a bare repository in a temporary folder. The daemon process's RSS (VmRSS of
 * /proc/<pid>/status) and open file descriptors (entries of /proc/<pid>/fd) are read once the
 * first run has finished and then every `--every` runs; finished runs are counted from
 * `tmlsync_runs_total` on its /metrics. Network traffic goes only to 127.0.0.1. Linux only
 * (/proc).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
/** What "flat" allows between the first and the last sample: GC and caches settle, a leak grows with the runs. */
const RSS_GROWTH_LIMIT = 1.25;
const FD_GROWTH_LIMIT = 5;

interface Sample {
  runs: number;
  rssMb: number;
  fds: number;
  seconds: number;
}

function options(): { runs: number; every: number; failRate: string; dropRate: string } {
  const { values } = parseArgs({
    options: { runs: { type: 'string', default: '1000' }, every: { type: 'string', default: '100' }, 'fail-rate': { type: 'string', default: '0.05' }, 'drop-rate': { type: 'string', default: '0.01' } },
  });
  return { runs: Number(values.runs), every: Number(values.every), failRate: values['fail-rate'], dropRate: values['drop-rate'] };
}

/** Starts `tmlsync <args>` and resolves with the process and the URL it prints once listening. */
async function start(args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`tmlsync ${args[0]} exited (${code}) before listening: ${out}`)));
  });
  return { child, url };
}

/** Runs finished so far, by outcome, from the daemon's metrics; undefined when it did not answer this time. */
async function finishedRuns(url: string): Promise<{ ok: number; failed: number } | undefined> {
  // A busy machine's daemon may reset a connection now and then (seen once in 43 runs' polling): try again at the next poll, not end the soak.
  const text = await fetch(`${url}/metrics`).then((res) => res.text(), () => undefined);
  if (text === undefined) return undefined;
  const count = (outcome: string) => [...text.matchAll(new RegExp(`^tmlsync_runs_total\\{[^}]*outcome="${outcome}"[^}]*\\} (\\d+)`, 'gm'))].reduce((sum, m) => sum + Number(m[1]), 0);
  return { ok: count('ok'), failed: count('failed') };
}

function sample(pid: number, runs: number, since: number): Sample {
  const rssKb = Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
  return { runs, rssMb: Math.round(rssKb / 102.4) / 10, fds: readdirSync(`/proc/${pid}/fd`).length, seconds: Math.round((Date.now() - since) / 1000) };
}

function configFile(work: string, emulatorUrl: string): string {
  const remote = join(work, 'remote.git');
  execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', remote]);
  const file = join(work, 'tmlsync.yaml');
  writeFileSync(
    file,
    `repository:\n  url: ${remote}\nworkDir: ${join(work, 'wd')}\nserver:\n  port: 0\nenvironments:\n  dev:\n    url: ${emulatorUrl}\n    username: tsadmin\n    password: \${P:-admin}\n    branch: dev\n    direction: sync\n    schedule: "* * * * * *"\n    sessionTtlMs: 20000\n`,
  );
  return file;
}

async function soak(): Promise<void> {
  const { runs, every, failRate, dropRate } = options();
  const work = mkdtempSync(join(tmpdir(), 'tmlsync-soak-'));
  const emulator = await start(['emulator', '--port', '0', '--log-level', 'silent', '--fail-rate', failRate, '--drop-rate', dropRate]);
  const daemon = await start(['daemon', '--config', configFile(work, emulator.url), '--log-level', 'silent']);
  const since = Date.now();
  const samples: Sample[] = [];
  try {
    let next = 1;
    for (;;) {
      const { ok, failed } = (await finishedRuns(daemon.url)) ?? { ok: 0, failed: 0 };
      if (ok + failed >= next) {
        samples.push(sample(daemon.child.pid!, ok + failed, since));
        console.log(`${ok + failed} runs (${failed} failed): RSS ${samples.at(-1)!.rssMb} MB, ${samples.at(-1)!.fds} open files, ${samples.at(-1)!.seconds} s`);
        if (ok + failed >= runs) break;
        next = next === 1 ? every : next + every;
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  } finally {
    daemon.child.kill('SIGTERM');
    emulator.child.kill('SIGTERM');
    await Promise.all([daemon, emulator].map(({ child }) => new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(undefined)))));
    rmSync(work, { recursive: true, force: true });
  }
  report(samples[0]!, samples.at(-1)!);
}

function report(first: Sample, last: Sample): void {
  const rssFlat = last.rssMb <= first.rssMb * RSS_GROWTH_LIMIT;
  const fdsFlat = last.fds <= first.fds + FD_GROWTH_LIMIT;
  console.log(`\nstart (after run ${first.runs}): RSS ${first.rssMb} MB, ${first.fds} open files`);
  console.log(`end (after run ${last.runs}): RSS ${last.rssMb} MB, ${last.fds} open files, ${last.seconds} s`);
  console.log(`RSS ${rssFlat ? 'PASS' : 'FAIL'} (at most ×${RSS_GROWTH_LIMIT}), open files ${fdsFlat ? 'PASS' : 'FAIL'} (at most +${FD_GROWTH_LIMIT})`);
}

await soak();
