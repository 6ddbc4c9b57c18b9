import { Decimal } from '@tally/money';
import { DateTime } from 'luxon';
import { z } from 'zod';
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

/** The number of local midnights in [start, end), i.e. local days starting in the period. */
export function localDays(startMs: number, endMs: number, timeZone: string): number {
  let day = DateTime.fromMillis(startMs, { zone: timeZone }).startOf('day');
  if (day.toMillis() < startMs) day = day.plus({ days: 1 });
  let n = 0;
  while (day.toMillis() < endMs) {
    n += 1;
    day = day.plus({ days: 1 });
  }
  return n;
}

export const priceDaily: Pricer<DailyCharge> = ({ charge, period, timeZone, line }) => {
  const days = new Decimal(localDays(period.startMs, period.endMs, timeZone));
  const perDay = new Decimal(charge.amountPerDay);
  return [
    line({
      description: label(charge),
      quantity: days,
      unit: 'day',
      unitPrice: perDay,
      precise: days.times(perDay),
    }),
  ];
};
