/**
 * kubectl's table output for our kinds: NAME, then the CRD's additionalPrinterColumns (priority 0;
 * `-o wide` adds the rest), with kubectl's age format and the JSONPath subset the columns use
 * (`.a.b`, `[0]`, `[?(@.type=='Ready')]`). Pure: the caller passes the time.
 * @see https://kubernetes.io/docs/reference/kubectl/jsonpath/
 */
import { crdOf } from '../crd-gen/crds.js';
import type { KindName } from '../crd-gen/index.js';

/** One printer column of a CRD. */
interface Column {
  readonly name: string;
  readonly type: string;
  readonly jsonPath: string;
  readonly priority?: number;
}

type Step = { readonly field: string } | { readonly index: number } | { readonly where: string; readonly equals: string };

const STEP = /\.([A-Za-z0-9_-]+)|\[(\d+)\]|\[\?\(@\.([A-Za-z0-9_]+)\s*==\s*'([^']*)'\)\]/y;

/** The steps of a column path, or an error naming the unsupported part. */
export function parseColumnPath(path: string): Step[] {
  const steps: Step[] = [];
  STEP.lastIndex = 0;
  while (STEP.lastIndex < path.length) {
    const at = STEP.lastIndex;
    const m = STEP.exec(path);
    if (m === null) throw new Error(`unsupported JSONPath ${JSON.stringify(path)} at offset ${at}`);
    if (m[1] !== undefined) steps.push({ field: m[1] });
    else if (m[2] !== undefined) steps.push({ index: Number(m[2]) });
    else steps.push({ where: m[3] as string, equals: m[4] as string });
  }
  return steps;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function apply(values: readonly unknown[], step: Step): unknown[] {
  if ('field' in step) return values.map((v) => record(v)?.[step.field]).filter((v) => v !== undefined);
  if ('index' in step) return values.map((v) => (Array.isArray(v) ? v[step.index] : undefined)).filter((v) => v !== undefined);
  return values.flatMap((v) => (Array.isArray(v) ? v.filter((item) => String(record(item)?.[step.where]) === step.equals) : []));
}

/** Every value a column path selects in `object` (kubectl prints them comma-separated). */
export function evaluateColumnPath(object: unknown, path: string): unknown[] {
  return parseColumnPath(path).reduce<unknown[]>((values, step) => apply(values, step), [object]);
}

/** kubectl's age (apimachinery HumanDuration): `45s`, `3m12s`, `17m`, `5h3m`, `30h`, `4d2h`, `120d`, `3y20d`. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  return longDuration(hours);
}

function longDuration(hours: number): string {
  const days = Math.floor(hours / 24);
  if (hours < 24 * 8) return hours % 24 === 0 ? `${days}d` : `${days}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = Math.floor(days / 365);
  if (hours < 24 * 365 * 8) return days % 365 === 0 ? `${years}y` : `${years}y${days % 365}d`;
  return `${years}y`;
}

function cell(object: unknown, column: Column, now: Date): string {
  const values = evaluateColumnPath(object, column.jsonPath);
  if (column.type === 'date') {
    const time = typeof values[0] === 'string' ? Date.parse(values[0]) : NaN;
    return Number.isNaN(time) ? '<unknown>' : humanDuration(now.getTime() - time);
  }
  return values.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join(',');
}

/** Options of {@link printTable}. */
export interface TableOptions {
  /** `-o wide`: every column, whatever its priority. */
  readonly wide?: boolean;
  /** Objects from several namespaces: a NAMESPACE column first. */
  readonly withNamespace?: boolean;
  readonly now: Date;
}

/** The columns kubectl shows for a kind. */
export function columnsOf(kind: KindName, wide: boolean): Column[] {
  const version = crdOf(kind).spec.versions[0];
  return (version?.additionalPrinterColumns ?? []).filter((c) => wide || (c.priority ?? 0) === 0);
}

/** Formats rows as kubectl does: upper-case headers, left-aligned, three spaces between columns. */
export function formatRows(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((v, i) => (i === r.length - 1 ? v : v.padEnd(widths[i] ?? 0))).join('   ').trimEnd()).join('\n') + '\n';
}

/** The table `kvt get KIND` prints for `objects` of one kind. */
export function printTable(kind: KindName, objects: readonly unknown[], options: TableOptions): string {
  const columns = columnsOf(kind, options.wide ?? false);
  const header = [...(options.withNamespace ? ['NAMESPACE'] : []), 'NAME', ...columns.map((c) => c.name.toUpperCase())];
  const rows = objects.map((o) => {
    const meta = record(record(o)?.['metadata']) ?? {};
    const name = String(meta['name'] ?? '');
    const ns = options.withNamespace ? [String(meta['namespace'] ?? '')] : [];
    return [...ns, name, ...columns.map((c) => cell(o, c, options.now))];
  });
  return formatRows([header, ...rows]);
}
