import { z } from 'zod';
import { compare, isPositive } from '../compare.js';
import { perCharge } from '../prepare.js';
import { label, type Pricer } from '../pricer.js';
import { checkTiers, IncludedSchema, TierSchema, UsageChargeShape } from '../schema-parts.js';
import { type PreparedTier, prepareTiers, tierInfo } from '../tiers.js';

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

// Volume lines show the previous bound as the plan writes it (graduated ones print it as a plain decimal).
const prepare = perCharge((charge: VolumeCharge): PreparedTier[] =>
  prepareTiers(label(charge), charge.tiers, (t) => t.unitPrice).map((t, i) => ({
    ...t,
    info: tierInfo(t.index, i === 0 ? '0' : (charge.tiers[i - 1]!.upTo as string), charge.tiers[i]!.upTo),
  })),
);

/** One line. Zero gives a zero line without flat amount; a negative quantity uses the first tier. */
export const priceVolume: Pricer<VolumeCharge> = ({ charge, quantity, line }) => {
  const tiers = prepare(charge);
  const charged = isPositive(quantity);
  let tier = tiers[0]!;
  if (charged) {
    for (let i = 0; i < tiers.length - 1; i++) {
      tier = tiers[i]!;
      if (tier.upTo === undefined || compare(quantity, tier.upTo) <= 0) break;
      tier = tiers[i + 1]!;
    }
  }
  const flat = charged ? tier.flat : undefined;
  const used = quantity.times(tier.price);
  return [
    line({
      description: tier.label,
      quantity,
      unitPrice: tier.price,
      flatAmount: flat,
      tier: tier.info,
      precise: flat === undefined ? used : used.plus(flat),
    }),
  ];
};
