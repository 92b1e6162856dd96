/**
 * Small benchmark toolkit: rate measurement and the row format every benchmark reports.
 * Figures are reported, never asserted: these machines are shared and noisy, so every row carries
 * a baseline measured in the same run and the ratio against it.
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';

/** One reported figure. `ratio` is value / baseline (for rates, higher is better). */
export interface BenchRow {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly baseline: number | null;
  readonly ratio: number | null;
  /** Lowest and highest pair ratio when the figure comes from interleaved pairs. */
  readonly range?: readonly [number, number];
  /** The 1-minute load average when the row was measured. */
  readonly load?: number;
  /** The target for this figure, as text (`<= 3x`, `>= 0.8x`, `<= 80 MB`). */
  readonly target?: string;
}

/** The 1-minute load average, rounded. */
export function load1(): number {
  return Math.round((loadavg()[0] ?? 0) * 100) / 100;
}

/** Subject and baseline measured in interleaved pairs: medians of each side and of the pair ratios. */
export interface Paired {
  readonly subject: number;
  readonly baseline: number;
  readonly ratio: number;
  readonly min: number;
  readonly max: number;
  readonly pairs: number;
}

/** Summarises pair measurements (subject[i] was measured next to baseline[i]). */
export function paired(subject: readonly number[], baseline: readonly number[]): Paired {
  if (subject.length === 0 || subject.length !== baseline.length) throw new Error(`paired: ${subject.length} subject and ${baseline.length} baseline figures`);
  const ratios = subject.map((s, i) => s / baseline[i]!);
  return { subject: percentile(subject, 50), baseline: percentile(baseline, 50), ratio: percentile(ratios, 50), min: Math.min(...ratios), max: Math.max(...ratios), pairs: ratios.length };
}

/** Runs subject then baseline `pairs` times (after one warm-up of each) and summarises. */
export async function interleave(pairs: number, subject: () => Promise<number> | number, baseline: () => Promise<number> | number): Promise<Paired> {
  await subject();
  await baseline();
  const s: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < pairs; i += 1) {
    s.push(await subject());
    b.push(await baseline());
  }
  return paired(s, b);
}

/** A row from interleaved pairs: the medians as value and baseline, the median pair ratio with its range. */
export function pairedRow(name: string, m: Paired, unit: string, target?: string): BenchRow {
  const round = (n: number): number => Math.round(n * 100) / 100;
  const base = row(`${name} (median of ${m.pairs} pairs)`, m.subject, unit, m.baseline);
  return { ...base, ratio: round(m.ratio), range: [round(m.min), round(m.max)], load: load1(), ...(target === undefined ? {} : { target }) };
}

/** A row with a target and the load beside it. */
export function targetRow(name: string, value: number, unit: string, baseline: number | null, target?: string): BenchRow {
  return { ...row(name, value, unit, baseline), load: load1(), ...(target === undefined ? {} : { target }) };
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
