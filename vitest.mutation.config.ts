/**
 * The fast unit tests that mutation testing runs (`npm run test:mutation`): the tests beside the code (server and web UI), no
 * integration servers, no network namespaces, no browser. Stryker runs them once per mutant.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'web/src/**/*.test.ts'],
    testTimeout: 20_000,
  },
});
