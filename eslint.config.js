// @ts-check
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

/**
 * Adapters are the only files that may touch the outside world directly (STYLE.md: ports and adapters).
 * Each entry is a file named after the technology it wraps.
 */
const adapterFiles = [
  'src/core/child-process-runner.ts',
  'src/core/node-fs.ts',
  'src/core/file-secrets.ts',
  'src/store/lowdb-store.ts',
  'src/store/segment-log.ts',
  'src/store/data-dir.ts',
  'src/http/node-server.ts',
  'src/core/dgram-udp.ts',
  'src/reach/router/gena-http.ts',
  'src/http/static-assets.ts',
  'src/control/socket-server.ts',
  'src/main.ts',
  'src/offline.ts',
  'src/cli.ts',
  'src/cert/acme-client.ts',
  'src/cert/http01-server.ts',
  'src/cert/cert-files.ts',
];

const restrictedModules = [
  'node:child_process',
  'child_process',
  'node:dgram',
  'dgram',
  'node:fs',
  'fs',
  'node:fs/promises',
  'fs/promises',
  'acme-client',
  'lowdb',
  'lowdb/node',
];

export default defineConfig(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      'web/dist/**',
      'data/**',
      'test-artifacts/**',
      'coverage/**',
      'bin/**',
      'reports/**',
      '.stryker-tmp*/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: {
          allowDefaultProject: ['eslint.config.js', 'scripts/*.js'],
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
      // `(t) => (out += t)` and `() => resolve()` callbacks read clearly; braces would add noise, not safety.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: [...adapterFiles, 'src/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: restrictedModules.map((name) => ({
            name,
            message:
              'Only adapter files (listed in eslint.config.js) talk to the outside world; inject a port instead.',
          })),
        },
      ],
      // Only src/config reads the environment (STYLE.md: one composition root).
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read settings in src/config/ only.' },
      ],
    },
  },
  {
    // src/config reads the environment by design; the CLI hands process.env to it (CliIo.env).
    files: ['src/config/**/*.ts', 'src/cli.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    files: ['**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  {
    // The CLI and scripts talk to a terminal on purpose.
    files: ['src/cli.ts', 'scripts/**', 'test/**'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['test/**/*.ts', 'src/**/*.test.ts'],
    rules: {
      // Tests assert on parsed JSON bodies whose shape the assertion itself checks.
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
