import type { RoundingMode } from '@tally/money';
import {
  allocate,
  CurrencyCodeSchema,
  Decimal,
  DecimalStringSchema,
  formatMinor,
  roundToMinor,
  sum,
} from '@tally/money';
import { z } from 'zod';
import type { InvoiceLine } from './invoice.js';
import { InstantSchema } from './time.js';

const CouponBase = {
  id: z.string().min(1),
  code: z.string().optional(),
  description: z.string().optional(),
  /** When the customer redeemed it; the coupon covers the period containing this instant and the next ones. */
  redeemedAt: InstantSchema,
  /** How many billing periods it covers (1 = only the period of redemption); null = forever. */
  periods: z.int().min(1).nullable(),
  /** Limit the discount to lines of these charges; all charges when absent. */
  chargeIds: z.array(z.string().min(1)).min(1).optional(),
};

/** A coupon: percent off or an amount off, for N billing periods. */
export const CouponSchema = z.discriminatedUnion('type', [
  z.object({
    ...CouponBase,
    type: z.literal('percent'),
    percentOff: DecimalStringSchema.refine((p) => Number(p) > 0 && Number(p) <= 100, {
      message: 'must be in (0, 100]',
    }),
  }),
  z.object({
    ...CouponBase,
    type: z.literal('amount'),
    amountOff: DecimalStringSchema,
    currency: CurrencyCodeSchema,
  }),
]);
export type Coupon = z.infer<typeof CouponSchema>;

const DISCOUNTABLE: ReadonlySet<InvoiceLine['kind']> = new Set(['usage', 'fixed', 'minimum', 'commitment']);

/** Does the coupon cover the billing period with index `periodIndex`? `redeemedIndex` is the period of redemption. */
export function couponCovers(coupon: Coupon, redeemedIndex: number, periodIndex: number): boolean {
  if (periodIndex < redeemedIndex) return false;
  return coupon.periods === null || periodIndex < redeemedIndex + coupon.periods;
}

/**
 * Discount lines for the coupons that apply, in the order given. Each coupon works on what the previous ones
 * left: percent off is rounded once, an amount off is capped at the remaining base, so a discount never
 * makes the discounted lines negative. Adjustments of earlier periods are not discounted.
 */
export function discountLines(
  lines: readonly InvoiceLine[],
  coupons: readonly Coupon[],
  ctx: {
    currency: string;
    rounding: RoundingMode;
    trace: Pick<InvoiceLine, 'planId' | 'planVersion' | 'period'>;
  },
): InvoiceLine[] {
  const out: InvoiceLine[] = [];
  // What is left of each line after the coupons applied so far, so stacked coupons never discount the same
  // money twice (each discount is spread over its lines in proportion to their amounts).
  const left = lines.map((l) => new Decimal(l.amount));
  for (const coupon of coupons) {
    const eligible = lines
      .map((_l, i) => i)
      .filter((i) => {
        const l = lines[i]!;
        return (
          DISCOUNTABLE.has(l.kind) &&
          (coupon.chargeIds === undefined || coupon.chargeIds.includes(l.chargeId))
        );
      });
    const base = sum(eligible.map((i) => left[i]!));
    if (base.lte(0)) continue;
    const raw =
      coupon.type === 'percent'
        ? roundToMinor(base.times(coupon.percentOff).div(100), ctx.currency, ctx.rounding)
        : Decimal.min(base, roundToMinor(coupon.amountOff, ctx.currency, ctx.rounding));
    if (raw.lte(0)) continue;
    const shares = allocate(
      raw,
      ctx.currency,
      eligible.map((i) => Decimal.max(left[i]!, 0)),
    );
    eligible.forEach((i, j) => {
      left[i] = left[i]!.minus(shares[j]!);
    });
    const amount = formatMinor(raw.negated(), ctx.currency);
    out.push({
      key: `discount:${coupon.id}`,
      chargeId: `coupon:${coupon.id}`,
      kind: 'discount',
      description:
        coupon.description ??
        (coupon.type === 'percent'
          ? `${coupon.percentOff} % off`
          : `${coupon.amountOff} ${coupon.currency} off`),
      ...ctx.trace,
      quantity: '1',
      currency: ctx.currency,
      precise: amount,
      amount,
      rounding: ctx.rounding,
      discount: {
        couponId: coupon.id,
        ...(coupon.code === undefined ? {} : { code: coupon.code }),
        type: coupon.type,
        value: coupon.type === 'percent' ? coupon.percentOff : coupon.amountOff,
        base: formatMinor(base, ctx.currency),
      },
    });
  }
  return out;
}
