import {
  type BillingPeriod,
  type Customer,
  type Issuer,
  periodByIndex,
  periodContaining,
  type Subscription,
} from '@tally/billing';
import type { Meter, UsageRecord } from '@tally/metering';
import { metersOf, type Plan } from '@tally/rating';
import type { BillingCycle, InvoiceStore, SubscriptionStore } from '@tally/store';
import { DateTime } from 'luxon';
import { z } from 'zod';
import {
  assembleInvoice,
  finalizeAt,
  type Invoice,
  type InvoiceLine,
  invoiceIdFor,
  lateUsageAdjustment,
} from './billing-api.js';
import { openingRater, readOpenings } from './opening.js';
import { collectEventType, foldedMeter, isFoldable, type UsageSource } from './usage.js';

/** One billing job: close (draft, then finalize) one period of one subscription. */
export const BillingJobSchema = z.object({
  subscriptionId: z.string().min(1),
  periodStart: z.iso.datetime({ offset: true }),
  periodEnd: z.iso.datetime({ offset: true }),
});
export type BillingJob = z.infer<typeof BillingJobSchema>;

export interface Clock {
  now(): Date;
}

/** What billing reads from the catalogue. */
export interface BillingCatalog {
  customer(id: string): Promise<Customer>;
  issuer(id: string): Promise<Issuer>;
  planVersion(planId: string, version: number): Promise<Plan>;
  /** Meters by id (those the plans do not carry themselves). */
  meter(id: string): Promise<Meter>;
}

/** Sends the finalized invoice to delivery (`{ invoiceId, requestId: '<invoiceId>:invoice', kind: 'invoice' }`). */
export interface DeliveryPort {
  enqueueInvoice(invoiceId: string): Promise<void>;
}

/**
 * Starts the dunning workflow of a finalized invoice (idempotent: the execution is named by the invoice id).
 * packages/workflow's `startDunning` is meant to implement it; until it exists the default does nothing.
 */
export interface DunningPort {
  startDunning(invoiceId: string): Promise<unknown>;
}

export const noDunning: DunningPort = { startDunning: async () => undefined };

export interface BillingDeps {
  readonly subscriptions: SubscriptionStore<Subscription>;
  readonly invoices: InvoiceStore<Invoice>;
  readonly catalog: BillingCatalog;
  readonly usage: UsageSource;
  readonly delivery: DeliveryPort;
  readonly dunning: DunningPort;
  readonly clock: Clock;
  /**
   * Events that arrived less than this long before assembly are left to the next invoice (as late usage),
   * so an event whose write was still in flight while the period was read is never lost between the two.
   * Default 60 s (above the ingest function's timeout).
   */
  readonly settleMs?: number;
}

export type BillingOutcome =
  | { readonly outcome: 'stale' | 'not-due'; readonly invoiceId?: undefined }
  | { readonly outcome: 'drafted' | 'finalized'; readonly invoiceId: string; readonly finalizeAt?: string };

const DEFAULT_SETTLE_MS = 60_000;
const ms = (t: string) => Date.parse(t);
const iso = (t: number) => new Date(t).toISOString();

/**
 * Runs one billing job. Every step is idempotent and the subscription's cycle moves only from the state the
 * job found, so a duplicate job, or a retry after a crash at any point, ends in the same invoice:
 *
 * - cycle `opening` (plans that bill fees in advance): assemble and finalize the opening invoice, then wait
 *   for the period end;
 * - cycle `open` (due at the period end): assemble the draft from the period's events and store it; when the
 *   plan's draft grace has not passed yet, wait for it (cycle → `draft`), else go on;
 * - cycle `draft` (due at end + grace): re-assemble (late events that landed meanwhile count), finalize with
 *   the issuer's next number, enqueue delivery, start dunning, and move the cycle to the next period.
 */
export async function billSubscription(job: BillingJob, deps: BillingDeps): Promise<BillingOutcome> {
  const stored = await deps.subscriptions.get(job.subscriptionId);
  if (stored === null) throw new BillingJobError(`subscription ${job.subscriptionId} does not exist`, job);
  const cycle = stored.cycle;
  if (
    cycle === null ||
    ms(cycle.periodEnd) !== ms(job.periodEnd) ||
    ms(cycle.periodStart) !== ms(job.periodStart)
  ) {
    return { outcome: 'stale' };
  }
  const now = deps.clock.now().toISOString();
  if (ms(now) < ms(cycle.dueAt)) return { outcome: 'not-due' };

  const ctx = await loadContext(stored.subscription, deps);
  const period = periodContaining(ctx.subscription, ctx.customer, cycle.periodStart);
  if (period === null || ms(period.start) !== ms(cycle.periodStart)) {
    throw new BillingJobError(
      `subscription ${job.subscriptionId} has no period starting ${cycle.periodStart}`,
      job,
    );
  }

  if (cycle.stage === 'opening') {
    const id = invoiceIdFor(ctx.subscription.id, period.start, 'opening');
    await assembleIfDraft(id, deps, () =>
      assembleInvoice({
        ...ctx.base,
        kind: 'opening',
        period: { start: period.start, end: period.end },
        now,
      }),
    );
    await finalizeAndHandOver(id, now, deps);
    await deps.subscriptions.moveCycle(ctx.subscription.id, cycle, {
      ...cycle,
      stage: 'open',
      dueAt: period.end,
    });
    return { outcome: 'finalized', invoiceId: id };
  }

  const id = invoiceIdFor(ctx.subscription.id, period.start, 'period');
  await assembleIfDraft(id, deps, () => assemblePeriod(ctx, period, now, deps));
  const graceEnd = finalizeAt(period.end, termsAtEnd(ctx, period).draftGraceHours);
  const invoice = await deps.invoices.get(id);
  if (invoice?.invoice.status === 'draft' && ms(now) < ms(graceEnd)) {
    if (cycle.stage === 'open') {
      await deps.subscriptions.moveCycle(ctx.subscription.id, cycle, {
        ...cycle,
        stage: 'draft',
        dueAt: graceEnd,
      });
    }
    return { outcome: 'drafted', invoiceId: id, finalizeAt: graceEnd };
  }
  await finalizeAndHandOver(id, now, deps);
  const next = periodByIndex(ctx.subscription, ctx.customer, period.index + 1);
  const to: BillingCycle | null =
    next === null ? null : { periodStart: next.start, periodEnd: next.end, stage: 'open', dueAt: next.end };
  await deps.subscriptions.moveCycle(ctx.subscription.id, cycle, to);
  return { outcome: 'finalized', invoiceId: id };
}

/** A job that can never succeed as it stands (missing subscription, customer, plan): do not retry it. */
export class BillingJobError extends Error {
  constructor(
    message: string,
    readonly job: BillingJob,
    options?: ErrorOptions,
  ) {
    super(`billing job ${job.subscriptionId} ${job.periodStart}..${job.periodEnd}: ${message}`, options);
    this.name = 'BillingJobError';
  }
}

interface Context {
  readonly subscription: Subscription;
  readonly customer: Customer;
  readonly plans: Plan[];
  /** Meters as rating sees them (count meters that fold become sums). */
  readonly meters: Record<string, Meter>;
  /** The meters as defined, for reading records. */
  readonly sourceMeters: Record<string, Meter>;
  readonly foldable: ReadonlySet<string>;
  readonly base: {
    customer: Customer;
    issuer: Issuer;
    subscription: Subscription;
    planVersions: Plan[];
    meters: Record<string, Meter>;
  };
}

async function loadContext(subscription: Subscription, deps: BillingDeps): Promise<Context> {
  const customer = await deps.catalog.customer(subscription.customerId);
  const issuer = await deps.catalog.issuer(customer.issuerId);
  const versions = new Map<string, { planId: string; version: number }>();
  for (const p of subscription.phases)
    versions.set(`${p.planId}@${p.planVersion}`, { planId: p.planId, version: p.planVersion });
  const plans = await Promise.all(
    [...versions.values()].map((v) => deps.catalog.planVersion(v.planId, v.version)),
  );
  const sourceMeters: Record<string, Meter> = {};
  for (const plan of plans) Object.assign(sourceMeters, metersOf(plan));
  const wanted = new Set(plans.flatMap((p) => p.charges.flatMap((c) => ('meterId' in c ? [c.meterId] : []))));
  for (const id of wanted)
    if (sourceMeters[id] === undefined) sourceMeters[id] = await deps.catalog.meter(id);
  const foldable = new Set(
    Object.values(sourceMeters)
      .filter((m) => isFoldable(m, plans))
      .map((m) => m.id),
  );
  const meters = Object.fromEntries(
    Object.entries(sourceMeters).map(([id, m]) => [id, foldable.has(id) ? foldedMeter(m) : m]),
  );
  return {
    subscription,
    customer,
    plans,
    meters,
    sourceMeters,
    foldable,
    base: { customer, issuer, subscription, planVersions: plans, meters },
  };
}

function termsAtEnd(ctx: Context, period: BillingPeriod): Plan['terms'] {
  const t = ms(period.end) - 1;
  let phase = ctx.subscription.phases[0]!;
  for (const p of ctx.subscription.phases) if (ms(p.from) <= t) phase = p;
  const plan = ctx.plans.find((p) => p.id === phase.planId && p.version === phase.planVersion);
  return plan!.terms;
}

/** Assembles and stores the draft unless the invoice is already final (then it is never touched again). */
async function assembleIfDraft(id: string, deps: BillingDeps, assemble: () => Invoice | Promise<Invoice>) {
  const existing = await deps.invoices.get(id);
  if (existing !== null && existing.invoice.status !== 'draft') return;
  const draft = await assemble();
  await deps.invoices.putDraft(draft);
}

async function finalizeAndHandOver(id: string, now: string, deps: BillingDeps): Promise<Invoice> {
  const final = await deps.invoices.finalize(id, { now });
  // Both are idempotent (delivery dedupes on the request id, dunning's execution is named by the invoice).
  await deps.delivery.enqueueInvoice(final.id);
  await deps.dunning.startDunning(final.id);
  return final;
}

/** Where rating cuts a period: plan changes and the trial end inside it. */
function boundariesIn(sub: Subscription, from: string, to: string): string[] {
  const inside = (t: string) => ms(t) > ms(from) && ms(t) < ms(to);
  return [...sub.phases.map((p) => p.from), ...(sub.trialEnd ? [sub.trialEnd] : [])].filter(inside);
}

/** The invoice that came before the one for `period` (the opening invoice before the first period's). */
async function previousInvoice(
  ctx: Context,
  period: BillingPeriod,
  deps: BillingDeps,
): Promise<Invoice | null> {
  const prev = period.index === 0 ? null : periodByIndex(ctx.subscription, ctx.customer, period.index - 1);
  const id =
    prev === null
      ? invoiceIdFor(ctx.subscription.id, period.start, 'opening')
      : invoiceIdFor(ctx.subscription.id, prev.start, 'period');
  return (await deps.invoices.get(id))?.invoice ?? null;
}

async function readUsage(
  ctx: Context,
  deps: BillingDeps,
  interval: { start: string; end: string },
  windows: { name: string; receivedFrom?: string; receivedBefore?: string }[],
): Promise<Record<string, Record<string, UsageRecord[]>>> {
  const out: Record<string, Record<string, UsageRecord[]>> = Object.fromEntries(
    windows.map((w) => [w.name, {}]),
  );
  const boundaries = boundariesIn(ctx.subscription, interval.start, interval.end);
  const byType = new Map<string, Meter[]>();
  for (const m of Object.values(ctx.sourceMeters))
    byType.set(m.eventType, [...(byType.get(m.eventType) ?? []), m]);
  // One read per event type, however many meters read it; the types are read in parallel.
  await Promise.all(
    [...byType].map(async ([eventType, meters]) => {
      const byWindow = await collectEventType({
        source: deps.usage,
        customerId: ctx.customer.id,
        eventType,
        meters: meters.map((meter) => ({ meter, foldable: ctx.foldable.has(meter.id) })),
        from: interval.start,
        to: interval.end,
        windows,
        boundaries,
      });
      for (const [w, perMeter] of Object.entries(byWindow)) Object.assign(out[w]!, perMeter);
    }),
  );
  return out;
}

/**
 * The draft for a period: its usage received up to the cutoff (now − settle), the fees billed in advance for
 * it on the previous invoice (true-up), and the late usage of earlier, finalized periods whose acceptance
 * window is still open, as adjustments. The previous invoice's cutoff splits what an earlier period was
 * already billed for from what arrived since, so each late event is billed exactly once.
 */
async function assemblePeriod(
  ctx: Context,
  period: BillingPeriod,
  now: string,
  deps: BillingDeps,
): Promise<Invoice> {
  const settle = deps.settleMs ?? DEFAULT_SETTLE_MS;
  const cutoff = iso(ms(now) - settle);
  const [read, openings] = await Promise.all([
    readUsage(ctx, deps, { start: period.start, end: period.end }, [{ name: 'now', receivedBefore: cutoff }]),
    readOpenings({
      source: deps.usage,
      customerId: ctx.customer.id,
      meters: Object.values(ctx.sourceMeters),
      notBefore: ctx.subscription.start,
      before: period.start,
      receivedBefore: cutoff,
    }),
  ]);
  const usage = read.now!;

  const prev = await previousInvoice(ctx, period, deps);
  const advanceBilled =
    prev === null
      ? []
      : prev.lines.filter(
          (l) =>
            l.kind === 'fixed' &&
            l.timing === 'advance' &&
            ms(l.period.start) >= ms(period.start) &&
            ms(l.period.end) <= ms(period.end),
        );
  const adjustments: InvoiceLine[] = [];
  if (prev !== null && prev.kind === 'period' && prev.status !== 'draft') {
    const prevCutoff = iso(ms(prev.createdAt) - settle);
    for (let i = period.index - 1; i >= 0; i--) {
      const p = periodByIndex(ctx.subscription, ctx.customer, i);
      if (p === null) break;
      const closes = DateTime.fromISO(p.end, { zone: ctx.customer.timeZone })
        .plus({ days: termsAtEnd(ctx, p).lateAcceptanceDays })
        .toMillis();
      if (closes <= ms(prevCutoff)) break;
      const original = (await deps.invoices.get(invoiceIdFor(ctx.subscription.id, p.start, 'period')))
        ?.invoice;
      if (original === undefined || original.status === 'draft') continue;
      const split = await readUsage(ctx, deps, { start: p.start, end: p.end }, [
        { name: 'billed', receivedBefore: prevCutoff },
        { name: 'late', receivedFrom: prevCutoff, receivedBefore: iso(Math.min(ms(cutoff), closes)) },
      ]);
      if (Object.values(split.late!).every((r) => r.length === 0)) continue;
      // Re-rated from the opening state the original saw (what had arrived by its cutoff).
      const pOpenings = await readOpenings({
        source: deps.usage,
        customerId: ctx.customer.id,
        meters: Object.values(ctx.sourceMeters),
        notBefore: ctx.subscription.start,
        before: p.start,
        receivedBefore: prevCutoff,
      });
      const pUsage: Record<string, UsageRecord[]> = { ...split.billed! };
      for (const [id, rs] of Object.entries(split.late!)) pUsage[id] = [...(pUsage[id] ?? []), ...rs];
      adjustments.push(
        ...lateUsageAdjustment({
          customer: ctx.customer,
          subscription: ctx.subscription,
          planVersions: ctx.plans,
          meters: ctx.meters,
          original: {
            invoiceId: original.id,
            invoiceNumber: original.number,
            period: { start: p.start, end: p.end },
          },
          billedUsage: split.billed!,
          lateUsage: split.late!,
          rate: openingRater(pOpenings, pUsage),
        }),
      );
    }
  }
  return assembleInvoice({
    ...ctx.base,
    period: { start: period.start, end: period.end },
    usage,
    advanceBilled,
    adjustments,
    now,
    rate: openingRater(openings, usage),
  });
}

/**
 * The first billing cycle of a new subscription: the opening invoice at the start when its first plan bills
 * fixed fees in advance, else the first period's end. Null when it has no period (ends before it starts).
 */
export function initialCycle(
  subscription: Subscription,
  customer: Pick<Customer, 'timeZone'>,
  firstPlan: Pick<Plan, 'terms'>,
): BillingCycle | null {
  const p0 = periodByIndex(subscription, customer, 0);
  if (p0 === null) return null;
  return firstPlan.terms.fixedFeeTiming === 'advance'
    ? { periodStart: p0.start, periodEnd: p0.end, stage: 'opening', dueAt: subscription.start }
    : { periodStart: p0.start, periodEnd: p0.end, stage: 'open', dueAt: p0.end };
}
