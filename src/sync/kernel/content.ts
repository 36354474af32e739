import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readSync, type Stats } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { InvalidInputError } from '../../errors/index.js';
import { parse, TmlParseError, type TmlDocument } from '../../tml/index.js';
import type { Finding } from './validate.js';

/**
 * The one way the workflows read the content folder of a work tree (issue 14;
 * issue 15, item 2): a pushed branch is hostile input, so a file is read only
 * when it is a regular file no larger than `MAX_SOURCE_BYTES`. A symlink is
 * never followed (it could import a file from outside the repository into
 * ThoughtSpot), nor is a device or a FIFO read (`/dev/zero` would be read
 * until the process dies): each is refused with an error naming it.
 */

/** The content folder of a work tree. */
export const CONTENT_FOLDER = 'tml';

/**
 * The largest file read. The largest TML we have seen (liveboards of some
 * hundred visualizations) is a few MB; this leaves room for ten times that
 * and still bounds the memory one pushed file can take.
 */
export const MAX_SOURCE_BYTES = 32 * 1024 * 1024;

export interface SourceFile {
  /** Path shown to the user (relative to the repository). */
  path: string;
  text: string;
}

/** A parsed TML file of the content folder, with the exact text it was read from. */
export interface ContentFile {
  doc: TmlDocument;
  path: string;
  text: string;
}

/** A path given to read TML from does not exist: the user's input, exit 2. */
export class MissingSourceError extends InvalidInputError {
  override readonly name = 'MissingSourceError';
}

/** A source that must not be read: a symlink, a special file, or one too large. The user's input, exit 2. */
export class UnsafeSourceError extends InvalidInputError {
  override readonly name = 'UnsafeSourceError';
}

/** How a path is shown: relative to `base` when inside it, else as it is. */
function shownPath(path: string, base: string): string {
  const inside = relative(base, path);
  return inside === '' || inside.startsWith('..') || isAbsolute(inside) ? path : inside;
}

function lstatOf(path: string, shown: string): Stats {
  try {
    return lstatSync(path);
  } catch {
    throw new MissingSourceError(`${shown}: no such file or folder`);
  }
}

/** Refuses anything but a regular file of at most `MAX_SOURCE_BYTES` (folders are the caller's business). */
function refuseUnsafe(stat: Stats, shown: string): void {
  if (stat.isSymbolicLink()) throw new UnsafeSourceError(`${shown}: a symbolic link; tmlsync never follows links in a repository (replace it with the file itself)`);
  if (!stat.isFile()) throw new UnsafeSourceError(`${shown}: not a regular file (a device, FIFO or socket); refused`);
  if (stat.size > MAX_SOURCE_BYTES) throw new UnsafeSourceError(`${shown}: ${stat.size} bytes, more than the ${MAX_SOURCE_BYTES} a source file may have; refused`);
}

/**
 * The buffer a file is read into when it fits, reused from one file to the next: its text is
 * decoded into a string before the next read, which holds only while a read (`readChecked`) stays
 * synchronous (`readContent` lets other work in between files, never within one). Reading the
 * 10,000 files of a content folder into a buffer of each one's own, and then a 64 kB one to find
 * its end, spent more time allocating and collecting those buffers than reading (a CPU profile of
 * `readTmlFiles`: 0.64 s allocating and 0.50 s collecting over 8 reads of 10,000 files, against
 * 0.72 s in `read`).
 */
const READ_BUFFER = Buffer.allocUnsafe(1024 * 1024);

/**
 * An open file's text, read to its end but never past `MAX_SOURCE_BYTES` (a file that grew beyond
 * it after its check is refused). `size` is what its check saw; `read` is `readSync`, or a test's.
 */
export function readBounded(fd: number, size: number, shown: string, read: typeof readSync = readSync): string {
  // One read for a file that kept its size: the extra byte asked for shows it did.
  const reused = size < READ_BUFFER.length;
  const first = reused ? READ_BUFFER.subarray(0, size + 1) : Buffer.allocUnsafe(size + 1);
  const got = read(fd, first, 0, first.length, null);
  if (got === size) return decodeUtf8(first.subarray(0, got), shown);
  // It grew since it was checked, or a read came back short before its end (some file systems'
  // reads do): read on to its end, within the bound.
  const chunks = [reused ? Buffer.from(first.subarray(0, got)) : first.subarray(0, got)];
  let total = got;
  let more = got;
  while (more > 0) {
    if (total > MAX_SOURCE_BYTES) throw new UnsafeSourceError(`${shown}: more than the ${MAX_SOURCE_BYTES} bytes a source file may have; refused`);
    const chunk = Buffer.allocUnsafe(64 * 1024);
    more = read(fd, chunk, 0, chunk.length, null);
    chunks.push(chunk.subarray(0, more));
    total += more;
  }
  return decodeUtf8(Buffer.concat(chunks, total), shown);
}

/** A source file that is not valid UTF-8: the user's input, exit 2. */
export class InvalidEncodingError extends InvalidInputError {
  override readonly name = 'InvalidEncodingError';
}

// Fatal: a lenient decoder turns a bad byte into U+FFFD, which a deploy then wrote into the
// object's name in ThoughtSpot (issue 15, item 8). ignoreBOM keeps a BOM as text, as before.
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The text of a file's bytes, refused with the byte offset and line of the first invalid sequence. */
function decodeUtf8(bytes: Buffer, shown: string): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    const offset = firstInvalidUtf8(bytes);
    const line = bytes.subarray(0, offset).filter((b) => b === 0x0a).length + 1;
    throw new InvalidEncodingError(`${shown}:${line}: not valid UTF-8 (byte ${offset}, 0x${bytes[offset]!.toString(16).padStart(2, '0')}); TML files are UTF-8, save it as UTF-8`);
  }
}

/** Where the first invalid UTF-8 sequence starts (the well-formed sequences of Unicode's table 3-7). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i]!;
    const [length, low, high] = lead < 0x80 ? [1, 0, 0] : lead >= 0xc2 && lead <= 0xdf ? [2, 0x80, 0xbf] : lead === 0xe0 ? [3, 0xa0, 0xbf]
      : lead === 0xed ? [3, 0x80, 0x9f] : lead >= 0xe1 && lead <= 0xef ? [3, 0x80, 0xbf] : lead === 0xf0 ? [4, 0x90, 0xbf]
      : lead >= 0xf1 && lead <= 0xf3 ? [4, 0x80, 0xbf] : lead === 0xf4 ? [4, 0x80, 0x8f] : [0, 0, 0];
    if (length === 0) return i;
    for (let k = 1; k < length; k += 1) {
      const next = bytes[i + k];
      const [min, max] = k === 1 ? [low, high] : [0x80, 0xbf];
      if (next === undefined || next < min || next > max) return i;
    }
    i += length;
  }
  return bytes.length;
}

/**
 * One regular file's text, checked before it is opened and again on the
 * open descriptor: `O_NOFOLLOW` refuses a file swapped for a link after the
 * check, and `O_NONBLOCK` keeps a swapped-in FIFO from blocking the open.
 */
export function readSourceFile(path: string, shown: string = path): string {
  refuseUnsafe(lstatOf(path, shown), shown);
  return readChecked(path, shown);
}

/**
 * A file's text, once something has said it is a regular file (`readSourceFile`'s own check, or
 * the folder's entry for it, `collectIn`): it is opened so that nothing swapped in since is followed
 * or blocks, and checked again on the open descriptor.
 */
function readChecked(path: string, shown: string): string {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') throw new UnsafeSourceError(`${shown}: a symbolic link; tmlsync never follows links in a repository`);
    // Gone since the folder was listed: said as for a path given that does not exist.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new MissingSourceError(`${shown}: no such file or folder`);
    throw new MissingSourceError(`${shown}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    const stat = fstatSync(fd);
    refuseUnsafe(stat, shown);
    return readBounded(fd, stat.size, shown);
  } finally {
    closeSync(fd);
  }
}

/**
 * Collects the files to read under `path`, refusing links and special files on the way. Below a
 * folder, each entry's type comes from the folder's listing, not from an `lstat` of its own, and the
 * read does not look again (`readShown`): the two `lstat`s per file were 0.22 s of the 0.52 s that
 * reading the deploy's 10,003 files took (a CPU profile). Node looks an entry up itself where the
 * file system does not say.
 */
function collect(path: string, base: string, explicit: boolean, found: string[]): void {
  const stat = lstatOf(path, shownPath(path, base));
  if (!stat.isDirectory()) {
    // A link or a special file is refused whatever its name: a link to a folder would lead outside the tree.
    if (!stat.isFile()) refuseUnsafe(stat, shownPath(path, base));
    if (explicit || path.endsWith('.tml')) found.push(path);
    return;
  }
  collectIn(path, base, found);
}

function collectIn(folder: string, base: string, found: string[]): void {
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const path = join(folder, entry.name);
    if (entry.isDirectory()) collectIn(path, base, found);
    else if (!entry.isFile()) refuseUnsafe(lstatOf(path, shownPath(path, base)), shownPath(path, base));
    else if (path.endsWith('.tml')) found.push(path);
  }
}

/**
 * Every `.tml` file under the given paths (files or folders, relative to
 * `base` or absolute; hidden folders and node_modules skipped), read, sorted,
 * with paths relative to `base` where they are inside it. A file named
 * explicitly is read whatever its extension.
 */
export function readTmlFiles(paths: string[], base: string): SourceFile[] {
  return tmlPaths(paths, base).map((path) => readShown(path, base));
}

/** Every `.tml` file under the given paths (as readTmlFiles finds them), sorted, not read. */
function tmlPaths(paths: string[], base: string): string[] {
  const found: string[] = [];
  for (const path of paths) collect(resolve(base, path), base, true, found);
  return found.sort();
}

/** A file `collect` found: its walk has said it is a regular file. */
function readShown(path: string, base: string): SourceFile {
  const shown = shownPath(path, base);
  return { path: shown, text: readChecked(path, shown) };
}

/** Parses every file; an unreadable one becomes a finding naming its line. */
export function parseFiles(files: SourceFile[]): { docs: TmlDocument[]; findings: Finding[] } {
  const docs: TmlDocument[] = [];
  const findings: Finding[] = [];
  for (const file of files) {
    const parsed = parseFile(file);
    if ('doc' in parsed) docs.push(parsed.doc);
    else findings.push(parsed.finding);
  }
  return { docs, findings };
}

function parseFile(file: SourceFile): { doc: TmlDocument } | { finding: Finding } {
  try {
    return { doc: parse(file.text, { file: file.path }) };
  } catch (error) {
    if (!(error instanceof TmlParseError)) throw error;
    return { finding: { severity: 'error', file: file.path, ...(error.line !== undefined ? { line: error.line } : {}), message: error.message, source: 'parse' } };
  }
}

/** Whether the work tree has a content folder (a real one: a link in its place is refused). */
export function hasContentFolder(dir: string): boolean {
  const path = join(dir, CONTENT_FOLDER);
  let stat: Stats;
  try {
    stat = lstatSync(path);
  } catch {
    return false;
  }
  if (!stat.isDirectory()) refuseUnsafe(stat, CONTENT_FOLDER);
  return true;
}

/** The content folder of a work tree as `readContent` read it. */
export interface Content {
  files: ContentFile[];
  findings: Finding[];
}

/**
 * How long, at least, reading the content folder holds the event loop before it lets other work
 * in (the walk of the folder, and one file's read and parse, are not cut), when calls are in
 * flight beside it: the sync's and the deploy's listing of ThoughtSpot (issue 16). Reading and
 * parsing the 10,003 files of the bench's sync takes 1.2-1.6 s of the main thread; a listing that
 * waited for it took the bench's sync at 10,005 objects from 5.7-6.1 s to 7.0-7.6 s against an
 * emulator answering in 150 ms. Slices cost CPU (some 0.2-0.5 s at 10,003 files here, in V8's
 * collections), so that a read with nothing beside it takes none: the deploy of one changed file
 * at 10,003 objects, with no listing beside its read, took 2.68-2.73 s without them, 2.81-3.04 s
 * with them (six runs of each, alternated).
 */
export const SLICE_BESIDE_CALLS_MS = 10;

/**
 * The content folder of a work tree, read and parsed: each file with its
 * text; files that do not parse as findings. No folder, no files. With
 * `sliceMs`, read in slices of that long, so that calls in flight meanwhile
 * are answered (`SLICE_BESIDE_CALLS_MS`).
 */
export async function readContent(dir: string, sliceMs = Number.POSITIVE_INFINITY): Promise<Content> {
  if (!hasContentFolder(dir)) return { files: [], findings: [] };
  const content: Content = { files: [], findings: [] };
  let sliceEnd = performance.now() + sliceMs;
  for (const path of tmlPaths([CONTENT_FOLDER], dir)) {
    if (performance.now() >= sliceEnd) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      sliceEnd = performance.now() + sliceMs;
    }
    const file = readShown(path, dir);
    const parsed = parseFile(file);
    if ('doc' in parsed) content.files.push({ doc: parsed.doc, path: file.path, text: file.text });
    else content.findings.push(parsed.finding);
  }
  return content;
}
