import { z } from 'zod';
import { currencyExponent, isCurrency } from './currencies.js';
import { Decimal, type DecimalInput } from './decimal.js';
import { CurrencyMismatchError } from './errors.js';
import { DEFAULT_ROUNDING, type RoundingMode, roundToMinor } from './rounding.js';

/** A decimal carried as a string in JSON, e.g. "12.345". Rejects numbers, exponents and blanks. */
export const DecimalStringSchema = z
  .string()
  .regex(/^-?\d+(\.\d+)?$/, 'must be a plain decimal string such as "12.50" (no exponent, no spaces)');

/** A non-negative decimal string. */
export const NonNegativeDecimalStringSchema = DecimalStringSchema.refine((s) => !s.startsWith('-'), {
  message: 'must not be negative',
});

export const CurrencyCodeSchema = z
  .string()
  .refine(isCurrency, { message: 'must be an active ISO 4217 currency code such as USD, EUR or JPY' });

/**
 * An amount as it appears on a line: the precise value, the value rounded once to the currency's minor
 * unit, and the rule used, so an invoice shows how each figure was obtained.
 */
export interface LineAmount {
  readonly currency: string;
  /** Unrounded decimal string. */
  readonly precise: string;
  /** Rounded to the currency's exponent, as a fixed-point decimal string ("12.30", "5", "1.250"). */
  readonly amount: string;
  readonly rounding: RoundingMode;
}

/** Rounds a precise amount once, to the minor unit, and keeps both figures. */
export function lineAmount(
  precise: DecimalInput,
  currency: string,
  rounding: RoundingMode = DEFAULT_ROUNDING,
): LineAmount {
  const p = new Decimal(precise as string);
  return {
    currency,
    precise: p.toFixed(),
    amount: roundToMinor(p, currency, rounding).toFixed(),
    rounding,
  };
}

/** Adds rounded amounts of one currency. */
export function addAmounts(
  currency: string,
  amounts: Iterable<{ currency: string; amount: string }>,
): Decimal {
  let total = new Decimal(0);
  for (const a of amounts) {
    if (a.currency !== currency) throw new CurrencyMismatchError(currency, a.currency);
    total = total.plus(a.amount);
  }
  return total;
}

/**
 * Splits an amount into parts proportional to `weights`, in minor units, so the parts always sum back
 * to the whole (largest remainder method, ties to the earlier part). Used for proration and tax allocation.
 */
export function allocate(
  amount: DecimalInput,
  currency: string,
  weights: readonly DecimalInput[],
): Decimal[] {
  if (weights.length === 0) throw new RangeError('allocate needs at least one weight');
  const ws = weights.map((w) => new Decimal(w as string));
  if (ws.some((w) => w.isNegative())) throw new RangeError('allocate weights must not be negative');
  const whole = roundToMinor(amount, currency);
  const totalWeight = ws.reduce((a, b) => a.plus(b), new Decimal(0));
  if (totalWeight.isZero()) return ws.map((_, i) => (i === 0 ? whole : new Decimal(0)));
  const sign = whole.isNegative() ? -1 : 1;
  const minor = new Decimal(10).pow(-currencyExponent(currency));
  const units = whole.abs().div(minor); // a whole number of minor units
  const raw = ws.map((w) => units.times(w).div(totalWeight));
  const parts = raw.map((r) => r.floor());
  let left = units.minus(parts.reduce((a, b) => a.plus(b), new Decimal(0))).toNumber();
  const order = raw
    .map((r, i) => ({ i, frac: r.minus(parts[i]!) }))
    .sort((a, b) => b.frac.comparedTo(a.frac) || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    parts[i] = parts[i]!.plus(1);
    left -= 1;
  }
  return parts.map((p) => p.times(minor).times(sign));
}
