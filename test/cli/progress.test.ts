import { describe, expect, it } from 'vitest';
import { progressReporter, wantsProgress } from '../../src/cli/progress.js';

/** A reporter on a fake clock writing into an array: what a person at the terminal would read. */
function reporter(everyMs = 1000) {
  const lines: string[] = [];
  const clock = { at: 10_000 };
  const progress = progressReporter({ stream: { write: (t: string) => lines.push(t) }, label: 'export dev', everyMs, now: () => clock.at });
  return { lines, clock, progress };
}

describe('progress of long runs', () => {
  it('prints at most one line per interval, with objects listed and exported and the rate', () => {
    const { lines, clock, progress } = reporter();
    for (const [at, done, due, listed] of [[10_000, 0, 50, 100], [10_400, 20, 90, 200], [11_000, 40, 120, 300], [11_900, 60, 120, 300], [12_000, 80, 120, 300]] as const) {
      clock.at = at;
      progress.exported(done, due, listed);
    }
    expect(lines).toEqual(['export dev: 100 listed, 0/50 exported\n', 'export dev: 300 listed, 40/120 exported (40/s)\n', 'export dev: 300 listed, 80/120 exported (40/s)\n']);
  });

  it('ends with the last state when no line showed it yet, and says nothing more when one did', () => {
    const { lines, clock, progress } = reporter();
    progress.imported(0, 30);
    clock.at += 500;
    progress.imported(30, 30);
    progress.end();
    expect(lines).toEqual(['export dev: 0/30 imported\n', 'export dev: 30/30 imported (60/s)\n']);
    progress.end();
    expect(lines).toHaveLength(2);
  });

  it("shows a sync run's import, then its export, each at its own rate", () => {
    const { lines, clock, progress } = reporter(0);
    progress.imported(10, 10);
    clock.at += 2000;
    progress.imported(10, 10);
    progress.exported(5, 8, 40);
    clock.at += 1000;
    progress.exported(8, 8, 40);
    expect(lines.at(-1)).toBe('export dev: 40 listed, 8/8 exported, 10/10 imported (3/s)\n');
  });

  it('is printed on a terminal that reads readable lines, or when asked; never on JSON logs unless asked', () => {
    expect(wantsProgress(undefined, true, 'pretty')).toBe(true);
    expect(wantsProgress(undefined, true, 'json')).toBe(false);
    expect(wantsProgress(undefined, false, 'json')).toBe(false);
    expect(wantsProgress(true, false, 'json')).toBe(true);
  });
});
