import { appendFileSync, closeSync, existsSync, fstatSync, mkdirSync, mkdtempSync, openSync, readSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run, type CliIo } from '../../src/cli/index.js';
import { MAX_SOURCE_BYTES, MissingSourceError, readBounded, readContent, readSourceFile, readTmlFiles, UnsafeSourceError } from '../../src/sync/kernel/content.js';

const work = mkdtempSync(join(tmpdir(), 'tmlsync-content-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const ANSWER = 'guid: 11111111-1111-1111-1111-111111111111\nanswer:\n  name: A\n  tables:\n  - id: T\n    name: T\n  search_query: "[x]"\n';

/** A work tree with one good answer under tml/answer, and whatever `arrange` adds. */
function tree(name: string, arrange: (dir: string) => void = () => undefined): string {
  const dir = join(work, name);
  mkdirSync(join(dir, 'tml', 'answer'), { recursive: true });
  writeFileSync(join(dir, 'tml', 'answer', 'a.answer.tml'), ANSWER);
  arrange(dir);
  return dir;
}

describe('reading the content folder', () => {
  it('reads every .tml file, parsed, with its text and its path in the repository', async () => {
    const dir = tree('plain', (d) => writeFileSync(join(d, 'tml', 'answer', 'notes.txt'), 'not TML'));
    const { files, findings } = await readContent(dir);
    expect(findings).toEqual([]);
    expect(files.map((f) => [f.path, f.doc.name, f.text])).toEqual([['tml/answer/a.answer.tml', 'A', ANSWER]]);
  });

  it('lets other work in while it reads, a slice at a time, when asked to', async () => {
    const dir = tree('sliced', (d) => {
      for (let n = 0; n < 3; n += 1) writeFileSync(join(d, 'tml', 'answer', `a${n}.answer.tml`), `guid: 00000000-0000-0000-0000-00000000000${n}\nanswer:\n  name: A${n}\n`);
    });
    const ran: string[] = [];
    setImmediate(() => ran.push('other work'));
    const reading = readContent(dir, 0).then((content) => ran.push(`read ${content.files.length}`));
    await reading;
    expect(ran).toEqual(['other work', 'read 4']);
    // Without slices (a deploy's read, nothing beside it), it holds the event loop to the end.
    ran.length = 0;
    setImmediate(() => ran.push('other work'));
    await readContent(dir).then((content) => ran.push(`read ${content.files.length}`));
    expect(ran).toEqual(['read 4']);
  });

  it('reads a work tree without a content folder as empty', async () => {
    const dir = join(work, 'empty');
    mkdirSync(dir);
    expect(await readContent(dir)).toEqual({ files: [], findings: [] });
  });

  it('refuses a symlink named *.tml, naming it, instead of reading the file outside the repository', async () => {
    const secret = join(work, 'secret.answer.tml');
    writeFileSync(secret, ANSWER.replace('name: A', 'name: Secret'));
    const dir = tree('link', (d) => symlinkSync(secret, join(d, 'tml', 'answer', 'stolen.answer.tml')));
    await expect(readContent(dir)).rejects.toThrow(UnsafeSourceError);
    await expect(readContent(dir)).rejects.toThrow('tml/answer/stolen.answer.tml: a symbolic link');
  });

  it('refuses a link to /dev/zero instead of reading it until the process dies', async () => {
    const dir = tree('zero', (d) => symlinkSync('/dev/zero', join(d, 'tml', 'answer', 'zero.answer.tml')));
    await expect(readContent(dir)).rejects.toThrow('tml/answer/zero.answer.tml: a symbolic link');
  });

  it('refuses a linked folder and a linked content folder', async () => {
    const outside = join(work, 'outside');
    mkdirSync(outside, { recursive: true });
    writeFileSync(join(outside, 'x.answer.tml'), ANSWER);
    await expect(readContent(tree('linked-folder', (d) => symlinkSync(outside, join(d, 'tml', 'liveboard'))))).rejects.toThrow('tml/liveboard: a symbolic link');
    const linkedRoot = join(work, 'linked-root');
    mkdirSync(linkedRoot);
    symlinkSync(outside, join(linkedRoot, 'tml'));
    await expect(readContent(linkedRoot)).rejects.toThrow('tml: a symbolic link');
  });

  it('refuses a special file named on the command line', () => {
    // A device stands for every special file (FIFO, socket, device): Node cannot make a FIFO
    // without a program beyond node and git (the fresh-machine promise), and /dev/null is everywhere.
    expect(() => readTmlFiles(['/dev/null'], work)).toThrow('/dev/null: not a regular file');
  });

  it('refuses a socket in the content folder, naming it', async () => {
    // A socket stands for the special files a folder's listing may hold (Node makes one without
    // another program; a FIFO needs mkfifo): the walk takes each entry's type from the listing.
    const dir = tree('socket');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(join(dir, 'tml', 'answer', 's.answer.tml'), resolve));
    try {
      await expect(readContent(dir)).rejects.toThrow('tml/answer/s.answer.tml: not a regular file');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('reads files of every size whole, each after one of another size', () => {
    // One buffer is reused for every file that fits it (1 MiB): each text must be its own file's, whole, and no more.
    const sizes = [2.5 * 1024 * 1024, 3, 1024 * 1024 + 1, 0, 1024 * 1024, 17, 1024 * 1024 - 1, 3500];
    const dir = tree('sizes', (d) => sizes.forEach((size, n) => writeFileSync(join(d, 'tml', `f${n}.tml`), String.fromCharCode(97 + n).repeat(size))));
    const texts = readTmlFiles(['tml'], dir).filter((f) => !f.path.includes('answer')).map((f) => f.text);
    expect(texts.map((text) => text.length)).toEqual(sizes);
    texts.forEach((text, n) => expect(text === String.fromCharCode(97 + n).repeat(sizes[n]!), `f${n}.tml`).toBe(true));
  });

  // A file whose size says nothing of its length, as one that grew after its check: /proc's files have size 0.
  it.runIf(existsSync('/proc/self/status'))('reads a file on to its end when it holds more than its size said', () => {
    expect(readSourceFile('/proc/self/status')).toMatch(/^Name:[^]*\nPid:\s+\d+\n/);
  });

  it('refuses a file over the size limit, naming it', async () => {
    const dir = tree('big', (d) => {
      const big = join(d, 'tml', 'answer', 'big.answer.tml');
      writeFileSync(big, '');
      truncateSync(big, MAX_SOURCE_BYTES + 1); // sparse: no disk used
    });
    await expect(readContent(dir)).rejects.toThrow(/tml\/answer\/big\.answer\.tml: \d+ bytes, more than the \d+ a source file may have/);
  });

  it('reads a single file by its path, refusing a link to it', () => {
    const dir = tree('single', (d) => symlinkSync(join(d, 'tml', 'answer', 'a.answer.tml'), join(d, 'link.tml')));
    expect(readSourceFile(join(dir, 'tml', 'answer', 'a.answer.tml'))).toBe(ANSWER);
    expect(() => readSourceFile(join(dir, 'link.tml'), 'link.tml')).toThrow('link.tml: a symbolic link');
    expect(() => readSourceFile(join(dir, 'missing.tml'), 'missing.tml')).toThrow(MissingSourceError);
  });

  it('reads paths given relative to the base or absolute, showing those outside the base as given', () => {
    const dir = tree('paths');
    const absolute = join(dir, 'tml', 'answer', 'a.answer.tml');
    expect(readTmlFiles(['tml'], dir).map((f) => f.path)).toEqual(['tml/answer/a.answer.tml']);
    expect(readTmlFiles([absolute], dir).map((f) => f.path)).toEqual(['tml/answer/a.answer.tml']);
    expect(readTmlFiles([absolute], join(work, 'empty')).map((f) => f.path)).toEqual([absolute]);
    expect(() => readTmlFiles(['/no/such/folder'], dir)).toThrow('/no/such/folder: no such file or folder');
  });
});

describe('reading one open file to its end', () => {
  type Read = typeof readSync;
  /** `readSync`, whose first read runs `before` (the file changed after its check) and returns at most `first` bytes. */
  const reader = (first: number, before: () => void = () => undefined): Read => {
    let calls = 0;
    return ((fd: number, buffer: Buffer, offset: number, length: number, position: null) => {
      calls += 1;
      if (calls > 1) return readSync(fd, buffer, offset, length, position);
      before();
      return readSync(fd, buffer, offset, Math.min(length, first), position);
    }) as Read;
  };
  const readWith = (path: string, read: Read): string => {
    const fd = openSync(path, 'r');
    try {
      return readBounded(fd, fstatSync(fd).size, path, read);
    } finally {
      closeSync(fd);
    }
  };
  const fileOf = (name: string, text: string): string => {
    const path = join(work, name);
    writeFileSync(path, text);
    return path;
  };

  it('reads on past a first read that comes back short of the size, either side of the reused buffer\'s', () => {
    for (const [n, size] of [1000, 1024 * 1024 - 1, 1024 * 1024, 1024 * 1024 + 1].entries()) {
      const text = String.fromCharCode(97 + n).repeat(size);
      expect(readWith(fileOf(`short-${n}.tml`, text), reader(Math.floor(size / 2))) === text, `${size} bytes`).toBe(true);
    }
  });

  it('reads what a file gained or lost after its check, and refuses one that grew past the bound', () => {
    const grown = fileOf('grown.tml', 'abc');
    expect(readWith(grown, reader(Infinity, () => appendFileSync(grown, 'defgh')))).toBe('abcdefgh');
    const shrunk = fileOf('shrunk.tml', 'abcdefgh');
    expect(readWith(shrunk, reader(Infinity, () => truncateSync(shrunk, 3)))).toBe('abc');
    const huge = fileOf('huge.tml', 'abc');
    expect(() => readWith(huge, reader(Infinity, () => truncateSync(huge, MAX_SOURCE_BYTES + 1)))).toThrow(`${huge}: more than the ${MAX_SOURCE_BYTES} bytes a source file may have; refused`);
  });
});

describe('tmlsync validate of an absolute path', () => {
  it('reads the path as given, not under the working directory', async () => {
    const dir = tree('validate-absolute');
    let stdout = '';
    let stderr = '';
    const io: CliIo = { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) }, env: { PATH: process.env.PATH, HOME: process.env.HOME } };
    const code = await run(['--log-level', 'silent', 'validate', join(dir, 'tml')], io);
    expect(stderr).not.toContain('no such file or folder');
    expect(stderr).toContain('1 file checked offline');
    expect(stdout).toContain('a.answer.tml');
    expect(code).toBe(2); // the answer's table is not among the files
  });
});
