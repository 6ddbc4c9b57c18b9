import { Decimal } from '@tally/money';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { constant, perCharge } from '../prepare.js';
import { label, type Pricer } from '../pricer.js';
import { ChargeBaseShape, DecimalStringSchema } from '../schema-parts.js';

/**
 * A standing charge per day of supply (electricity, gas): amount × the number of local calendar days
 * that start inside the period, in the customer's time zone. Priced per day, so it is never prorated again.
 */
export const DailyChargeSchema = z
  .object({ type: z.literal('daily'), ...ChargeBaseShape, amountPerDay: DecimalStringSchema })
  .describe('daily standing charge: amountPerDay × local days in the period');
export type DailyCharge = z.infer<typeof DailyChargeSchema>;

const memo = new Map<string, number>();

/**
 * The number of local midnights in [start, end), i.e. local days starting in the period. Memoised: a
 * billing run asks the same few periods and zones for every customer.
 */
export function localDays(startMs: number, endMs: number, timeZone: string): number {
  const key = `${startMs}|${endMs}|${timeZone}`;
  let days = memo.get(key);
  if (days === undefined) {
    days = Math.max(
      0,
      dayNumber(firstMidnight(endMs, timeZone)) - dayNumber(firstMidnight(startMs, timeZone)),
    );
    if (memo.size >= 1000) memo.clear();
    memo.set(key, days);
  }
  return days;
}

/** The first local midnight at or after `ms`. */
function firstMidnight(ms: number, timeZone: string): DateTime {
  const local = DateTime.fromMillis(ms, { zone: timeZone });
  const midnight = local.startOf('day');
  return midnight.toMillis() < ms ? midnight.plus({ days: 1 }) : midnight;
}

/** Days since the epoch of a local calendar date, free of DST (a day is a day, whatever its hours). */
function dayNumber(d: DateTime): number {
  return Date.UTC(d.year, d.month - 1, d.day) / 86_400_000;
}

const prepare = perCharge((charge: DailyCharge) => ({
  perDay: constant(charge.amountPerDay),
  name: label(charge),
}));

export const priceDaily: Pricer<DailyCharge> = ({ charge, period, timeZone, line }) => {
  const days = new Decimal(localDays(period.startMs, period.endMs, timeZone));
  const { perDay, name } = prepare(charge);
  return [
    line({
      description: name,
      quantity: days,
      unit: 'day',
      unitPrice: perDay,
      precise: days.times(perDay),
    }),
  ];
};
