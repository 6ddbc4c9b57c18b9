import { Decimal } from '@tally/money';
import { z } from 'zod';
import { constant, perCharge } from '../prepare.js';
import { label, type Pricer } from '../pricer.js';
import { ChargeBaseShape, DecimalStringSchema } from '../schema-parts.js';

/** A recurring fee per billing period (e.g. a monthly subscription), priced for the full period. */
export const FlatChargeSchema = z
  .object({ type: z.literal('flat'), ...ChargeBaseShape, amount: DecimalStringSchema })
  .describe('flat recurring fee per billing period');
export type FlatCharge = z.infer<typeof FlatChargeSchema>;

const ONE = new Decimal(1);

const prepare = perCharge((charge: FlatCharge) => {
  const amount = constant(charge.amount);
  return { amount, text: amount.toFixed(), name: label(charge) };
});

/** One fixed line for the full period; billing prorates it from `precise` for partial periods. */
export const priceFlat: Pricer<FlatCharge> = ({ charge, line }) => {
  const { amount, text, name } = prepare(charge);
  return [
    line({
      kind: 'fixed',
      description: name,
      quantity: ONE,
      quantityText: '1',
      unitPrice: amount,
      precise: amount,
      preciseText: text,
    }),
  ];
};
