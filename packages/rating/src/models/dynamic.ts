import { type Decimal, ZERO } from '@tally/money';
import { z } from 'zod';
import { decimalOf } from '../decimal-cache.js';
import { RatingError } from '../errors.js';
import { label, type Pricer } from '../pricer.js';
import { UsageChargeShape } from '../schema-parts.js';

/**
 * Dynamic pricing: each event carries its own unit price (spot energy prices, pass-through costs), read by
 * the meter's `pricePath`. Amount = Σ value × price.
 */
export const DynamicChargeSchema = z
  .object({ type: z.literal('dynamic'), ...UsageChargeShape })
  .describe('dynamic: the price per unit is carried on each event');
export type DynamicCharge = z.infer<typeof DynamicChargeSchema>;

/**
 * One line; quantity is Σ value. No unit price: each event has its own.
 *
 * Σ value × price is summed per distinct price (Σ values at a price, times that price): prices repeat from
 * event to event (an hourly spot price), so a record costs one addition, not a multiplication and two.
 */
export const priceDynamic: Pricer<DynamicCharge> = ({ charge, records, line }) => {
  const byPrice = new Map<string, { sum: Decimal }>();
  let lastPrice: string | undefined;
  let last: { sum: Decimal } | undefined;
  for (const r of records) {
    const price = r.price;
    if (price === undefined) {
      throw new RatingError(
        `charge ${charge.id}: event ${r.id} carries no price; dynamic pricing needs the meter's pricePath`,
        { chargeId: charge.id, meterId: charge.meterId },
      );
    }
    if (price !== lastPrice || last === undefined) {
      last = byPrice.get(price);
      if (last === undefined) {
        last = { sum: ZERO };
        byPrice.set(price, last);
      }
      lastPrice = price;
    }
    last.sum = last.sum.plus(decimalOf(r.value));
  }
  let quantity = ZERO;
  let total = ZERO;
  for (const [price, { sum }] of byPrice) {
    quantity = quantity.plus(sum);
    total = total.plus(sum.times(decimalOf(price)));
  }
  return [
    line({
      description: `${label(charge)}, ${records.length} events at their own prices`,
      quantity,
      precise: total,
    }),
  ];
};
