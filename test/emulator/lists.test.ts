import { describe, expect, it } from 'vitest';
import { ListSyntaxError, parseList } from '../../src/emulator/lists.js';

describe('parseList', () => {
  it('reads JSON arrays', () => {
    expect(parseList('["WORKSHEET","ONE_TO_ONE_LOGICAL"]')).toEqual(['WORKSHEET', 'ONE_TO_ONE_LOGICAL']);
  });

  it('reads single-quoted and unquoted arrays as in the docs', () => {
    expect(parseList("['a1', 'b2']")).toEqual(['a1', 'b2']);
    expect(parseList('[3c46f48d-daa8, 59481331-ee53 ]')).toEqual(['3c46f48d-daa8', '59481331-ee53']);
    expect(parseList('[]')).toEqual([]);
    expect(parseList(' [ ] ')).toEqual([]);
  });

  it("reads a Python repr of TML strings, with \\' and \\\\ escapes", () => {
    const docs = ['guid: x\nanswer:\n  name: It\'s "big"\n', 'path: C:\\temp\n', "only 'single'"];
    // What Python's repr(list_of_str) prints for these three.
    const repr = `['guid: x\\nanswer:\\n  name: It\\'s "big"\\n', 'path: C:\\\\temp\\n', "only 'single'"]`;
    expect(parseList(repr)).toEqual(docs);
  });

  it('decodes \\x, \\u and \\U escapes', () => {
    expect(parseList(String.raw`['caf\xe9', '\u00e9t\u00e9', '\U0001f422']`)).toEqual(['café', 'été', '🐢']);
  });

  it('turns JSON objects into JSON text', () => {
    expect(parseList('[{"guid":"g","table":{"name":"t"}}]')).toEqual(['{"guid":"g","table":{"name":"t"}}']);
  });

  it('treats a bare value as a one-element list', () => {
    expect(parseList('WORKSHEET')).toEqual(['WORKSHEET']);
    expect(parseList('')).toEqual([]);
  });

  it('rejects unterminated strings and trailing text', () => {
    expect(() => parseList("['abc")).toThrow(ListSyntaxError);
    expect(() => parseList("['a'] x")).toThrow(ListSyntaxError);
    expect(() => parseList("['a' 'b']")).toThrow(ListSyntaxError);
  });
});
