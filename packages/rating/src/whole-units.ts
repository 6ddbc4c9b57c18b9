import type { Decimal } from '@tally/money';

/** Below 10^15 every integer, and every difference of two of them, is exact in a JS number (< 2^53). */
const LIMIT_EXPONENT = 14;

/**
 * The integer part of a finite, non-negative Decimal below 10^15 as a JS number (exact), or undefined for
 * a negative or larger one. It reads the fields decimal.js documents as read-only, as `compare` does: `e`,
 * the exponent of the leading digit, and `d`, the base-1e7 digit words aligned to the decimal point (word
 * i holds the digits of 1e7^(⌊e/7⌋ − i); trailing zero words are dropped). `truncated().toNumber()` gives
 * the same number at the cost of a copy of the Decimal; a property test holds it to that.
 */
export function wholeUnits(a: Decimal): number | undefined {
  if (a.s < 0 || a.e > LIMIT_EXPONENT) return undefined;
  if (a.e < 0) return 0;
  const d = a.d;
  const top = Math.floor(a.e / 7);
  let n = 0;
  for (let i = 0; i <= top; i++) n = n * 1e7 + (d[i] ?? 0);
  return n;
}

/**
 * A decimal string of a non-negative integer below 10^15 (as the charge configs write sizes and free
 * units) as a JS number, or undefined when it is not one: then callers keep to Decimal arithmetic.
 */
export function wholeUnitsOf(text: string): number | undefined {
  const match = /^(\d{1,15})(?:\.0*)?$/.exec(text);
  return match === null ? undefined : Number(match[1]);
}
