import { ZERO } from '@tally/money';
import { z } from 'zod';
import { dec, tierBounds } from '../config-decimal.js';
import { type Pricer, tierLabel } from '../pricer.js';
import { checkTiers, IncludedSchema, TierSchema, UsageChargeShape } from '../schema-parts.js';

/**
 * Volume pricing: the total quantity picks one tier (bounds inclusive), and every unit is priced at that
 * tier's unit price, plus that tier's flat amount.
 */
export const VolumeChargeSchema = z
  .object({
    type: z.literal('volume'),
    ...UsageChargeShape,
    tiers: z.array(TierSchema).min(1),
    included: IncludedSchema,
  })
  .superRefine((c, ctx) => checkTiers(c.tiers, ctx))
  .describe('volume tiers: all units at the price of the tier the total falls in, plus its flat amount');
export type VolumeCharge = z.infer<typeof VolumeChargeSchema>;

/** One line. Zero gives a zero line without flat amount; a negative quantity uses the first tier. */
export const priceVolume: Pricer<VolumeCharge> = ({ charge, quantity, line }) => {
  let index = 0;
  const charged = quantity.gt(ZERO);
  if (charged) {
    const bounds = tierBounds(charge.tiers);
    while (index < bounds.length - 1) {
      const upTo = bounds[index];
      if (upTo === undefined || quantity.lte(upTo)) break;
      index += 1;
    }
  }
  const tier = charge.tiers[index]!;
  const unitPrice = dec(tier.unitPrice);
  const flat = charged && tier.flatAmount !== undefined ? dec(tier.flatAmount) : undefined;
  let precise = quantity.times(unitPrice);
  if (flat !== undefined) precise = precise.plus(flat);
  return [
    line({
      description: tierLabel(charge, index + 1),
      quantity,
      unitPrice,
      flatAmount: flat,
      tier: {
        index: index + 1,
        from: index === 0 ? '0' : (charge.tiers[index - 1]!.upTo as string),
        upTo: tier.upTo,
      },
      precise,
    }),
  ];
};
