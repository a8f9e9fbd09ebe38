import { builtinModules } from 'node:module';
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// The layering: renderer → shared ← electron/services ← electron, and inside services one folder
// per domain with its own rule (DOMAINS). Only electron/ (outside services/) may import Electron.
const electronModule = { name: 'electron', message: 'Only electron/ (not services/) may import Electron.' };
const nodeBuiltins = builtinModules.map((name) => ({ name, message: 'Node modules are for electron/ and its services only.' }));

// The domains of electron/services, each a folder, and which other domains each may import (all
// may import shared/). Lower domains know nothing of those above them: the engine knows no
// sessions, sessions know no API, and only app/ wires everything together.
const DOMAINS = {
  storage: [],
  engine: [],
  secrets: [],
  settings: ['storage'],
  accounts: ['storage'],
  blender: ['engine'],
  sessions: ['engine', 'blender'],
  files: ['engine', 'blender', 'sessions'],
  assets: ['engine', 'blender'],
  api: ['accounts', 'settings', 'secrets', 'engine', 'blender', 'sessions', 'files', 'assets'],
  app: ['storage', 'engine', 'secrets', 'settings', 'accounts', 'blender', 'sessions', 'files', 'assets', 'api'],
};

function domainRules() {
  return Object.entries(DOMAINS).map(([domain, allowed]) => {
    const forbidden = Object.keys(DOMAINS).filter((d) => d !== domain && !allowed.includes(d));
    return {
      files: [`electron/services/${domain}/**/*.ts`],
      rules: {
        'no-restricted-imports': ['error', {
          paths: [electronModule],
          patterns: [
            { group: ['**/renderer/**'], message: 'services/ may import only services/ and shared/.' },
            ...(forbidden.length ? [{
              group: forbidden.flatMap((d) => [`../${d}/*`, `../../${d}/*`]),
              message: `services/${domain}/ may import only ${allowed.length ? allowed.map((d) => `${d}/`).join(', ') + ' and ' : ''}shared/ (see DOMAINS in eslint.config.js).`,
            }] : []),
          ],
        }],
      },
    };
  });
}

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
    // The Electron glue (main, preload, window, tray…) may use Electron and the services, never the renderer's code.
    files: ['electron/**/*.ts'],
    ignores: ['electron/services/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['**/renderer/**'], message: 'electron/ talks to the renderer through the preload API only.' }],
      }],
    },
  },
  ...domainRules(),
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
