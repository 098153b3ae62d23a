import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: [
            'src/**/*.test.ts',
            'test/integration/**/*.test.ts',
            'test/fakes/**/*.test.ts',
            'test/testbed/**/*.test.ts',
            'test/support/**/*.test.ts',
            // The web UI's pure modules (draft → request body, routes); its pages run in the browser project.
            'web/src/**/*.test.ts',
          ],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          // Network namespaces, real daemons: one file at a time keeps the 2-core CI machine responsive.
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
