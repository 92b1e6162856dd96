import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**'],
    reporters: ['default', './test/summary-reporter.ts'],
    // Tests that start kvt processes run the compiled build: it is brought up to date first.
    globalSetup: ['./test/build-setup.ts'],
    testTimeout: 30_000,
    // Never write missing snapshots in CI: golden files are committed and reviewed.
    update: false,
  },
});
