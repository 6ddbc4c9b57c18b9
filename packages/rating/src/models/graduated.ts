import { type Decimal, ZERO } from '@tally/money';
import { z } from 'zod';
import { perCharge } from '../prepare.js';
import { label, type Pricer } from '../pricer.js';
import { checkTiers, IncludedSchema, TierSchema, UsageChargeShape } from '../schema-parts.js';
import { graduatedLines, prepareTiers, tierBounds } from '../tiers.js';

/**
 * Graduated (tiered) pricing: each unit is priced at the tier it falls in, like income tax brackets. A
 * tier's flat amount is added once any unit reaches the tier. Bounds are inclusive: with a first tier up to
 * 100, unit 100 is in tier 1 and unit 101 in tier 2.
 */
export const GraduatedChargeSchema = z
  .object({
    type: z.literal('graduated'),
    ...UsageChargeShape,
    tiers: z.array(TierSchema).min(1),
    included: IncludedSchema,
  })
  .superRefine((c, ctx) => checkTiers(c.tiers, ctx))
  .describe('graduated tiers: each unit at the price of its tier, plus each reached tier’s flat amount');
export type GraduatedCharge = z.infer<typeof GraduatedChargeSchema>;

/** The part of a quantity that falls in one tier. */
export interface TierSlice {
  readonly index: number;
  readonly from: Decimal;
  readonly upTo: Decimal | undefined;
  readonly inTier: Decimal;
}

/** Splits a positive quantity over tiers (inclusive upper bounds, last open); only tiers reached are returned. */
export function tierSlices(quantity: Decimal, tiers: readonly { upTo: string | null }[]): TierSlice[] {
  const bounds = tierBounds(tiers);
  const slices: TierSlice[] = [];
  let from = ZERO;
  for (let i = 0; i < bounds.length; i++) {
    if (quantity.lte(from)) break;
    const upTo = bounds[i];
    const inTier = (upTo === undefined || quantity.lt(upTo) ? quantity : upTo).minus(from);
    slices.push({ index: i + 1, from, upTo, inTier });
    if (upTo === undefined) break;
    from = upTo;
  }
  return slices;
}

const prepare = perCharge((charge: GraduatedCharge) =>
  prepareTiers(label(charge), charge.tiers, (t) => t.unitPrice),
);

/**
 * One line per tier reached. A zero quantity gives one zero line for tier 1; a negative quantity (a net
 * credit) is priced at the first tier's unit price, without flat amounts.
 */
export const priceGraduated: Pricer<GraduatedCharge> = ({ charge, quantity, line }) =>
  graduatedLines(prepare(charge), quantity, line);
