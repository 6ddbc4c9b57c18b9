import { z } from 'zod';
import { dec } from '../config-decimal.js';
import { label, type Pricer } from '../pricer.js';
import { DecimalStringSchema, IncludedSchema, UsageChargeShape } from '../schema-parts.js';

/** Every unit at the same price: quantity × unit price. */
export const PerUnitChargeSchema = z
  .object({
    type: z.literal('per-unit'),
    ...UsageChargeShape,
    unitPrice: DecimalStringSchema,
    included: IncludedSchema,
  })
  .describe('per-unit price: quantity × unitPrice');
export type PerUnitCharge = z.infer<typeof PerUnitChargeSchema>;

export const pricePerUnit: Pricer<PerUnitCharge> = ({ charge, quantity, line }) => {
  const unitPrice = dec(charge.unitPrice);
  return [line({ description: label(charge), quantity, unitPrice, precise: quantity.times(unitPrice) })];
};
