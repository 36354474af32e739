import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets its heap grow past what the last full collection kept, in percent (V8's
 * `--heap-growing-percent`: a factor of 1 + this ÷ 100).
 *
 * Left to itself, V8 picks the factor per collection, up to 4 wherever its heap limit is 2 GB or
 * more (any machine with 16 GB of memory: `MaxGrowingFactor` in V8's heap-controller.cc) when
 * collections look cheap, as they do to an export: the full export of 100,003 objects keeps
 * about 72 MB after a full collection, and its heap grew to 260-340 MB between its five or six
 * full collections, most of its peak RSS of 475-509 MB (issue 16). At a factor of 2 the same
 * export peaks at 343-357 MB with 12-15 full collections, which take 1.3-1.5 s of the main
 * thread instead of 0.2-0.5 s (`--trace-gc`; 0.6-0.8 s of it pauses), within the noise of the
 * run's 33-36 s of CPU (the bench's full phase, back to back). A daemon, which runs such exports
 * all its life, keeps its heap as close to what it holds.
 */
const HEAP_GROWING_PERCENT = 100;

/**
 * Sets the heap growth above for this process, as it starts: set at run time, the flag holds from
 * the next full collection on (measured above, the bench's phase sets it this way), and no `bin`
 * entry can put it on the command line on every platform.
 */
export function boundHeapGrowth(): void {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
