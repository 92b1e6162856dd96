/**
 * Prints the plain `N passed, N failed[, N skipped]` line last, which CI reads as the result.
 */
import type { Reporter, TestModule } from 'vitest/node';

function count(modules: readonly TestModule[]): { passed: number; failed: number; skipped: number } {
  const totals = { passed: 0, failed: 0, skipped: 0 };
  for (const mod of modules) {
    for (const test of mod.children.allTests()) {
      const state = test.result().state;
      if (state === 'passed') totals.passed += 1;
      else if (state === 'failed') totals.failed += 1;
      else totals.skipped += 1;
    }
    // A file that failed to load counts as one failure so a broken suite is never "0 failed".
    if (mod.state() === 'failed' && [...mod.children.allTests()].length === 0) totals.failed += 1;
  }
  return totals;
}

/** Vitest reporter writing the summary line after every other reporter. */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: readonly TestModule[]): void {
    const { passed, failed, skipped } = count(modules);
    const tail = skipped > 0 ? `, ${skipped} skipped` : '';
    // Listed after the default reporter in vitest.config.ts, so this line comes last.
    process.stdout.write(`${passed} passed, ${failed} failed${tail}\n`);
  }
}
