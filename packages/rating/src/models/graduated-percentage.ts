import { ZERO } from '@tally/money';
import { z } from 'zod';
import { dec } from '../config-decimal.js';
import { label, type Pricer, tierLabel } from '../pricer.js';
import {
  checkTiers,
  DecimalStringSchema,
  NonNegativeDecimalStringSchema,
  UsageChargeShape,
} from '../schema-parts.js';
import { tierSlices } from './graduated.js';

/**
 * Graduated percentage: the period's total amount (a `sum` meter of transaction amounts) is split into
 * tiers with inclusive upper bounds, each tier's part taken at its `rate` (a fraction), plus the tier's flat
 * amount once reached.
 */
export const GraduatedPercentageChargeSchema = z
  .object({
    type: z.literal('graduated-percentage'),
    ...UsageChargeShape,
    tiers: z
      .array(
        z.object({
          upTo: NonNegativeDecimalStringSchema.nullable(),
          rate: NonNegativeDecimalStringSchema,
          flatAmount: DecimalStringSchema.optional(),
        }),
      )
      .min(1),
  })
  .superRefine((c, ctx) => checkTiers(c.tiers, ctx))
  .describe('graduated percentage: each tier of the total amount at its own rate');
export type GraduatedPercentageCharge = z.infer<typeof GraduatedPercentageChargeSchema>;

const percents = new Map<string, string>();

/** "0.029" → "2.9", computed once per rate. */
function percent(rate: string): string {
  let p = percents.get(rate);
  if (p === undefined) {
    p = dec(rate).times(100).toFixed();
    if (percents.size >= 1000) percents.clear();
    percents.set(rate, p);
  }
  return p;
}

/** One line per tier reached; a zero or negative total is one line at the first tier's rate. */
export const priceGraduatedPercentage: Pricer<GraduatedPercentageCharge> = ({ charge, quantity, line }) => {
  const name = label(charge);
  const first = charge.tiers[0]!;
  if (quantity.lte(ZERO)) {
    const rate = dec(first.rate);
    return [
      line({
        suffix: 'tier:1',
        description: `${name}, tier 1`,
        quantity,
        unitPrice: rate,
        tier: { index: 1, from: '0', upTo: first.upTo },
        precise: quantity.times(rate),
      }),
    ];
  }
  return tierSlices(quantity, charge.tiers).map((s) => {
    const tier = charge.tiers[s.index - 1]!;
    const rate = dec(tier.rate);
    const flat = tier.flatAmount === undefined ? undefined : dec(tier.flatAmount);
    return line({
      suffix: `tier:${s.index}`,
      description: `${tierLabel(charge, s.index)} at ${percent(tier.rate)} %`,
      quantity: s.inTier,
      unitPrice: rate,
      flatAmount: flat,
      tier: { index: s.index, from: s.from.toFixed(), upTo: tier.upTo },
      precise: flat === undefined ? s.inTier.times(rate) : s.inTier.times(rate).plus(flat),
    });
  });
};
