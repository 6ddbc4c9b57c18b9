import { Decimal, type LineAmount, lineAmount, type RoundingMode } from '@tally/money';
import { periodShare } from '@tally/rating';
import type { BillingPlanTerms } from './plan-port.js';
import { type Interval, ms } from './time.js';

export type ProrationBasis = BillingPlanTerms['proration'];

/** How a part of a period was weighed against the full period; printed on prorated lines. */
export interface ProrationFactor {
  readonly basis: ProrationBasis;
  /** Days or seconds of the part (for `none`: 1 or 0). */
  readonly numerator: number;
  /** Days or seconds of the full (nominal) period (for `none`: 1). */
  readonly denominator: number;
  /** numerator / denominator, a decimal string with up to 40 significant digits. */
  readonly factor: string;
}

/**
 * The share of the full period `nominal` that `part` represents, by the rule `periodShare` of @tally/rating
 * implements for rating and billing alike (so a daily standing charge and a prorated fee agree on every day):
 *
 * - `by-day`: calendar days in the customer's zone (`localDays`). A part counts the local dates from its start
 *   date up to, not including, its end date, so the day of a change is billed on the new plan and the day of a
 *   cancellation is not billed; a 23- or 25-hour DST day is one day. Parts of a period always add up to the
 *   period's days.
 * - `by-second`: elapsed seconds, so a DST month has 743 or 745 hours.
 * - `none`: no proration: the part that starts where the charged part of the period starts (`chargeStart`)
 *   is charged in full, any other part not at all (a change takes effect for fixed fees next period).
 *
 * @example
 * prorationFactor('by-day', { start: '2026-04-10T14:00:00Z', end: '2026-05-01T00:00:00Z' },
 *   { start: '2026-04-01T00:00:00Z', end: '2026-05-01T00:00:00Z' }, 'UTC') // 21/30
 */
export function prorationFactor(
  basis: ProrationBasis,
  part: Interval,
  nominal: Interval,
  zone: string,
  chargeStart: string = nominal.start,
): ProrationFactor {
  const { numerator, denominator } = periodShare(
    basis,
    { startMs: ms(part.start), endMs: ms(part.end) },
    { startMs: ms(nominal.start), endMs: ms(nominal.end) },
    zone,
    ms(chargeStart),
  );
  return { basis, numerator, denominator, factor: new Decimal(numerator).div(denominator).toFixed() };
}

/**
 * A full-period amount times a factor (and a quantity), rounded once from the unrounded amount, as the
 * contract asks: `lineAmount(precise × factor)`, never a rounded amount re-rounded.
 */
export function prorateAmount(
  fullPrecise: string,
  factor: ProrationFactor,
  currency: string,
  rounding: RoundingMode,
  quantity = '1',
): LineAmount {
  return lineAmount(
    new Decimal(fullPrecise).times(quantity).times(factor.numerator).div(factor.denominator),
    currency,
    rounding,
  );
}
