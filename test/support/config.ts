import { ConfigError } from '../../src/config/index.js';

/** The problems a configuration error lists (`path: message`); fails the test when `fn` throws none. */
export function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => `${p.path}: ${p.message}`);
    throw error;
  }
  throw new Error('no ConfigError');
}
