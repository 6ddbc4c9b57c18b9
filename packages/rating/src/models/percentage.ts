import { Decimal, ZERO } from '@tally/money';
import { z } from 'zod';
import { compare } from '../compare.js';
import { decimalOf } from '../decimal-cache.js';
import { constant, perCharge } from '../prepare.js';
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
 * Where a fee limit is crossed: fee(amount) = amount × rate + fixed equals the limit at amount = (limit −
 * fixed) ÷ rate. Comparing an amount with it costs less than computing the fee.
 */
interface Threshold {
  /** (limit − fixed) ÷ rate, rounded to 40 significant digits. */
  readonly at: Decimal;
  /** limit − fixed: what each transaction past the threshold pays beyond its rate part. */
  readonly headroom: Decimal;
  /**
   * The most decimals an amount may have to be ordered against the exact threshold by comparing it with the
   * rounded `at`: `at` is within half a unit of its 40th digit of the exact value, so an amount on that
   * digit's grid that differs from `at` lies on the same side of both.
   */
  readonly places: number;
}

function threshold(limit: Decimal | undefined, fixed: Decimal, rate: Decimal): Threshold | undefined {
  if (limit === undefined || rate.isZero()) return undefined;
  const headroom = limit.minus(fixed);
  const at = headroom.div(rate);
  return { at, headroom, places: 39 - at.e };
}

/** −1 or 1: the amount is below or above the threshold for sure; 0: too close to tell from `at`. */
function side(amount: Decimal, t: Threshold): number {
  const c = compare(amount, t.at);
  return c !== 0 && amount.decimalPlaces() <= t.places ? c : 0;
}

interface PreparedPercentage {
  readonly rate: Decimal;
  readonly fixed: Decimal;
  readonly min: Decimal | undefined;
  readonly max: Decimal | undefined;
  readonly freeAmount: Decimal;
  /** Amounts below it pay the minimum (undefined without a minimum, or at rate 0: compare each fee). */
  readonly low: Threshold | undefined;
  /** Amounts above it pay the maximum (undefined without a maximum, or at rate 0: compare each fee). */
  readonly high: Threshold | undefined;
  readonly name: string;
}

const prepare = perCharge((charge: PercentageCharge): PreparedPercentage => {
  const rate = constant(charge.rate);
  const fixed = charge.fixedFee === undefined ? ZERO : new Decimal(charge.fixedFee);
  const min = charge.minPerTransaction === undefined ? undefined : new Decimal(charge.minPerTransaction);
  const max = charge.maxPerTransaction === undefined ? undefined : new Decimal(charge.maxPerTransaction);
  return {
    rate,
    fixed,
    min,
    max,
    freeAmount: charge.freeAmount === undefined ? ZERO : new Decimal(charge.freeAmount),
    low: threshold(min, fixed, rate),
    high: threshold(max, fixed, rate),
    name: label(charge),
  };
});

/**
 * One line: quantity is the amount the rate applied to; flatAmount holds the fixed fees and the per-transaction
 * limit adjustments, so precise = quantity × rate + flatAmount.
 *
 * A transaction clamped to a limit adjusts its fee by limit − (amount × rate + fixed); over the n clamped
 * transactions that sums to n × (limit − fixed) − rate × Σ amount, so clamped transactions are counted and
 * their amounts summed, and the limit is applied once. Only an amount too close to a threshold to order it
 * there has its fee computed.
 */
export const pricePercentage: Pricer<PercentageCharge> = ({ charge, records, line }) => {
  const { rate, fixed, min, max, low, high, freeAmount, name } = prepare(charge);
  let freeLeft = freeAmount;
  let base = ZERO;
  let adjustments = ZERO;
  let charged = 0;
  let lowCount = 0;
  let lowSum = ZERO;
  let highCount = 0;
  let highSum = ZERO;
  for (let i = charge.freeTransactions; i < records.length; i++) {
    const amount = decimalOf(records[i]!.value);
    if (amount.isNegative()) {
      base = base.plus(amount);
      continue;
    }
    let chargeable = amount;
    if (!freeLeft.isZero()) {
      const exempt = Decimal.min(freeLeft, amount);
      freeLeft = freeLeft.minus(exempt);
      chargeable = amount.minus(exempt);
    }
    base = base.plus(chargeable);
    charged += 1;
    let decided = true;
    if (min !== undefined) {
      const to = low === undefined ? 0 : side(chargeable, low);
      if (to < 0) {
        lowCount += 1;
        lowSum = lowSum.plus(chargeable);
        continue;
      }
      decided = to !== 0;
    }
    if (decided && max !== undefined) {
      const to = high === undefined ? 0 : side(chargeable, high);
      if (to > 0) {
        highCount += 1;
        highSum = highSum.plus(chargeable);
        continue;
      }
      decided = to !== 0;
    }
    if (decided) continue;
    // Too close to a threshold (or rate 0): the fee itself decides.
    const fee = chargeable.times(rate).plus(fixed);
    if (min !== undefined && fee.lt(min)) adjustments = adjustments.plus(min.minus(fee));
    else if (max !== undefined && fee.gt(max)) adjustments = adjustments.plus(max.minus(fee));
  }
  if (lowCount > 0) {
    adjustments = adjustments.plus(low!.headroom.times(lowCount)).minus(lowSum.times(rate));
  }
  if (highCount > 0) {
    adjustments = adjustments.plus(high!.headroom.times(highCount)).minus(highSum.times(rate));
  }
  const free = Math.min(records.length, charge.freeTransactions);
  const flat = fixed.times(charged).plus(adjustments);
  return [
    line({
      description: `${name}, ${charged} transactions charged, ${free} free`,
      quantity: base,
      unitPrice: rate,
      flatAmount: flat,
      precise: base.times(rate).plus(flat),
    }),
  ];
};
