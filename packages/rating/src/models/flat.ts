import { Decimal } from '@tally/money';
import { z } from 'zod';
import { dec } from '../config-decimal.js';
import { label, type Pricer } from '../pricer.js';
import { ChargeBaseShape, DecimalStringSchema } from '../schema-parts.js';

/** A recurring fee per billing period (e.g. a monthly subscription), priced for the full period. */
export const FlatChargeSchema = z
  .object({ type: z.literal('flat'), ...ChargeBaseShape, amount: DecimalStringSchema })
  .describe('flat recurring fee per billing period');
export type FlatCharge = z.infer<typeof FlatChargeSchema>;

const ONE = new Decimal(1);

/** One fixed line for the full period; billing prorates it from `precise` for partial periods. */
export const priceFlat: Pricer<FlatCharge> = ({ charge, line }) => {
  const amount = dec(charge.amount);
  return [
    line({ kind: 'fixed', description: label(charge), quantity: ONE, unitPrice: amount, precise: amount }),
  ];
};
