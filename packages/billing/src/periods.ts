import type { DateTime, DurationLikeObject } from 'luxon';
import type { Customer } from './customer.js';
import { BillingInputError } from './errors.js';
import type { BillingInterval, Subscription } from './subscription.js';
import { type Interval, inZone, ms, parseInstant, toInstant } from './time.js';

/**
 * One billing period of a subscription: [start, end), UTC instants, end exclusive.
 * `nominal` is the full period the alignment rule gives; it differs from [start, end) only for a short
 * first period (a start inside a calendar period) or a short last period (an end inside a period), and it is
 * the denominator of proration.
 */
export interface BillingPeriod {
  /** 0 for the period that contains the subscription start, then 1, 2, … */
  readonly index: number;
  readonly start: string;
  readonly end: string;
  readonly nominal: Interval;
}

type PeriodSubscription = Pick<Subscription, 'start' | 'end' | 'interval' | 'alignment'>;
type PeriodCustomer = Pick<Customer, 'timeZone'>;

/** Guards loops against a range spanning more periods than any sane billing job asks for. */
const MAX_PERIODS = 100_000;

function step(interval: BillingInterval, n: number): DurationLikeObject {
  switch (interval) {
    case 'week':
      return { weeks: n };
    case 'month':
      return { months: n };
    case 'quarter':
      return { months: 3 * n };
    case 'year':
      return { years: n };
  }
}

/** The local start of the nominal period 0 (from which every boundary is counted). */
function anchor(sub: PeriodSubscription, zone: string): DateTime {
  const start = inZone(sub.start, zone);
  if (sub.alignment === 'anniversary') return start;
  return start.startOf(sub.interval === 'week' ? 'week' : sub.interval);
}

/**
 * Boundary n of the nominal grid. Always counted from the anchor, never from the previous boundary, so an
 * anniversary on the 31st comes back to the 31st after a short month (luxon clamps Jan 31 + 1 month to Feb 28/29).
 */
function boundary(sub: PeriodSubscription, base: DateTime, n: number): DateTime {
  return base.plus(step(sub.interval, n));
}

function periodAt(sub: PeriodSubscription, base: DateTime, n: number): BillingPeriod | null {
  if (n < 0) return null;
  const nominal = { start: toInstant(boundary(sub, base, n)), end: toInstant(boundary(sub, base, n + 1)) };
  const start = n === 0 ? sub.start : nominal.start;
  const end = sub.end !== undefined && ms(sub.end) < ms(nominal.end) ? sub.end : nominal.end;
  if (ms(start) >= ms(end)) return null;
  return { index: n, start, end, nominal };
}

/** The index of the nominal period containing `t` (t at or after the anchor). */
function indexAt(sub: PeriodSubscription, base: DateTime, t: DateTime): number {
  const unit = sub.interval === 'week' ? 'weeks' : sub.interval === 'year' ? 'years' : 'months';
  const raw = t.diff(base, unit).as(unit);
  let n = Math.max(0, Math.floor(sub.interval === 'quarter' ? raw / 3 : raw));
  while (n > 0 && boundary(sub, base, n).toMillis() > t.toMillis()) n--;
  while (boundary(sub, base, n + 1).toMillis() <= t.toMillis()) n++;
  return n;
}

/**
 * The period of the subscription that contains the instant `at`, or null when `at` is before the start or
 * at/after the end.
 *
 * @example
 * periodContaining(sub, { timeZone: 'Europe/Berlin' }, '2026-03-15T12:00:00Z')
 * // → { index: 2, start: '2026-02-28T23:00:00Z', end: '2026-03-31T22:00:00Z', nominal: … } for a calendar-monthly sub
 */
export function periodContaining(
  sub: PeriodSubscription,
  customer: PeriodCustomer,
  at: string,
): BillingPeriod | null {
  const t = parseInstant(at);
  if (t.toMillis() < ms(sub.start)) return null;
  if (sub.end !== undefined && t.toMillis() >= ms(sub.end)) return null;
  const base = anchor(sub, customer.timeZone);
  return periodAt(sub, base, indexAt(sub, base, t.setZone(customer.timeZone)));
}

/** The period with the given index (0 = the one containing the start), or null past the end. */
export function periodByIndex(
  sub: PeriodSubscription,
  customer: PeriodCustomer,
  index: number,
): BillingPeriod | null {
  return periodAt(sub, anchor(sub, customer.timeZone), index);
}

/**
 * Every period that overlaps [from, to), in order. Consecutive periods tile time: each starts where the
 * previous one ends, from the subscription start to its end.
 *
 * @example
 * billingPeriods(sub, customer, { from: '2026-01-01T00:00:00Z', to: '2027-01-01T00:00:00Z' }) // 12 monthly periods
 */
export function billingPeriods(
  sub: PeriodSubscription,
  customer: PeriodCustomer,
  range: { from: string; to: string },
): BillingPeriod[] {
  const from = ms(range.from) < ms(sub.start) ? sub.start : range.from;
  const first = periodContaining(sub, customer, from);
  if (first === null) return [];
  const base = anchor(sub, customer.timeZone);
  const out: BillingPeriod[] = [];
  const to = ms(range.to);
  for (
    let p: BillingPeriod | null = first;
    p !== null && ms(p.start) < to;
    p = periodAt(sub, base, p.index + 1)
  ) {
    out.push(p);
    if (out.length > MAX_PERIODS) {
      throw new BillingInputError(
        `billingPeriods: range ${range.from}..${range.to} spans over ${MAX_PERIODS} periods`,
        {
          range,
        },
      );
    }
  }
  return out;
}

/**
 * The next instant strictly after `after` at which a period closes (an invoice for it is due), or null when
 * the subscription has ended by then. The scheduler adds the plan's `draftGraceHours` before finalizing.
 */
export function nextBillTime(
  sub: PeriodSubscription,
  customer: PeriodCustomer,
  after: string,
): string | null {
  if (ms(after) < ms(sub.start)) return periodByIndex(sub, customer, 0)?.end ?? null;
  return periodContaining(sub, customer, after)?.end ?? null;
}
