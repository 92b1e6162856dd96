/**
 * Small benchmark toolkit: rate measurement and the row format every benchmark reports.
 * Figures are reported, never asserted: these machines are shared and noisy, so every row carries
 * a baseline measured in the same run and the ratio against it.
 */
import { performance } from 'node:perf_hooks';

/** One reported figure. `ratio` is value / baseline (for rates, higher is better). */
export interface BenchRow {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly baseline: number | null;
  readonly ratio: number | null;
}

/** A benchmark file's default export. */
export type Benchmark = () => Promise<BenchRow[]>;

/** Runs `fn` repeatedly for about `ms` milliseconds after a warm-up; returns operations per second. */
export function rate(fn: () => unknown, ms = 1500): number {
  const warmUntil = performance.now() + Math.min(300, ms / 5);
  while (performance.now() < warmUntil) fn();
  let ops = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < 100; i += 1) fn();
    ops += 100;
    now = performance.now();
  }
  return (ops * 1000) / (now - start);
}

/** A row with its ratio against the baseline, rounded for reading. */
export function row(name: string, value: number, unit: string, baseline: number | null): BenchRow {
  const round = (n: number): number => (n >= 100 ? Math.round(n) : Math.round(n * 100) / 100);
  return { name, value: round(value), unit, baseline: baseline === null ? null : round(baseline), ratio: baseline ? Math.round((value / baseline) * 100) / 100 : null };
}

/** The p-th percentile of the values (nearest rank); NaN when there are none. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}
