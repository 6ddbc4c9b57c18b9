import { ZERO } from '@tally/money';
import { z } from 'zod';
import { dec } from '../config-decimal.js';
import { label, type Pricer } from '../pricer.js';
import {
  DecimalStringSchema,
  IncludedSchema,
  NonNegativeDecimalStringSchema,
  PositiveDecimalStringSchema,
  UsageChargeShape,
} from '../schema-parts.js';

/**
 * Package pricing: units are sold in packages of `packageSize` at `packagePrice` each, after `freeUnits`.
 * A started package is billed in full (`round: "up"`, the default) or only complete packages are billed
 * (`round: "down"`).
 */
export const PackageChargeSchema = z
  .object({
    type: z.literal('package'),
    ...UsageChargeShape,
    packageSize: PositiveDecimalStringSchema,
    packagePrice: DecimalStringSchema,
    freeUnits: NonNegativeDecimalStringSchema.default('0'),
    round: z.enum(['up', 'down']).default('up'),
    included: IncludedSchema,
  })
  .describe('package pricing: packages of packageSize units at packagePrice, after freeUnits');
export type PackageCharge = z.infer<typeof PackageChargeSchema>;

/** One line whose quantity is the number of packages. A quantity at or below the free units bills none. */
export const pricePackage: Pricer<PackageCharge> = ({ charge, quantity, line }) => {
  const size = dec(charge.packageSize);
  const free = dec(charge.freeUnits);
  const billable = free.isZero() ? quantity : quantity.minus(free);
  const ratio = billable.gt(ZERO) ? billable.div(size) : ZERO;
  const packages = charge.round === 'up' ? ratio.ceil() : ratio.floor();
  const price = dec(charge.packagePrice);
  return [
    line({
      description: `${label(charge)}, packages of ${charge.packageSize} (${quantity.toFixed()} used, ${charge.freeUnits} free)`,
      quantity: packages,
      unit: 'package',
      unitPrice: price,
      precise: packages.times(price),
    }),
  ];
};
