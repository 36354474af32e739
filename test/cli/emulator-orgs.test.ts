import { describe, expect, it } from 'vitest';
import { emulatorOptions, type EmulatorCommandOptions } from '../../src/cli/commands/emulator.js';
import { InvalidInputError } from '../../src/errors/index.js';

const flags = (orgs: string): EmulatorCommandOptions => ({ host: '127.0.0.1', port: '0', seed: 'none', guidPolicy: 'keep', orgs });

describe('tmlsync emulator --orgs', () => {
  it('takes comma-separated Org names, trimmed, each once', () => {
    expect(emulatorOptions(flags(' Dev, Prod ,Dev'), {}).orgs).toEqual(['Dev', 'Prod']);
  });

  it('refuses a number or an empty list, naming the flag (exit 2)', () => {
    for (const bad of ['Dev,7', ' , ']) {
      expect(() => emulatorOptions(flags(bad), {})).toThrow(InvalidInputError);
      expect(() => emulatorOptions(flags(bad), {})).toThrow('--orgs');
    }
  });
});
