import { z } from 'zod';
import { perCharge } from '../prepare.js';
import { label, type Pricer } from '../pricer.js';
import {
  checkTiers,
  DecimalStringSchema,
  NonNegativeDecimalStringSchema,
  UsageChargeShape,
} from '../schema-parts.js';
import { graduatedLines, prepareTiers } from '../tiers.js';

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

const prepare = perCharge((charge: GraduatedPercentageCharge) =>
  prepareTiers(
    label(charge),
    charge.tiers,
    (t) => t.rate,
    (tierLabel, rate) => `${tierLabel} at ${rate.times(100).toFixed()} %`,
  ),
);

/** One line per tier reached; a zero or negative total is one line at the first tier's rate. */
export const priceGraduatedPercentage: Pricer<GraduatedPercentageCharge> = ({ charge, quantity, line }) =>
  graduatedLines(prepare(charge), quantity, line);
