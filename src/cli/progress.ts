import type { LogFormat } from '../log/index.js';
import type { CommandContext } from './context.js';

/** What a long run does to objects, in the order a run does it. */
type ProgressStep = 'listed' | 'exported' | 'imported';
const STEPS: readonly ProgressStep[] = ['listed', 'exported', 'imported'];

/**
 * At most one line this often: a person sees the run move, and a
 * 10,000-object export (some 5 minutes at the emulator's pace under load)
 * prints some 300 lines, not 10,000.
 */
const PROGRESS_EVERY_MS = 1000;

export interface ProgressOptions {
  /** Where the lines go: stderr, between the log lines (stdout is for the command's result). */
  stream: { write(text: string): unknown };
  /** What runs, at the start of each line: `export dev`. */
  label: string;
  everyMs?: number;
  /** The clock (tests pass their own). */
  now?: () => number;
}

/** Where a step stands: objects done, of how many when known; and its first report, which its rate counts from. */
interface StepState {
  done: number;
  total?: number;
  first: { at: number; done: number };
}

/** The progress of one run, told as plain lines: `export dev: 340 listed, 120/340 exported (40/s)`. */
export interface ProgressReporter {
  /** The export's progress hook: objects exported of those due, and listed so far. */
  exported: (done: number, total: number, listed?: number) => void;
  /** The deploy's progress hook: objects imported of those to import. */
  imported: (done: number, total: number) => void;
  /** The last state, when a line has not shown it yet. */
  end: () => void;
}

/**
 * Progress lines for a person at a terminal (issue 17, item 1): plain text,
 * not log records, so JSON logs never carry them (the run's own `finished`
 * line is their summary there). Throttled to one line per `everyMs`; `end()`
 * prints what the last line did not show.
 */
export function progressReporter(options: ProgressOptions): ProgressReporter {
  const now = options.now ?? Date.now;
  const every = options.everyMs ?? PROGRESS_EVERY_MS;
  const steps = new Map<ProgressStep, StepState>();
  let moving: ProgressStep = 'listed';
  let printedAt: number | undefined;
  let unprinted = false;
  const print = (at: number) => {
    printedAt = at;
    unprinted = false;
    options.stream.write(`${options.label}: ${progressText(steps, moving, at)}\n`);
  };
  const update = (step: ProgressStep, done: number, total?: number) => {
    const at = now();
    steps.set(step, { done, ...(total !== undefined ? { total } : {}), first: steps.get(step)?.first ?? { at, done } });
    moving = step;
    unprinted = true;
    if (printedAt === undefined || at - printedAt >= every) print(at);
  };
  return {
    exported(done, total, listed) {
      if (listed !== undefined) steps.set('listed', { done: listed, first: steps.get('listed')?.first ?? { at: now(), done: listed } });
      update('exported', done, total);
    },
    imported(done, total) {
      update('imported', done, total);
    },
    end() {
      if (unprinted) print(now());
    },
  };
}

/**
 * `340 listed, 120/340 exported (40/s)`: each step so far, with the rate of
 * the one that moved last, counted from its first report (the first batch's
 * time is not known, only its end).
 */
function progressText(steps: ReadonlyMap<ProgressStep, StepState>, moving: ProgressStep, at: number): string {
  const parts = STEPS.filter((s) => steps.has(s)).map((step) => {
    const { done, total } = steps.get(step)!;
    return `${total !== undefined ? `${done}/${total}` : done} ${step}`;
  });
  const { done, first } = steps.get(moving)!;
  const seconds = (at - first.at) / 1000;
  return `${parts.join(', ')}${seconds > 0 ? ` (${Math.round((done - first.done) / seconds)}/s)` : ''}`;
}

/**
 * Whether a run shows its progress: when asked (`--progress`, e.g. a CI log
 * a person reads), else on a terminal that reads readable lines. A terminal
 * that asked for JSON logs gets none: its stderr is for a machine.
 */
export function wantsProgress(asked: boolean | undefined, stderrIsTTY: boolean, format: LogFormat): boolean {
  return asked ?? (stderrIsTTY && format === 'pretty');
}

/** A command's progress reporter for one run, when the command line wants progress (`context.progress`). */
export function progressFor(context: Pick<CommandContext, 'io' | 'progress'>, label: string): ProgressReporter | undefined {
  return context.progress ? progressReporter({ stream: context.io.stderr, label }) : undefined;
}
