import { Decimal } from '@tally/money';
import { z } from 'zod';
import { constant, perCharge } from '../prepare.js';
import { label, type Pricer } from '../pricer.js';
import { localDays } from '../proration.js';
import { ChargeBaseShape, DecimalStringSchema } from '../schema-parts.js';

/**
 * A standing charge per day of supply (electricity, gas): amount × the local calendar days of the period in
 * the customer's time zone, counted by tally's one by-day rule ({@link localDays}): from the period's start
 * date up to, not including, its end date, so on the day of a plan change the new version's charge applies,
 * and a DST day is one day. Priced per day, so it is never prorated again.
 */
export const DailyChargeSchema = z
  .object({ type: z.literal('daily'), ...ChargeBaseShape, amountPerDay: DecimalStringSchema })
  .describe('daily standing charge: amountPerDay × local days in the period');
export type DailyCharge = z.infer<typeof DailyChargeSchema>;

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
