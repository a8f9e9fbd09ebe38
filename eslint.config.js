import { builtinModules } from 'node:module';
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// The layering: renderer → shared ← electron/services ← electron.
// Only electron/ (outside services/) may import Electron itself.
const electronModule = { name: 'electron', message: 'Only electron/ (not services/) may import Electron.' };
const nodeBuiltins = builtinModules.map((name) => ({ name, message: 'Node modules are for electron/ and its services only.' }));

export default tseslint.config(
  { ignores: ['node_modules/', 'out/', 'dist/', 'test-results/', 'playwright-report/', 'docker/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { paths: [electronModule] }],
    },
  },
  {
    files: ['electron/**/*.ts'],
    ignores: ['electron/services/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['electron/services/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [electronModule],
        patterns: [{ group: ['**/renderer/**'], message: 'services/ may import only services/ and shared/.' }],
      }],
    },
  },
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [electronModule, ...nodeBuiltins],
        patterns: [
          { group: ['../electron/**', '../renderer/**', 'node:*'], message: 'shared/ is pure: no Node, no Electron, no app code.' },
        ],
      }],
    },
  },
  {
    // Tests read untyped wire data on purpose.
    files: ['test/**/*.ts', 'e2e/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': ['error', {
        paths: [electronModule, ...nodeBuiltins],
        patterns: [
          { group: ['**/electron/**', 'node:*'], message: 'renderer/ may import only shared/ and the preload API.' },
        ],
      }],
      // Modules of shared/ that hold zod schemas: a value from one brings zod into the renderer's bundle.
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [{
          group: ['**/shared/settings', '**/shared/api', '**/shared/accounts', '**/shared/blender', '**/shared/credentials', '**/shared/mcp', '**/shared/validation'],
          message: 'The renderer takes only types from shared/ modules that hold schemas (their values bring zod into its bundle).',
          allowTypeImports: true,
        }],
      }],
    },
  },
);
