import type { Decimal } from '@tally/money';

/**
 * The sign of `a − b` for finite Decimals, as `a.cmp(b)` gives it. decimal.js's comparisons (`cmp`, `lt`,
 * `lte`, `gt`, `gte`) copy their argument before comparing, an allocation per tier bound or threshold
 * tested; this reads the fields decimal.js documents as read-only (`s` sign, `e` exponent, `d` normalised
 * base-1e7 digit words) in the same order `cmp` does, without the copy. A property test holds it to `cmp`.
 */
export function compare(a: Decimal, b: Decimal): number {
  const ad = a.d;
  const bd = b.d;
  const as = a.s;
  if (ad[0] === 0 || bd[0] === 0) return ad[0] !== 0 ? as : bd[0] !== 0 ? -b.s : 0;
  if (as !== b.s) return as;
  if (a.e !== b.e) return a.e > b.e === as > 0 ? 1 : -1;
  const n = Math.min(ad.length, bd.length);
  for (let i = 0; i < n; i++) {
    const x = ad[i]!;
    const y = bd[i]!;
    if (x !== y) return x > y === as > 0 ? 1 : -1;
  }
  return ad.length === bd.length ? 0 : ad.length > bd.length === as > 0 ? 1 : -1;
}

/** a > 0, from the sign and the first digit word. */
export function isPositive(a: Decimal): boolean {
  return a.s > 0 && a.d[0] !== 0;
}
