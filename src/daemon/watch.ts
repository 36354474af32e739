import { relative, sep } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { Logger } from '../log/index.js';
import type { KnownObject, TmlDocument } from '../tml/index.js';
import { parseFiles, readSourceFile, readTmlFiles } from '../sync/kernel/content.js';
import { validateOffline, type Finding } from '../sync/kernel/validate.js';

export interface TmlWatchOptions {
  /** The folder to watch (a working tree; its `tml/` folder when it has one). */
  dir: string;
  log: Logger;
  /** True while tmlsync itself writes there (a run): its own files are not re-checked. */
  busy?: () => boolean;
  /** Told the findings of every checked file (tests, status). */
  onChecked?: (file: string, findings: Finding[]) => void;
}

/**
 * Validates TML files as they are saved (`watch: true` of a sync
 * environment): the saved file is parsed and checked offline, its references
 * resolved among the other files of the tree, and every problem logged with
 * file and line. The tree is read once, then kept up to date file by file.
 */
export function watchTml(options: TmlWatchOptions): FSWatcher {
  const { dir, log } = options;
  const others = new Map<string, TmlDocument>(); // path → parsed document, every file of the tree
  let loaded = false;
  const load = () => {
    if (loaded) return;
    loaded = true;
    const { docs } = parseFiles(readTmlFiles([dir], dir));
    for (const doc of docs) others.set(doc.file!, doc);
  };
  const check = (absolute: string) => {
    if (!absolute.endsWith('.tml') || options.busy?.()) return;
    const file = relative(dir, absolute).split(sep).join('/');
    let text: string;
    try {
      text = readSourceFile(absolute, file);
    } catch {
      return; // gone again before we looked, or a link or special file the content reader refuses
    }
    load();
    others.delete(file);
    const { docs, findings } = parseFiles([{ path: file, text }]);
    const doc = docs[0];
    if (doc) {
      const known: KnownObject[] = [...others.values()].filter((d) => d.guid).map((d) => ({ kind: d.kind, name: d.name, guid: d.guid! }));
      findings.push(...validateOffline([doc], known));
      others.set(file, doc);
    }
    for (const f of findings) {
      const fields = { file: f.file ?? file, ...(f.line !== undefined ? { line: f.line } : {}), ...(f.object ? { object: f.object } : {}) };
      if (f.severity === 'error') log.error(fields, `invalid TML: ${f.message}`);
      else log.warn(fields, f.message);
    }
    if (findings.length === 0) log.info({ file }, 'TML file saved: valid');
    options.onChecked?.(file, findings);
  };
  const watcher = watch(dir, {
    ignoreInitial: true,
    ignored: (path) => /(^|[/\\])\.git([/\\]|$)/.test(path),
    awaitWriteFinish: { stabilityThreshold: 100, pollInterval: 20 },
  });
  watcher.on('add', check).on('change', check).on('unlink', (absolute) => others.delete(relative(dir, absolute).split(sep).join('/')));
  return watcher;
}

/** The folder `watch:` names: the working tree for `true`, else the path given. */
export function watchedDir(watchSetting: true | string, workTree: string): string {
  return watchSetting === true ? workTree : watchSetting;
}

