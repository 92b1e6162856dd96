/**
 * `npm run bench [-- NAME...]`: runs every `bench/*.bench.ts` (or those whose name contains NAME),
 * prints one table and writes the rows to bench/results.json.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';
import type { Benchmark, BenchRow } from './harness.js';

const DIR = fileURLToPath(new URL('.', import.meta.url));

function table(rows: readonly BenchRow[]): string {
  const ratio = (r: BenchRow): string => (r.ratio === null ? '-' : `${r.ratio}x${r.range === undefined ? '' : ` (${r.range[0]}-${r.range[1]})`}`);
  const cells = [
    ['name', 'figure', 'unit', 'baseline', 'ratio', 'target', 'load'],
    ...rows.map((r) => [r.name, String(r.value), r.unit, r.baseline === null ? '-' : String(r.baseline), ratio(r), r.target ?? '-', r.load === undefined ? '-' : String(r.load)]),
  ];
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((c) => c[i]!.length)));
  return cells.map((c) => c.map((v, i) => (i === 0 || i === 2 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ')).join('\n');
}

const filters = process.argv.slice(2);
const files = readdirSync(DIR).filter((f) => f.endsWith('.bench.ts')).filter((f) => filters.length === 0 || filters.some((n) => f.includes(n))).sort();
if (files.length === 0) {
  console.error(`no benchmark matches ${filters.join(', ')}; have: ${readdirSync(DIR).filter((f) => f.endsWith('.bench.ts')).join(', ')}`);
  process.exit(2);
}
const rows: BenchRow[] = [];
for (const file of files) {
  const mod = (await import(pathToFileURL(join(DIR, file)).href)) as { default: Benchmark };
  rows.push(...(await mod.default()));
}
console.log(table(rows));
writeFileSync(join(DIR, 'results.json'), `${JSON.stringify(rows, null, 2)}\n`);
