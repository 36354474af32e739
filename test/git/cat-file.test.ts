import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { BatchReader } from '../../src/git/cat-file.js';
import { commitOn } from '../support/commits.js';
import { git } from '../support/git-server.js';

const dir = mkdtempSync(join(tmpdir(), 'tmlsync-cat-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

git(dir, 'init', '--quiet', '--bare');
// Larger than a pipe's buffer (64 KiB), so that its content arrives in several chunks.
const large = `${'0123456789abcdef'.repeat(40_000)}\n`;
commitOn(dir, 'main', 'files', { 'a.tml': 'a\n', 'large.tml': large, 'empty.tml': '' }, null);

/** A reader whose processes are counted, each started in `dir`. */
function reader(idleMs: number): { reader: BatchReader; started: () => number; last: () => ReturnType<typeof spawn> | undefined } {
  const processes: ReturnType<typeof spawn>[] = [];
  const batch = new BatchReader(() => {
    const child = spawn('git', ['cat-file', '--batch'], { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
    processes.push(child);
    return child;
  }, idleMs);
  return { reader: batch, started: () => processes.length, last: () => processes.at(-1) };
}

const text = (object: { content: Buffer } | undefined) => object?.content.toString('utf8');

describe('BatchReader', () => {
  it('answers each caller its names in order, missing ones undefined, large and empty contents whole, by one process for a burst', async () => {
    const { reader: batch, started } = reader(500);
    const [first, second] = await Promise.all([batch.read(['main:a.tml', 'main:none.tml', 'main:large.tml']), batch.read(['main:empty.tml', 'nothing:at-all'])]);
    expect(first.map(text)).toEqual(['a\n', undefined, large]);
    expect(first[0]).toMatchObject({ type: 'blob', sha: git(dir, 'rev-parse', 'main:a.tml') });
    expect(second.map(text)).toEqual(['', undefined]);
    expect((await batch.read(['main:a.tml'])).map(text)).toEqual(['a\n']);
    expect(started()).toBe(1);
    expect(await batch.read([])).toEqual([]);
  });

  it('ends its process once idle, and starts another for the next read', async () => {
    const { reader: batch, started, last } = reader(20);
    expect((await batch.read(['main:a.tml'])).map(text)).toEqual(['a\n']);
    const ended = new Promise((resolve) => last()!.once('close', resolve));
    await ended;
    expect((await batch.read(['main:a.tml'])).map(text)).toEqual(['a\n']);
    expect(started()).toBe(2);
  });

  it('fails what a process that died owed, with what it said, and reads again with a new one', async () => {
    const { reader: batch, last } = reader(5_000);
    await batch.read(['main:a.tml']);
    const owed = batch.read(['main:large.tml']);
    last()!.kill('SIGKILL');
    await expect(owed).rejects.toThrow(/cat-file ended/);
    expect((await batch.read(['main:a.tml'])).map(text)).toEqual(['a\n']);
    last()!.stdin!.end();
  });

  it('keeps nothing running once it owes no answer: a Node process that only read through it exits', () => {
    const module = pathToFileURL(resolve('src/git/cat-file.ts')).href;
    const script = [
      "import { spawn } from 'node:child_process';",
      `import { BatchReader } from ${JSON.stringify(module)};`,
      `const reader = new BatchReader(() => spawn('git', ['cat-file', '--batch'], { cwd: ${JSON.stringify(dir)} }), 600_000);`,
      "const [object] = await reader.read(['main:a.tml']);",
      'process.stdout.write(object.content);',
    ].join('\n');
    // Its process waits ten minutes for the next name: held by it, the script would outlive the timeout.
    expect(execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { timeout: 60_000 }).toString()).toBe('a\n');
  });

  it('fails what a process that stopped answering owed, once it wrote nothing for its limit, and ends that process', async () => {
    let child: ReturnType<typeof spawn> | undefined;
    // A process that takes every name and answers none.
    const silent = new BatchReader(() => (child = spawn(process.execPath, ['-e', 'process.stdin.resume()'], { stdio: ['pipe', 'pipe', 'pipe'] })), 5_000, 200);
    await expect(silent.read(['main:a.tml'])).rejects.toThrow(/no answer within 0.2 s/);
    expect(child!.killed).toBe(true);
  });
});
