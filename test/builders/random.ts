/** A seeded pseudo-random source for generated test cases: the same cases on every run. */

/** Numbers in [0, 1), like Math.random. */
export type Random = () => number;

/** mulberry32: small, fast and good enough to pick mutations and values. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
