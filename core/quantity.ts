/**
 * Kubernetes resource quantities (`128Mi`, `2Gi`, `500m`, `1e3`, plain numbers): parsing and the
 * integer value as `resource.Quantity.Value()` gives it (rounded up).
 * @see https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/quantity/
 */

const SUFFIXES: Readonly<Record<string, number>> = {
  '': 1, n: 1e-9, u: 1e-6, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

const QUANTITY = /^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(?:([eE][+-]?[0-9]+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]))?$/;

/** The value of a quantity in base units (may be fractional), or undefined when it does not parse. */
export function parseQuantity(q: string | number | undefined): number | undefined {
  if (q === undefined) return undefined;
  if (typeof q === 'number') return Number.isFinite(q) ? q : undefined;
  const m = QUANTITY.exec(q.trim());
  if (m === null) return undefined;
  const [, num = '', exp, suffix = ''] = m;
  const base = Number(num);
  return exp !== undefined ? Number(`${num}${exp}`) : base * (SUFFIXES[suffix] ?? 1);
}

/** The quantity's integer value, rounded up (`500m` → 1), as Quantity.Value(); undefined when malformed. */
export function quantityInt(q: string | number | undefined): number | undefined {
  const v = parseQuantity(q);
  if (v === undefined) return undefined;
  // Scaled values pick up float noise (0.1 * 1e3); round that off before taking the ceiling.
  const rounded = Math.round(v * 1e6) / 1e6;
  return Math.ceil(rounded);
}

/** Whether the quantity is set and not zero. */
export function isNonZeroQuantity(q: string | number | undefined): boolean {
  const v = parseQuantity(q);
  return v !== undefined && v !== 0;
}

const BINARY = [['Ei', 2 ** 60], ['Pi', 2 ** 50], ['Ti', 2 ** 40], ['Gi', 2 ** 30], ['Mi', 2 ** 20], ['Ki', 2 ** 10]] as const;

/** A whole number of base units in its shortest exact binary form (`4294967296` → `4Gi`). */
export function formatQuantity(value: number): string {
  for (const [suffix, size] of BINARY) if (value !== 0 && value % size === 0) return `${value / size}${suffix}`;
  return String(value);
}
