import type DecimalJs from 'decimal.js';
import { z } from 'zod';
import { currencyExponent } from './currencies.js';
import { Decimal, type DecimalInput } from './decimal.js';

/**
 * How an amount is rounded to the currency's minor unit. `half-up` rounds halves away from zero
 * (the commercial rule, tally's default); `half-even` is banker's rounding; `up` and `down` round away
 * from and towards zero.
 */
export const RoundingModeSchema = z.enum(['half-up', 'half-even', 'up', 'down']);
export type RoundingMode = z.infer<typeof RoundingModeSchema>;

export const DEFAULT_ROUNDING: RoundingMode = 'half-up';

const DECIMAL_JS_MODE: Record<RoundingMode, DecimalJs.Rounding> = {
  'half-up': Decimal.ROUND_HALF_UP,
  'half-even': Decimal.ROUND_HALF_EVEN,
  up: Decimal.ROUND_UP,
  down: Decimal.ROUND_DOWN,
};

/** Rounds to `places` decimals with the given mode. */
export function roundTo(value: DecimalInput, places: number, mode: RoundingMode = DEFAULT_ROUNDING): Decimal {
  return new Decimal(value as string).toDecimalPlaces(places, DECIMAL_JS_MODE[mode]);
}

/** Rounds an amount to the currency's minor unit: 2 decimals for EUR, 0 for JPY, 3 for KWD. */
export function roundToMinor(
  amount: DecimalInput,
  currency: string,
  mode: RoundingMode = DEFAULT_ROUNDING,
): Decimal {
  return roundTo(amount, currencyExponent(currency), mode);
}

/** An amount in minor units (cents, fils, yen) as an exact integer. The amount must already be rounded. */
export function toMinorUnits(amount: DecimalInput, currency: string): bigint {
  const d = new Decimal(amount as string);
  const scaled = d.times(new Decimal(10).pow(currencyExponent(currency)));
  if (!scaled.isInteger()) {
    throw new RangeError(`${d.toFixed()} ${currency} is not a whole number of minor units: round it first`);
  }
  return BigInt(scaled.toFixed(0));
}

/** The inverse of {@link toMinorUnits}. */
export function fromMinorUnits(minor: bigint, currency: string): Decimal {
  return new Decimal(minor.toString()).div(new Decimal(10).pow(currencyExponent(currency)));
}

/** The currency amount formatted with exactly its number of decimals, e.g. "12.30" for USD, "5" for JPY. */
export function formatMinor(amount: DecimalInput, currency: string): string {
  return new Decimal(amount as string).toFixed(currencyExponent(currency));
}
