import { Decimal, lineAmount, type RoundingMode } from '@tally/money';
import type { RatedLine } from '@tally/rating';
import { type Customer, type CustomerInput, CustomerSchema, type Issuer, IssuerSchema } from './customer.js';
import type { BillingPlan, BillingPlanTerms, RateFn } from './plan-port.js';
import { type Subscription, type SubscriptionInput, SubscriptionSchema } from './subscription.js';

/**
 * Test doubles for billing's unit tests: a toy plan and a toy rater that builds `RatedLine`s the way the
 * contract describes (fixed fee unprorated for the period given, usage per unit above an allowance), so the
 * billing math is tested without @tally/rating. Not exported from the package.
 */
export interface ToyPlan extends BillingPlan {
  readonly fee?: string;
  readonly perUnit?: { readonly meterId: string; readonly price: string; readonly included?: string };
}

export interface ToyRecord {
  readonly id: string;
  readonly time: string;
  readonly value: string;
}

export function toyPlan(
  over: Omit<Partial<ToyPlan>, 'terms'> & { terms?: Partial<BillingPlanTerms> } = {},
): ToyPlan {
  const { terms, ...rest } = over;
  return {
    id: 'basic',
    version: 1,
    name: 'Basic',
    currency: 'EUR',
    ...rest,
    terms: {
      fixedFeeTiming: 'arrears',
      proration: 'by-day',
      draftGraceHours: 6,
      lateAcceptanceDays: 35,
      rounding: 'half-up' as RoundingMode,
      ...terms,
    },
  };
}

export const toyRate: RateFn<ToyPlan, unknown, ToyRecord> = ({ plan, period, usage }) => {
  const lines: RatedLine[] = [];
  const base = { planId: plan.id, planVersion: plan.version, period, currency: plan.currency };
  if (plan.fee !== undefined) {
    lines.push({
      ...base,
      key: 'base:fee',
      chargeId: 'base',
      kind: 'fixed',
      description: `${plan.name} monthly fee`,
      quantity: '1',
      unitPrice: plan.fee,
      ...lineAmount(plan.fee, plan.currency, plan.terms.rounding),
    });
  }
  if (plan.perUnit !== undefined) {
    const { meterId, price, included = '0' } = plan.perUnit;
    const total = (usage[meterId] ?? []).reduce((a, r) => a.plus(r.value), new Decimal(0));
    const billable = Decimal.max(0, total.minus(included));
    lines.push({
      ...base,
      key: `${meterId}:usage`,
      chargeId: meterId,
      kind: 'usage',
      description: `${meterId} above ${included}`,
      meterId,
      quantity: billable.toFixed(),
      unitPrice: price,
      ...lineAmount(billable.times(price), plan.currency, plan.terms.rounding),
    });
  }
  return lines;
};

export function customer(over: Partial<CustomerInput> = {}): Customer {
  return CustomerSchema.parse({
    id: 'cus-1',
    legalName: 'Example GmbH',
    billingEmails: ['billing@example.com'],
    locale: 'de-DE',
    timeZone: 'UTC',
    currency: 'EUR',
    tax: { mode: 'exclusive', rates: [], rounding: 'per-invoice' },
    issuerId: 'acme',
    paymentTermsDays: 14,
    ...over,
  });
}

export const issuer: Issuer = IssuerSchema.parse({
  id: 'acme',
  legalName: 'ACME Billing Ltd',
  numberPrefix: 'ACME',
  timeZone: 'Europe/London',
});

export function subscription(over: Partial<SubscriptionInput> = {}): Subscription {
  const start = over.start ?? '2026-04-01T00:00:00Z';
  return SubscriptionSchema.parse({
    id: 'sub-1',
    customerId: 'cus-1',
    start,
    interval: 'month',
    alignment: 'calendar',
    phases: [{ from: start, planId: 'basic', planVersion: 1 }],
    ...over,
  });
}

/** `n` usage records of `value` each, spread from `from` one hour apart. */
export function records(from: string, n: number, value = '1'): ToyRecord[] {
  const t0 = Date.parse(from);
  return Array.from({ length: n }, (_, i) => ({
    id: `e-${from}-${i}`,
    time: new Date(t0 + i * 3_600_000).toISOString(),
    value,
  }));
}
