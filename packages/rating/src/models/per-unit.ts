import { z } from 'zod';
import { constant, perCharge } from '../prepare.js';
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

const prepare = perCharge((charge: PerUnitCharge) => ({
  unitPrice: constant(charge.unitPrice),
  name: label(charge),
}));

export const pricePerUnit: Pricer<PerUnitCharge> = ({ charge, quantity, line }) => {
  const { unitPrice, name } = prepare(charge);
  return [line({ description: name, quantity, unitPrice, precise: quantity.times(unitPrice) })];
};
