import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { InvalidInputError } from '../errors/index.js';

/** A `workDir` tmlsync cannot use: the configuration's to fix, so the command or the daemon stops at its start (exit 2). */
export class WorkDirError extends InvalidInputError {
  override readonly name = 'WorkDirError';
  constructor(folder: string, reason: string) {
    super(`workDir ${folder} cannot be used: ${reason}`);
  }
}

/** Why the file system refused, in words, from the error's code. */
function reasonOf(error: unknown, doing: string): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') return `${doing}: permission denied`;
  if (code === 'EROFS') return `${doing}: the file system is read-only`;
  if (code === 'ENOSPC') return `${doing}: no space left on the device`;
  // /proc and /sys answer ENOENT to a new folder in a folder that exists.
  if (code === 'ENOENT') return `${doing}: the file system does not allow it here`;
  return `${doing}: ${code ?? String(error)}`;
}

/** The folders of `dir` that do not exist yet, outermost first; throws when a level of it is a file. */
function missingLevels(dir: string): string[] {
  const missing: string[] = [];
  for (let level = dir; ; level = dirname(level)) {
    try {
      if (!statSync(level).isDirectory()) throw new WorkDirError(dir, level === dir ? 'it is a file, not a folder' : `${level} is a file, not a folder`);
      return missing.reverse();
    } catch (error) {
      if (error instanceof WorkDirError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOTDIR') continue; // a file further up: reported once the walk reaches it
      if (code !== 'ENOENT' || dirname(level) === level) throw new WorkDirError(dir, reasonOf(error, `cannot look at ${level}`));
      missing.push(level);
    }
  }
}

/**
 * Makes sure tmlsync can keep its state in `dir` before a run or the daemon starts (issue 15, defect 11):
 * the folder is created level by level and a file written and removed in it. A recursive
 * `mkdir` under /proc never returns (Node retries the ENOENT it gets there forever), so the
 * levels are made one at a time and the first refusal is the answer.
 */
export function checkWorkDir(dir: string): void {
  for (const level of missingLevels(dir)) {
    try {
      mkdirSync(level);
    } catch (error) {
      throw new WorkDirError(dir, reasonOf(error, `cannot create ${level}`));
    }
  }
  const probe = join(dir, `.tmlsync-write-check-${process.pid}`);
  try {
    writeFileSync(probe, '');
    rmSync(probe);
  } catch (error) {
    throw new WorkDirError(dir, reasonOf(error, 'cannot write in it'));
  }
}
