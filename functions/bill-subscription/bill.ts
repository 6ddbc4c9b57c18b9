import {
  type BillingPeriod,
  type Customer,
  type Issuer,
  periodByIndex,
  periodContaining,
  type Subscription,
} from '@tally/billing';
import type { Meter, OpeningState, UsageRecord } from '@tally/metering';
import type { Decimal } from '@tally/money';
import { type Plan, planMeters } from '@tally/rating';
import type { BillingCycle, InvoiceStore, StoredInvoice, SubscriptionStore } from '@tally/store';
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
import {
  closingLevelsOf,
  groupingsOf,
  groupKeyOf,
  type Levels,
  openingKind,
  parseGroupKey,
  shiftLevels,
  sumByGroup,
} from './levels.js';
import {
  type GroupOpening,
  type Openings,
  openingRater,
  readGroupOpenings,
  readOpenings,
} from './opening.js';
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
  /** `customerId` rides in the execution input, so the dunning steps read the account without the invoice. */
  startDunning(invoiceId: string, opts?: { customerId?: string }): Promise<unknown>;
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
    const opening = await assembleIfDraft(id, deps, () =>
      assembleInvoice({
        ...ctx.base,
        kind: 'opening',
        period: { start: period.start, end: period.end },
        now,
      }),
    );
    await finalizeAndHandOver(id, now, deps, opening);
    await deps.subscriptions.moveCycle(ctx.subscription.id, cycle, {
      ...cycle,
      stage: 'open',
      dueAt: period.end,
    });
    return { outcome: 'finalized', invoiceId: id };
  }

  const id = invoiceIdFor(ctx.subscription.id, period.start, 'period');
  const held = await assembleIfDraft(id, deps, () => assemblePeriod(ctx, period, now, deps));
  const graceEnd = finalizeAt(period.end, termsAtEnd(ctx, period).draftGraceHours);
  if (held !== 'final' && ms(now) < ms(graceEnd)) {
    if (cycle.stage === 'open') {
      await deps.subscriptions.moveCycle(ctx.subscription.id, cycle, {
        ...cycle,
        stage: 'draft',
        dueAt: graceEnd,
      });
    }
    return { outcome: 'drafted', invoiceId: id, finalizeAt: graceEnd };
  }
  await finalizeAndHandOver(id, now, deps, held);
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
  const sourceMeters = await planMeters(plans, (id) => deps.catalog.meter(id));
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

/**
 * Assembles and stores the draft unless the invoice is already final (then it is never touched again).
 * @returns what is stored now: the draft just written, or `final` (finalized before, or meanwhile: the
 *   write found it locked), so the caller needs no second read.
 */
async function assembleIfDraft(
  id: string,
  deps: BillingDeps,
  assemble: () => Invoice | Promise<Invoice>,
): Promise<StoredInvoice<Invoice> | 'final'> {
  const existing = await deps.invoices.get(id);
  if (existing !== null && existing.invoice.status !== 'draft') return 'final';
  const draft = await assemble();
  return (await deps.invoices.writeDraft(draft)).stored ?? 'final';
}

async function finalizeAndHandOver(
  id: string,
  now: string,
  deps: BillingDeps,
  held: StoredInvoice<Invoice> | 'final',
): Promise<Invoice> {
  const final = await deps.invoices.finalize(id, { now, ...(held === 'final' ? {} : { draft: held }) });
  // Both are idempotent (delivery dedupes on the request id, dunning's execution is named by the invoice).
  await deps.delivery.enqueueInvoice(final.id);
  await deps.dunning.startDunning(final.id, { customerId: final.customer.id });
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
 * Whether any event of the subscription's meters arrived in `[receivedFrom, lateBefore)` for one of the
 * periods (asked of the usage store per event type and period, in parallel, without reading the events).
 */
async function anyArrivedLate(
  ctx: Context,
  deps: BillingDeps,
  periods: readonly { period: BillingPeriod; lateBefore: string }[],
  receivedFrom: string,
): Promise<boolean> {
  const types = [...new Set(Object.values(ctx.sourceMeters).map((m) => m.eventType))];
  const asks = periods.flatMap(({ period, lateBefore }) =>
    ms(lateBefore) <= ms(receivedFrom)
      ? []
      : types.map((eventType) =>
          deps.usage.anyArrived({
            customerId: ctx.customer.id,
            eventType,
            from: period.start,
            to: period.end,
            receivedFrom,
            receivedBefore: lateBefore,
          }),
        ),
  );
  return (await Promise.all(asks)).some(Boolean);
}

/** One earlier period the draft may correct: its finalized invoice and its records, billed and late. */
interface Correctable {
  readonly period: BillingPeriod;
  readonly original: Invoice;
  readonly billed: Record<string, UsageRecord[]>;
  readonly late: Record<string, UsageRecord[]>;
}

/**
 * The draft for a period: its usage received up to the cutoff (now − settle), the fees billed in advance for
 * it on the previous invoice (true-up), and the late usage of earlier, finalized periods whose acceptance
 * window is still open, as adjustments. The previous invoice's cutoff splits what an earlier period was
 * already billed for from what arrived since, so each late event is billed exactly once.
 *
 * Stateful meters (register reads, levels) open each period from the state before it: see `openingsAt`. A
 * late record also moves the opening of every later period, so an earlier period is re-rated when it has late
 * records or a stateful meter has late records in a period before it; it is billed the difference between
 * its rating with the usage and openings as billed (arrived before the previous cutoff) and with everything
 * arrived since. The draft stores the closing level of its time-weighted meters (`closingLevels`): the next
 * period of a meter fed by changes opens from it plus the late changes of earlier periods.
 */
async function assemblePeriod(
  ctx: Context,
  period: BillingPeriod,
  now: string,
  deps: BillingDeps,
): Promise<Invoice> {
  const settle = deps.settleMs ?? DEFAULT_SETTLE_MS;
  const cutoff = iso(ms(now) - settle);
  const [read, whole] = await Promise.all([
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
  // The levels the previous period closed with (none before the first period, or on an invoice from before
  // they were kept: then a meter fed by changes opens from its `initial`).
  const prevLevels = prev !== null && prev.kind === 'period' ? prev.closingLevels : undefined;
  const initialOf = (meterId: string) => ctx.sourceMeters[meterId]?.timeWeighted?.initial ?? '0';
  const adjustments: InvoiceLine[] = [];
  let lateChanges = new Map<string, Map<string, Decimal>>();
  if (prev !== null && prev.kind === 'period' && prev.status !== 'draft') {
    const prevCutoff = iso(ms(prev.createdAt) - settle);
    const candidates: { period: BillingPeriod; original: Invoice; lateBefore: string }[] = [];
    for (let i = period.index - 1; i >= 0; i--) {
      const p = periodByIndex(ctx.subscription, ctx.customer, i);
      if (p === null) break;
      const closes = DateTime.fromISO(p.end, { zone: ctx.customer.timeZone })
        .plus({ days: termsAtEnd(ctx, p).lateAcceptanceDays })
        .toMillis();
      if (closes <= ms(prevCutoff)) break;
      const originalId = invoiceIdFor(ctx.subscription.id, p.start, 'period');
      // The period just before is `prev`, read a moment ago: not read twice.
      const original = originalId === prev.id ? prev : (await deps.invoices.get(originalId))?.invoice;
      if (original === undefined || original.status === 'draft') continue;
      candidates.push({ period: p, original, lateBefore: iso(Math.min(ms(cutoff), closes)) });
    }
    // Usually nothing arrived late: then no earlier period is re-rated (each would be skipped below) and the
    // late changes are empty, so the periods are read whole only when the probe finds a late arrival.
    const window: Correctable[] = [];
    if (await anyArrivedLate(ctx, deps, candidates, prevCutoff)) {
      for (const c of candidates) {
        const split = await readUsage(ctx, deps, { start: c.period.start, end: c.period.end }, [
          { name: 'billed', receivedBefore: prevCutoff },
          { name: 'late', receivedFrom: prevCutoff, receivedBefore: c.lateBefore },
        ]);
        window.push({ period: c.period, original: c.original, billed: split.billed!, late: split.late! });
      }
    }
    lateChanges = changesOf(ctx, window, (w) => w.late);
    const stateful = Object.values(ctx.sourceMeters).filter((m) => openingKind(m) !== null);
    const hasLate = (w: Correctable, meters?: readonly Meter[]) =>
      (meters ?? Object.values(ctx.sourceMeters)).some((m) => (w.late[m.id] ?? []).length > 0);
    for (const w of window) {
      const earlier = window.filter((q) => q.period.index < w.period.index);
      // A late record of a stateful meter before this period moves its opening, so it is re-rated too.
      if (!hasLate(w) && !earlier.some((q) => hasLate(q, stateful))) continue;
      const from = window.filter((q) => q.period.index >= w.period.index);
      // Levels as billed at this period's start: the previous closing minus what was billed since.
      const billedLevels =
        prevLevels === undefined
          ? undefined
          : shiftLevels(
              prevLevels,
              changesOf(ctx, from, (q) => q.billed),
              initialOf,
              -1,
            );
      const merged: Record<string, UsageRecord[]> = { ...w.billed };
      for (const [id, rs] of Object.entries(w.late)) merged[id] = [...(merged[id] ?? []), ...rs];
      const at = (receivedBefore: string, records: Record<string, UsageRecord[]>, levels?: Levels) =>
        openingsAt(ctx, deps, { before: w.period.start, receivedBefore, records, levels, known: prevLevels });
      const [asBilled, asNow] = await Promise.all([
        at(prevCutoff, w.billed, billedLevels),
        at(
          cutoff,
          merged,
          billedLevels === undefined
            ? undefined
            : shiftLevels(
                billedLevels,
                changesOf(ctx, earlier, (q) => q.late),
                initialOf,
              ),
        ),
      ]);
      adjustments.push(
        ...lateUsageAdjustment({
          customer: ctx.customer,
          subscription: ctx.subscription,
          planVersions: ctx.plans,
          meters: ctx.meters,
          original: {
            invoiceId: w.original.id,
            invoiceNumber: w.original.number,
            period: { start: w.period.start, end: w.period.end },
          },
          billedUsage: w.billed,
          lateUsage: w.late,
          rate: openingRater(asNow),
          rateBilled: openingRater(asBilled),
        }),
      );
    }
  }
  const openings = await openingsAt(ctx, deps, {
    before: period.start,
    receivedBefore: cutoff,
    records: usage,
    levels: prevLevels === undefined ? undefined : shiftLevels(prevLevels, lateChanges, initialOf),
    known: prevLevels,
    whole,
  });
  const closingLevels = closingLevelsFor(ctx, openings, usage);
  const invoice = assembleInvoice({
    ...ctx.base,
    period: { start: period.start, end: period.end },
    usage,
    advanceBilled,
    adjustments,
    now,
    rate: openingRater(openings),
  });
  return Object.keys(closingLevels).length === 0 ? invoice : { ...invoice, closingLevels };
}

/** The time-weighted meters the plans price by their aggregate, with their kind and groupings. */
function levelMeters(ctx: Context): { meter: Meter; kind: 'level' | 'change'; groupings: string[][] }[] {
  return Object.values(ctx.sourceMeters).flatMap((meter) => {
    const kind = openingKind(meter);
    const groupings = groupingsOf(meter.id, ctx.plans);
    return (kind === 'level' || kind === 'change') && groupings.length > 0
      ? [{ meter, kind, groupings }]
      : [];
  });
}

/** Σ of the changes of the change-fed meters over the periods' records (`pick` chooses billed or late). */
function changesOf(
  ctx: Context,
  periods: readonly Correctable[],
  pick: (c: Correctable) => Record<string, UsageRecord[]>,
): Map<string, Map<string, Decimal>> {
  const out = new Map<string, Map<string, Decimal>>();
  for (const { meter, kind, groupings } of levelMeters(ctx)) {
    if (kind !== 'change') continue;
    out.set(
      meter.id,
      sumByGroup(
        periods.flatMap((p) => pick(p)[meter.id] ?? []),
        groupings,
      ),
    );
  }
  return out;
}

/**
 * The state the stateful meters open a period with, at `before` (its start), from what arrived before
 * `receivedBefore`:
 * - charges priced whole: the last register read or level record of the store (`readOpenings`; `whole` when
 *   already read); a meter fed by changes: its level `levels[meter][""]`;
 * - charges priced per group: per group, the last record of the store before `before`
 *   (`readGroupOpenings`) for the groups with records in `records` (the period's) and, for levels, the groups
 *   the previous period closed with (`known`: a level in force needs no record in the period); a meter fed
 *   by changes: its levels per group.
 */
async function openingsAt(
  ctx: Context,
  deps: BillingDeps,
  q: {
    before: string;
    receivedBefore: string;
    records: Readonly<Record<string, readonly UsageRecord[]>>;
    levels: Levels | undefined;
    known: Levels | undefined;
    whole?: Record<string, OpeningState>;
  },
): Promise<Openings> {
  const whole: Record<string, OpeningState> = {
    ...(q.whole ??
      (await readOpenings({
        source: deps.usage,
        customerId: ctx.customer.id,
        meters: Object.values(ctx.sourceMeters),
        notBefore: ctx.subscription.start,
        before: q.before,
        receivedBefore: q.receivedBefore,
      }))),
  };
  const groups: Record<string, Record<string, GroupOpening>> = {};
  await Promise.all(
    Object.values(ctx.sourceMeters).map(async (meter) => {
      const kind = openingKind(meter);
      if (kind === null) return;
      const groupings = groupingsOf(meter.id, ctx.plans).filter((g) => g.length > 0);
      const mine = new Set(groupings.map((g) => JSON.stringify(g)));
      const ofMine = (key: string) => key !== '' && mine.has(JSON.stringify(parseGroupKey(key).names));
      if (kind === 'change') {
        const levels = q.levels?.[meter.id] ?? {};
        if (levels[''] !== undefined) whole[meter.id] = { level: levels[''] };
        const g: Record<string, GroupOpening> = {};
        for (const [key, level] of Object.entries(levels)) if (ofMine(key)) g[key] = { level };
        groups[meter.id] = g;
        return;
      }
      if (groupings.length === 0) return;
      const wanted = new Set<string>();
      for (const names of groupings)
        for (const r of q.records[meter.id] ?? []) wanted.add(groupKeyOf(names, r.dimensions));
      if (kind === 'level')
        for (const key of Object.keys(q.known?.[meter.id] ?? {})) if (ofMine(key)) wanted.add(key);
      const found = await readGroupOpenings({
        source: deps.usage,
        customerId: ctx.customer.id,
        meter,
        groupings,
        wanted,
        before: q.before,
        notBefore: ctx.subscription.start,
        receivedBefore: q.receivedBefore,
      });
      groups[meter.id] = Object.fromEntries([...found].map(([key, record]) => [key, { record }]));
    }),
  );
  return { at: q.before, whole, groups };
}

/** The levels the period closes with, per time-weighted meter and group (see `InvoiceSchema.closingLevels`). */
function closingLevelsFor(
  ctx: Context,
  openings: Openings,
  usage: Readonly<Record<string, readonly UsageRecord[]>>,
): Levels {
  const out: Levels = {};
  for (const { meter, kind, groupings } of levelMeters(ctx)) {
    const groups = openings.groups[meter.id] ?? {};
    const opening = (key: string): string | undefined => {
      if (key === '') return openings.whole[meter.id]?.level;
      const g = groups[key];
      return g === undefined ? undefined : 'level' in g ? g.level : g.record.value;
    };
    const keys = [...Object.keys(groups), ...(openings.whole[meter.id]?.level === undefined ? [] : [''])];
    const levels = closingLevelsOf(meter, kind, groupings, usage[meter.id] ?? [], opening, keys);
    if (kind === 'change' && groupings.some((g) => g.length === 0))
      levels[''] ??= meter.timeWeighted?.initial ?? '0';
    if (Object.keys(levels).length > 0) out[meter.id] = levels;
  }
  return out;
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
