import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GitRepo, ensureBareRepo, isTracked } from '../../src/git/index.js';
import { originUrlIn } from '../../src/git/config-file.js';
import { maintenanceDue } from '../../src/git/maintenance.js';
import { git } from '../support/git-server.js';

const work = mkdtempSync(join(tmpdir(), 'tmlsync-maint-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let n = 0;
const folder = () => {
  const dir = join(work, `d${(n += 1)}`);
  mkdirSync(dir, { recursive: true });
  return dir;
};
const hex = (i: number, length: number) => i.toString(16).padStart(length, '0');

/** An object store with `loose` objects in the `17` fan-out folder and `packs` packs (`kept` of them with a `.keep`). */
function objects(loose: number, packs: number, kept = 0): string {
  const dir = folder();
  mkdirSync(join(dir, '17'));
  mkdirSync(join(dir, 'pack'));
  for (let i = 0; i < loose; i += 1) writeFileSync(join(dir, '17', hex(i, 38)), '');
  writeFileSync(join(dir, '17', 'tmp_obj_1234'), '');
  for (let i = 0; i < packs; i += 1) {
    for (const ext of ['pack', 'idx', ...(i < kept ? ['keep'] : [])]) writeFileSync(join(dir, 'pack', `pack-${hex(i, 40)}.${ext}`), '');
  }
  return dir;
}

describe('git maintenance when it has work', () => {
  it("is due by git's own gc --auto thresholds: more than 27 loose objects in objects/17, more than 50 packs without a .keep", () => {
    expect(maintenanceDue(join(work, 'none'))).toBe(false);
    expect(maintenanceDue(objects(27, 50))).toBe(false);
    expect(maintenanceDue(objects(28, 0))).toBe(true);
    expect(maintenanceDue(objects(0, 51))).toBe(true);
    expect(maintenanceDue(objects(0, 53, 3))).toBe(false);
  });

  it('packs the packs of a work tree that has too many at its next fetch', async () => {
    const bare = join(work, 'remote.git');
    await ensureBareRepo(bare);
    const seed = await GitRepo.open(folder(), { remoteUrl: bare, committer: { name: 't', email: 't@localhost' } });
    await seed.fetch();
    await seed.checkout('main');
    writeFileSync(join(seed.dir, 'a.txt'), 'a\n');
    await seed.commitAll('a', { name: 't', email: 't@localhost' });
    await seed.push('main');
    // Copies of one pack under other names: git takes each for a pack of its own.
    git(seed.dir, 'repack', '-a', '-d', '-q');
    const packs = join(seed.dir, '.git', 'objects', 'pack');
    const [pack] = readdirSync(packs).filter((f) => f.endsWith('.pack'));
    for (let i = 1; i <= 51; i += 1) for (const ext of ['pack', 'idx']) copyFileSync(join(packs, pack!.replace(/\.pack$/, `.${ext}`)), join(packs, `pack-${hex(i, 40)}.${ext}`));
    await seed.fetch();
    // gc runs in the background (gc.autoDetach): wait for it, within a bound.
    for (let i = 0; i < 200 && readdirSync(packs).filter((f) => f.endsWith('.pack')).length > 1; i += 1) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(readdirSync(packs).filter((f) => f.endsWith('.pack'))).toHaveLength(1);
    expect(git(seed.dir, 'log', '--format=%s', 'main')).toBe('a');
  });
});

describe('reading a work tree without git', () => {
  const config = (text: string) => {
    const dir = folder();
    writeFileSync(join(dir, 'config'), text);
    return dir;
  };

  it("reads origin's URL as git wrote it, and leaves any other form to git", () => {
    const written = '[core]\n\trepositoryformatversion = 0\n[remote "origin"]\n\turl = git://127.0.0.1:9418/a b.git\n';
    expect(originUrlIn(config(written))).toBe('git://127.0.0.1:9418/a b.git');
    expect(originUrlIn(config('[core]\n\tbare = false\n[remote "upstream"]\n\turl = /x\n'))).toBe('');
    expect(originUrlIn(join(work, 'absent'))).toBeUndefined();
    for (const other of ['[remote "origin"]\n\turl = "/quoted"\n', '[remote "origin"]\n\turl = /a\n\turl = /b\n', '[remote.origin]\n\turl = /old-form\n', '[Remote "origin"]\n\turl = /x\n', '[include]\n\tpath = more\n', '[remote "origin"]\n\turl = /x ; comment\n']) {
      expect(originUrlIn(config(other))).toBeUndefined();
    }
  });

  it('says a file is tracked only inside a repository that tracks it', async () => {
    const outside = join(folder(), 'tmlsync.yaml');
    writeFileSync(outside, 'x: 1\n');
    expect(await isTracked(outside)).toBe(false);
    const repo = folder();
    git(repo, 'init', '-q');
    mkdirSync(join(repo, 'config'));
    for (const file of ['tracked.yaml', 'untracked.yaml']) writeFileSync(join(repo, 'config', file), 'x: 1\n');
    git(repo, 'add', 'config/tracked.yaml');
    expect([await isTracked(join(repo, 'config', 'tracked.yaml')), await isTracked(join(repo, 'config', 'untracked.yaml'))]).toEqual([true, false]);
  });
});
