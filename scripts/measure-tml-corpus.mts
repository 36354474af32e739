/**
 * Parse + format cost of the real-TML corpus (test/fixtures/real-tml): every file parsed and
 * written back in its own format, the whole corpus `rounds` times, the median round printed.
 * `node --import tsx scripts/measure-tml-corpus.mts [rounds]` (issue 18: the cost of lossless scalars).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { format, parse, toJson } from '../src/tml/index.js';

const root = new URL('../test/fixtures/real-tml/', import.meta.url);
const texts = readdirSync(root, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .flatMap((dir) => readdirSync(new URL(`${dir.name}/`, root)).map((name) => readFileSync(new URL(`${dir.name}/${name}`, root), 'utf8')));
const rounds = Number(process.argv[2] ?? 15);

function round(): number {
  const start = process.hrtime.bigint();
  for (const text of texts) {
    const doc = parse(text);
    if (doc.format === 'json') toJson(doc);
    else format(doc);
  }
  return Number(process.hrtime.bigint() - start) / 1e6;
}

round();
const times = Array.from({ length: rounds }, round).sort((a, b) => a - b);
const bytes = texts.reduce((sum, text) => sum + text.length, 0);
console.log(`${texts.length} files, ${(bytes / 1024).toFixed(0)} KiB: median ${times[Math.floor(rounds / 2)]!.toFixed(1)} ms per round (min ${times[0]!.toFixed(1)}, max ${times.at(-1)!.toFixed(1)}, ${rounds} rounds)`);
