import type { PeriodMs } from '@tally/metering';
import { Decimal } from '@tally/money';
import { DateTime } from 'luxon';
import type { PlanTerms } from './plan.js';

export type ProrationBasis = PlanTerms['proration'];

const memo = new Map<string, number>();

/**
 * The local calendar days of [start, end) in `timeZone`: its start's local date up to, not including, its end's
 * local date. This is the one by-day rule of tally, used by the daily standing charge and by billing's by-day
 * proration alike: when a plan change cuts a period, **the day of the change is charged on the new plan
 * version** (it is the first date of the new part, and the old part stops before it), and the day a
 * cancellation takes effect is not charged. A 23- or 25-hour DST day is one day. The parts of a period always
 * add up to the period's days. Memoised: a billing run asks the same few periods and zones for every customer.
 *
 * @example
 * // a change at 14:00 local on 10 April: the old version has 1–9 April, the new one 10–30 April
 * localDays(Date.parse('2026-04-01T00:00:00Z'), Date.parse('2026-04-10T14:00:00Z'), 'UTC') // 9
 * localDays(Date.parse('2026-04-10T14:00:00Z'), Date.parse('2026-05-01T00:00:00Z'), 'UTC') // 21
 */
export function localDays(startMs: number, endMs: number, timeZone: string): number {
  const key = `${startMs}|${endMs}|${timeZone}`;
  let days = memo.get(key);
  if (days === undefined) {
    days = Math.max(0, localDayNumber(endMs, timeZone) - localDayNumber(startMs, timeZone));
    if (memo.size >= 1000) memo.clear();
    memo.set(key, days);
  }
  return days;
}

/** Days since 1970-01-01 of the local calendar date at `ms` (a date is a date, whatever its hours). */
function localDayNumber(ms: number, timeZone: string): number {
  const d = DateTime.fromMillis(ms, { zone: timeZone });
  return Date.UTC(d.year, d.month - 1, d.day) / 86_400_000;
}

/** A part of a period weighed against the full period: days or seconds of each. */
export interface PeriodShare {
  readonly numerator: number;
  readonly denominator: number;
}

/**
 * The share of the nominal (full) period that `part` covers, by the plan's proration basis:
 * - `by-day`: local calendar days ({@link localDays}), so a change day counts for the new version;
 * - `by-second`: elapsed seconds, so a DST month has 743 or 745 hours;
 * - `none`: the part that starts where the charged part of the period starts (`chargeStartMs`) counts in
 *   full, any other part not at all.
 */
export function periodShare(
  basis: ProrationBasis,
  part: PeriodMs,
  nominal: PeriodMs,
  timeZone: string,
  chargeStartMs: number = nominal.startMs,
): PeriodShare {
  switch (basis) {
    case 'by-day':
      return {
        numerator: localDays(part.startMs, part.endMs, timeZone),
        denominator: localDays(nominal.startMs, nominal.endMs, timeZone),
      };
    case 'by-second':
      return {
        numerator: (part.endMs - part.startMs) / 1000,
        denominator: (nominal.endMs - nominal.startMs) / 1000,
      };
    case 'none':
      return { numerator: part.startMs === chargeStartMs ? 1 : 0, denominator: 1 };
  }
}

/**
 * The allowance of a part of a period: `included × numerator ÷ denominator`, rounded half-up to as many
 * decimals as the plan writes `included` with ("1000" → whole units, "2.50" → hundredths). Each part of a
 * split period is rounded on its own, so the parts may differ from the full allowance by up to half a unit
 * each (1000 over 10 + 21 of 31 days: 322.58… → 323 and 677.41… → 677, together 1000).
 *
 * @example
 * prorateAllowance('1000', { numerator: 10, denominator: 31 }).toFixed() // '323'
 */
export function prorateAllowance(included: string, share: PeriodShare): Decimal {
  const dot = included.indexOf('.');
  const places = dot < 0 ? 0 : included.length - dot - 1;
  return new Decimal(included)
    .times(share.numerator)
    .div(share.denominator)
    .toDecimalPlaces(places, Decimal.ROUND_HALF_UP);
}
