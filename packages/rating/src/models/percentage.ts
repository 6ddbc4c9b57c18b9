import { Decimal, ZERO } from '@tally/money';
import { z } from 'zod';
import { dec } from '../config-decimal.js';
import { label, type Pricer } from '../pricer.js';
import { DecimalStringSchema, NonNegativeDecimalStringSchema, UsageChargeShape } from '../schema-parts.js';

/**
 * A percentage of each transaction amount (payment processing, marketplace take rates): `rate` is a
 * fraction ("0.029" is 2.9 %), plus `fixedFee` per transaction. The first `freeTransactions` transactions
 * of the period are free; `freeAmount` of transaction value is exempt from the rate (the fixed fee still
 * applies). Each transaction's fee (rate part + fixed fee) is clamped to `minPerTransaction` and
 * `maxPerTransaction`. A negative amount (a refund) is credited at the rate, without fixed fee or limits.
 * Records carry the transaction amount as their value.
 */
export const PercentageChargeSchema = z
  .object({
    type: z.literal('percentage'),
    ...UsageChargeShape,
    rate: NonNegativeDecimalStringSchema,
    fixedFee: DecimalStringSchema.optional(),
    freeTransactions: z.int().min(0).default(0),
    freeAmount: NonNegativeDecimalStringSchema.optional(),
    minPerTransaction: NonNegativeDecimalStringSchema.optional(),
    maxPerTransaction: NonNegativeDecimalStringSchema.optional(),
  })
  .describe('percentage of each transaction amount plus a fixed fee, with free transactions and limits');
export type PercentageCharge = z.infer<typeof PercentageChargeSchema>;

/**
 * One line: quantity is the amount the rate applied to; flatAmount holds the fixed fees and the per-transaction
 * limit adjustments, so precise = quantity × rate + flatAmount.
 */
export const pricePercentage: Pricer<PercentageCharge> = ({ charge, records, line }) => {
  const rate = dec(charge.rate);
  const fixed = charge.fixedFee === undefined ? ZERO : dec(charge.fixedFee);
  const min = charge.minPerTransaction === undefined ? undefined : dec(charge.minPerTransaction);
  const max = charge.maxPerTransaction === undefined ? undefined : dec(charge.maxPerTransaction);
  let freeLeft = charge.freeAmount === undefined ? ZERO : dec(charge.freeAmount);
  // fee = amount × rate + fixed is below min ⇔ amount < (min − fixed) ÷ rate, above max ⇔ amount > (max − fixed)
  // ÷ rate: comparing the amount saves a multiplication per transaction inside the limits.
  const below = min === undefined || rate.isZero() ? undefined : min.minus(fixed).div(rate);
  const above = max === undefined || rate.isZero() ? undefined : max.minus(fixed).div(rate);
  let base = ZERO;
  let adjustments = ZERO;
  let charged = 0;
  records.forEach((r, i) => {
    if (i < charge.freeTransactions) return;
    const amount = new Decimal(r.value);
    if (amount.isNegative()) {
      base = base.plus(amount);
      return;
    }
    let chargeable = amount;
    if (!freeLeft.isZero()) {
      const exempt = Decimal.min(freeLeft, amount);
      freeLeft = freeLeft.minus(exempt);
      chargeable = amount.minus(exempt);
    }
    base = base.plus(chargeable);
    charged += 1;
    const low = min !== undefined && (below === undefined || chargeable.lt(below));
    const high = max !== undefined && (above === undefined || chargeable.gt(above));
    if (low || high) {
      const fee = chargeable.times(rate).plus(fixed);
      if (min !== undefined && fee.lt(min)) adjustments = adjustments.plus(min.minus(fee));
      else if (max !== undefined && fee.gt(max)) adjustments = adjustments.plus(max.minus(fee));
    }
  });
  const free = Math.min(records.length, charge.freeTransactions);
  const flat = fixed.times(charged).plus(adjustments);
  return [
    line({
      description: `${label(charge)}, ${charged} transactions charged, ${free} free`,
      quantity: base,
      unitPrice: rate,
      flatAmount: flat,
      precise: base.times(rate).plus(flat),
    }),
  ];
};
