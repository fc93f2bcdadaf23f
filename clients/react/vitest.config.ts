import { defineConfig } from 'vitest/config';

export default defineConfig({
  // The test support shared with the other binding (globalSetup, environment, helpers) lives
  // in the SDK's package, beside this one.
  server: { fs: { allow: ['..'] } },
  test: {
    environment: '../typescript/tests/support/bindings-environment.ts',
    // The live stack (a real server, the mock upstream) of the SDK's suite, shared.
    globalSetup: ['../typescript/tests/support/global-setup.ts'],
    include: ['test/**/*.test.{ts,tsx}'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // One server for every file: files run one after another, tests inside a file too.
    fileParallelism: false,
  },
});
