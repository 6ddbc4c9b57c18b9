import type { Meter, UsageRecord } from '@tally/metering';
import { Decimal } from '@tally/money';
import type { Plan } from '@tally/rating';
import {
  type BillingContext,
  chargeableWindow,
  periodCharges,
  raterOf,
  resolvePeriod,
  segmentsOf,
  type WithOptionalRate,
} from './assemble.js';
import type { Customer } from './customer.js';
import { BillingInputError } from './errors.js';
import type { InvoiceLine } from './invoice.js';
import { periodContaining } from './periods.js';
import type { BillingPlan, BillingUsageRecord, RateFn } from './plan-port.js';
import type { Subscription } from './subscription.js';
import { contains, type Interval, inZone, ms } from './time.js';

/**
 * Where an event belongs, judged at `now`:
 * - `current`: its period is not invoiced yet (time at or after `finalizedThrough`); it goes into that period;
 * - `adjustment`: its period is finalized but the plan's acceptance window (`lateAcceptanceDays` after the
 *   period's end, in local calendar days) is still open; it is billed on the next invoice as an adjustment;
 * - `too-late`: the window has closed; quarantine it with reason {@link LATE_EVENT_REASON};
 * - `outside-subscription`: no period of the subscription contains it (before the start, at or after the end);
 *   quarantine it too.
 */
export type LateEventClass = 'current' | 'adjustment' | 'too-late' | 'outside-subscription';

/** Quarantine reason for an event beyond the acceptance window. */
export const LATE_EVENT_REASON = 'late-event-beyond-acceptance-window';
/** Quarantine reason for an event no period of the subscription contains. */
export const OUTSIDE_SUBSCRIPTION_REASON = 'event-outside-subscription';

export interface ClassifyLateEventOptions {
  readonly subscription: Subscription;
  readonly customer: Pick<Customer, 'timeZone'>;
  /** End of the last finalized period (its invoice is final); events before it are late. */
  readonly finalizedThrough: string | null;
  /** The acceptance window in days (the plan's `terms.lateAcceptanceDays`). */
  readonly lateAcceptanceDays: number;
}

/**
 * Classifies an event's time against the invoiced periods.
 *
 * @example
 * classifyLateEvent('2026-03-30T10:00:00Z', '2026-04-10T00:00:00Z',
 *   { subscription, customer, finalizedThrough: '2026-04-01T00:00:00Z', lateAcceptanceDays: 35 }) // 'adjustment'
 */
export function classifyLateEvent(
  eventTime: string,
  now: string,
  opts: ClassifyLateEventOptions,
): LateEventClass {
  const period = periodContaining(opts.subscription, opts.customer, eventTime);
  if (period === null) return 'outside-subscription';
  if (opts.finalizedThrough === null || ms(eventTime) >= ms(opts.finalizedThrough)) return 'current';
  const closes = inZone(period.end, opts.customer.timeZone).plus({ days: opts.lateAcceptanceDays });
  return ms(now) < closes.toMillis() ? 'adjustment' : 'too-late';
}

export interface LateUsageInput<P extends BillingPlan, M, U extends BillingUsageRecord> {
  readonly customer: Customer;
  readonly subscription: Subscription;
  readonly planVersions: readonly P[];
  readonly meters: Readonly<Record<string, M>>;
  /** The finalized invoice being corrected. */
  readonly original: {
    readonly invoiceId: string;
    readonly invoiceNumber: string | null;
    readonly period: Interval;
  };
  /** The usage the original invoice was rated with, per meter. */
  readonly billedUsage: Readonly<Record<string, readonly U[]>>;
  /** Late records for that period, per meter; ids already billed are ignored (a redelivery bills nothing). */
  readonly lateUsage: Readonly<Record<string, readonly U[]>>;
  readonly rate: RateFn<P, M, U>;
  /**
   * The rater of the period as it was billed, when it differs from `rate` (default `rate`): e.g. the opening
   * state of a register or level meter that a late record of an earlier period has since changed, so the
   * period is re-rated even without late records of its own.
   */
  readonly rateBilled?: RateFn<P, M, U>;
}

/**
 * Adjustment lines for late usage of a finalized period: the period is re-rated with and without the late
 * records (per plan segment, tiers and allowances included, and the commitment top-up), and each line that
 * changes is billed for its difference, naming the original invoice and period. Fixed fees do not change and
 * produce no line. Bill the lines with `assembleInvoice({ …, adjustments })` on the next invoice.
 *
 * @example
 * const adjustments = lateUsageAdjustment({ customer, subscription, planVersions, meters,
 *   original: { invoiceId, invoiceNumber: 'ACME-2026-000123', period: march },
 *   billedUsage: { calls: billed }, lateUsage: { calls: late } });
 */
export function lateUsageAdjustment(
  input: WithOptionalRate<LateUsageInput<Plan, Meter, UsageRecord>>,
): InvoiceLine[];
export function lateUsageAdjustment<P extends BillingPlan, M, U extends BillingUsageRecord>(
  input: LateUsageInput<P, M, U>,
): InvoiceLine[];
export function lateUsageAdjustment<P extends BillingPlan, M, U extends BillingUsageRecord>(
  given: WithOptionalRate<LateUsageInput<P, M, U>>,
): InvoiceLine[] {
  const rate = raterOf(given.rate);
  const { customer, subscription: sub, original } = given;
  const ctx: BillingContext<P> = { customer, subscription: sub, plans: given.planVersions };
  const period = resolvePeriod(sub, customer, original.period);
  const window = chargeableWindow(sub, period);
  if (window === null) return [];

  const merged: Record<string, U[]> = {};
  for (const [meterId, records] of Object.entries(given.billedUsage)) merged[meterId] = [...records];
  for (const [meterId, records] of Object.entries(given.lateUsage)) {
    const list = merged[meterId] ?? [];
    merged[meterId] = list;
    const known = new Set(list.map((r) => r.id));
    for (const r of records) {
      if (!contains(period, r.time)) {
        throw new BillingInputError(
          `late record ${r.id} of meter ${meterId} at ${r.time} is not in the corrected period ${period.start}..${period.end}`,
          { recordId: r.id, meterId, period: original.period },
        );
      }
      if (!known.has(r.id)) list.push(r);
      known.add(r.id);
    }
  }

  const segments = segmentsOf(ctx, window);
  const rateBilled = (given.rateBilled as RateFn<P, M, U> | undefined) ?? rate;
  const charged = (usage: Readonly<Record<string, readonly U[]>>, by: RateFn<P, M, U>) => {
    const c = periodCharges(ctx, period, window, segments, { meters: given.meters, usage, rate: by });
    return c.commitment === null ? c.usageLines : [...c.usageLines, c.commitment];
  };
  const before = new Map(charged(given.billedUsage, rateBilled).map((l) => [l.key, l]));
  const after = new Map(charged(merged, rate).map((l) => [l.key, l]));

  const out: InvoiceLine[] = [];
  const keys = [...after.keys(), ...[...before.keys()].filter((k) => !after.has(k))];
  for (const key of keys) {
    const now = after.get(key);
    const was = before.get(key);
    const ref = (now ?? was)!;
    const diff = (f: (l: InvoiceLine) => string) => new Decimal(now ? f(now) : '0').minus(was ? f(was) : '0');
    const amount = diff((l) => l.amount);
    const quantity = diff((l) => l.quantity);
    if (amount.isZero() && quantity.isZero()) continue;
    const { taxes: _taxes, ...rest } = ref;
    out.push({
      ...rest,
      key: `adj:${original.invoiceId}:${key}`,
      kind: 'adjustment',
      description: `Late usage, ${ref.description}`,
      quantity: quantity.toFixed(),
      precise: diff((l) => l.precise).toFixed(),
      amount: amount.toFixed(),
      adjusts: {
        invoiceId: original.invoiceId,
        invoiceNumber: original.invoiceNumber,
        period: { start: period.start, end: period.end },
        reason: 'late-usage',
        originalKind: ref.kind,
      },
    });
  }
  return out;
}
