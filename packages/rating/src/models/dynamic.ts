import { Decimal, ZERO } from '@tally/money';
import { z } from 'zod';
import { dec } from '../config-decimal.js';
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

/** One line; quantity is Σ value. No unit price: each event has its own. */
export const priceDynamic: Pricer<DynamicCharge> = ({ charge, records, line }) => {
  let quantity = ZERO;
  let total = ZERO;
  for (const r of records) {
    if (r.price === undefined) {
      throw new RatingError(
        `charge ${charge.id}: event ${r.id} carries no price; dynamic pricing needs the meter's pricePath`,
        { chargeId: charge.id, meterId: charge.meterId },
      );
    }
    const value = new Decimal(r.value);
    quantity = quantity.plus(value);
    // Prices repeat across events (an hourly spot price), so they go through the parse cache too.
    total = total.plus(value.times(dec(r.price)));
  }
  return [
    line({
      description: `${label(charge)}, ${records.length} events at their own prices`,
      quantity,
      precise: total,
    }),
  ];
};
