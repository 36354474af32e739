import js from '@eslint/js';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

/**
 * The module boundaries of src/ (DESIGN.md module map, issue 14): import-x
 * resolves every import to its file (`.js` specifiers to the `.ts` sources)
 * and refuses those that cross a boundary. `no-restricted-paths` sees our own
 * folders; packages and node builtins are named in `no-restricted-imports`.
 * Import cycles are found by test/app/import-cycles.test.ts, type-only imports
 * included: import-x/no-cycle found a subset of them and was a fifth of lint's
 * time (9 of 46 s of rule time, TIMING=15 on a 2-core machine).
 */
const zone = (target, from, message, except) => ({ target, from, message, ...(except ? { except } : {}) });
const boundaries = [
  zone('./src/tml', './src', 'tml/ is pure: it imports nothing of ours outside src/tml.', ['./tml']),
  zone('./src/errors', './src', 'errors/ imports nothing, so that every layer may extend its classes.', ['./errors']),
  zone('./src/sync', ['./src/thoughtspot', './src/git', './src/daemon', './src/cli', './src/app', './src/server', './src/emulator'], 'sync/ reaches ThoughtSpot and git through its ports (src/sync/ports.ts), and knows nothing of who runs it.'),
  zone('./src/daemon', './src/cli', 'The daemon and the CLI share the application layer (src/app), not each other.'),
  zone('./src/emulator', './src/thoughtspot', 'The emulator never imports the client it exists to test.'),
  zone('./src/app', ['./src/cli', './src/daemon'], 'The application layer is below the CLI and the daemon.'),
];
const cliFromDaemon = (except) => zone('./src/cli', './src/daemon', 'The CLI and the daemon share the application layer (src/app), not each other.', except);

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      // One program from tsconfig.json, which holds every TypeScript file we lint (the .js and
      // .mjs files are linted without types, below): `npx eslint .` took 44 s of CPU so, against
      // 49 s with the project service, back to back on the 2-core machine.
      parserOptions: { project: './tsconfig.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      'no-restricted-syntax': ['error', { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.json'], extensionAlias: { '.js': ['.ts', '.js'] } })],
    },
    rules: {
      'import-x/no-restricted-paths': ['error', { basePath: import.meta.dirname, zones: [...boundaries, cliFromDaemon()] }],
    },
  },
  {
    // `tmlsync daemon` and `tmlsync demo` start the service: they may import the daemon's entry
    // (the Daemon class) and nothing else of it; all composition comes from src/app.
    files: ['src/cli/commands/daemon.ts', 'src/cli/commands/demo.ts'],
    rules: { 'import-x/no-restricted-paths': ['error', { basePath: import.meta.dirname, zones: [...boundaries, cliFromDaemon(['./index.ts'])] }] },
  },
  {
    // Issue 14: no function in src/ over 60 lines, so that each step can be read, tested and changed alone.
    // Blank lines and comments do not count: the rule must never make anyone drop a why-comment.
    // The emulator's data engine (a query parser and evaluator, src/emulator/data/) is exempt: its
    // long functions are one grammar or one evaluation each, read top to bottom.
    files: ['src/**/*.ts'],
    ignores: ['src/emulator/data/**'],
    rules: { 'max-lines-per-function': ['error', { max: 60, skipBlankLines: true, skipComments: true, IIFEs: true }] },
  },
  {
    files: ['src/sync/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: ['got', 'simple-git', 'node:http', 'node:https', 'http', 'https'].map((name) => ({ name, message: 'sync/ speaks neither HTTP nor git: it reaches both through its ports (src/sync/ports.ts).' })),
      }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  {
    files: ['vitest.config.ts', 'eslint.config.js'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
