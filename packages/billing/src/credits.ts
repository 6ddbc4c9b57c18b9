import {
  CurrencyCodeSchema,
  Decimal,
  formatMinor,
  NonNegativeDecimalStringSchema,
  roundToMinor,
} from '@tally/money';
import { z } from 'zod';
import { InstantSchema, ms } from './time.js';

/** A prepaid credit balance (a grant) of a customer: what is left of it and when it expires. */
export const CreditGrantSchema = z.object({
  id: z.string().min(1),
  currency: CurrencyCodeSchema,
  /** What is left to spend. */
  remaining: NonNegativeDecimalStringSchema,
  /** Exclusive; a grant expired at `now` is not applied. */
  expiresAt: InstantSchema.optional(),
});
export type CreditGrant = z.infer<typeof CreditGrantSchema>;

export interface AppliedCredit {
  readonly creditId: string;
  readonly amount: string;
}

/**
 * Applies prepaid credit to an amount owed (after tax: credit is a prepayment). Grants that expire first are
 * used first, then grants without expiry, ties by id, so the result does not depend on input order.
 */
export function applyCredits(
  owed: Decimal,
  grants: readonly CreditGrant[],
  ctx: { currency: string; now: string },
): { applied: AppliedCredit[]; total: Decimal } {
  const usable = grants
    .filter(
      (g) => g.currency === ctx.currency && (g.expiresAt === undefined || ms(g.expiresAt) > ms(ctx.now)),
    )
    .sort((a, b) => {
      const ea = a.expiresAt === undefined ? Number.POSITIVE_INFINITY : ms(a.expiresAt);
      const eb = b.expiresAt === undefined ? Number.POSITIVE_INFINITY : ms(b.expiresAt);
      return ea - eb || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
    });
  const applied: AppliedCredit[] = [];
  let left = Decimal.max(owed, 0);
  let total = new Decimal(0);
  for (const g of usable) {
    if (left.lte(0)) break;
    const take = Decimal.min(left, roundToMinor(g.remaining, ctx.currency, 'down'));
    if (take.lte(0)) continue;
    applied.push({ creditId: g.id, amount: formatMinor(take, ctx.currency) });
    total = total.plus(take);
    left = left.minus(take);
  }
  return { applied, total };
}
