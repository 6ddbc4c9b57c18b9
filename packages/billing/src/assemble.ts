import type { Meter, UsageRecord } from '@tally/metering';
import { currencyExponent, Decimal, formatMinor, type RoundingMode, sum } from '@tally/money';
import { type Plan, type RatedLine, rate } from '@tally/rating';
import { type AppliedCredit, applyCredits, type CreditGrant } from './credits.js';
import type { Customer, Issuer } from './customer.js';
import { type Coupon, couponCovers, discountLines } from './discounts.js';
import { BillingInputError } from './errors.js';
import { type Invoice, type InvoiceLine, invoiceIdFor } from './invoice.js';
import { type BillingPeriod, periodByIndex, periodContaining } from './periods.js';
import type { BillingPlan, BillingUsageRecord, RateFn } from './plan-port.js';
import { type ProrationFactor, prorateAmount, prorationFactor } from './proration.js';
import type { Subscription, SubscriptionPhase } from './subscription.js';
import { computeTax } from './tax.js';
import { type Interval, intersect, maxInstant, ms, subtractAll } from './time.js';

export interface AssembleInvoiceInput<P extends BillingPlan, M, U extends BillingUsageRecord> {
  /** `period` (default) closes `period`; `opening` bills the first period's fees in advance. */
  readonly kind?: Invoice['kind'];
  readonly customer: Customer;
  readonly issuer: Issuer;
  readonly subscription: Subscription;
  /** Every plan version the subscription's phases name. */
  readonly planVersions: readonly P[];
  readonly meters: Readonly<Record<string, M>>;
  /** One of the subscription's billing periods (as `billingPeriods` gives them). */
  readonly period: Interval;
  /** Usage per meter id; records outside the period or inside the trial are ignored. */
  readonly usage?: Readonly<Record<string, readonly U[]>>;
  /**
   * The lines of the invoice that billed this period's fees in advance (the previous period invoice, or the
   * opening invoice); only its advance fixed-fee lines for `period` are used, for the true-up.
   */
  readonly advanceBilled?: readonly InvoiceLine[];
  /** Late-usage adjustment lines (from `lateUsageAdjustment`) to bill on this invoice. */
  readonly adjustments?: readonly InvoiceLine[];
  readonly credits?: readonly CreditGrant[];
  readonly coupons?: readonly Coupon[];
  /** The assembly time (never read from a clock). */
  readonly now: string;
  /** The rating function (`rate` of @tally/rating). */
  readonly rate: RateFn<P, M, U>;
}

/** An input whose rating function may be left out (then `rate` of @tally/rating is used). */
export type WithOptionalRate<T extends { rate: unknown }> = Omit<T, 'rate'> & { readonly rate?: T['rate'] };

/** {@link AssembleInvoiceInput} with @tally/rating's plans, meters and usage records; `rate` defaults to theirs. */
export type PlanInvoiceInput = WithOptionalRate<AssembleInvoiceInput<Plan, Meter, UsageRecord>>;

/** The injected rater, or `rate` of @tally/rating (the overloads ensure the plans are theirs then). */
export function raterOf<P extends BillingPlan, M, U extends BillingUsageRecord>(
  given: RateFn<P, M, U> | undefined,
): RateFn<P, M, U> {
  return given ?? (rate as unknown as RateFn<P, M, U>);
}

interface Segment<P> {
  readonly index: number;
  readonly interval: Interval;
  readonly phase: SubscriptionPhase;
  readonly plan: P;
}

/** A fixed fee as it should be for a part of a period (before comparing with what was billed in advance). */
interface FeePart<P> {
  readonly line: RatedLine;
  readonly segment: Segment<P>;
}

export interface BillingContext<P extends BillingPlan> {
  readonly customer: Customer;
  readonly subscription: Subscription;
  readonly plans: readonly P[];
}

export function findPlan<P extends BillingPlan>(ctx: BillingContext<P>, phase: SubscriptionPhase): P {
  const plan = ctx.plans.find((p) => p.id === phase.planId && p.version === phase.planVersion);
  if (plan === undefined) {
    throw new BillingInputError(
      `subscription ${ctx.subscription.id}: plan ${phase.planId} version ${phase.planVersion} is not among the plan versions given`,
      { subscriptionId: ctx.subscription.id, planId: phase.planId, planVersion: phase.planVersion },
    );
  }
  if (plan.currency !== ctx.customer.currency) {
    throw new BillingInputError(
      `subscription ${ctx.subscription.id}: plan ${plan.id} v${plan.version} is priced in ${plan.currency} but customer ${ctx.customer.id} is billed in ${ctx.customer.currency}`,
      { subscriptionId: ctx.subscription.id, planId: plan.id, currency: plan.currency },
    );
  }
  if (plan.terms.interval !== undefined && plan.terms.interval !== ctx.subscription.interval) {
    // Rating prices fixed fees per plan interval; billing them per another interval would misprice them.
    throw new BillingInputError(
      `subscription ${ctx.subscription.id} bills every ${ctx.subscription.interval}, but plan ${plan.id} v${plan.version} is priced per ${plan.terms.interval}`,
      { subscriptionId: ctx.subscription.id, planId: plan.id, interval: plan.terms.interval },
    );
  }
  return plan;
}

/** The phase in effect at instant `t`. */
export function phaseAt(sub: Subscription, t: string): SubscriptionPhase {
  let found = sub.phases[0]!;
  for (const p of sub.phases) if (ms(p.from) <= ms(t)) found = p;
  return found;
}

/** The part of a period that is charged: from the end of the trial (if later) to the period's end. */
export function chargeableWindow(sub: Subscription, period: Interval): Interval | null {
  const start = sub.trialEnd === undefined ? period.start : maxInstant(period.start, sub.trialEnd);
  return ms(start) < ms(period.end) ? { start, end: period.end } : null;
}

/** The chargeable window cut at each plan change: each segment is rated on its own plan version. */
export function segmentsOf<P extends BillingPlan>(
  ctx: BillingContext<P>,
  window: Interval | null,
): Segment<P>[] {
  if (window === null) return [];
  const phases = ctx.subscription.phases;
  const out: Segment<P>[] = [];
  phases.forEach((phase, i) => {
    const next = phases[i + 1];
    const interval = intersect(window, { start: phase.from, end: next?.from ?? '9999-12-31T00:00:00Z' });
    if (interval !== null) out.push({ index: out.length, interval, phase, plan: findPlan(ctx, phase) });
  });
  return out;
}

export function usageIn<U extends BillingUsageRecord>(
  usage: Readonly<Record<string, readonly U[]>>,
  interval: Interval,
): Record<string, U[]> {
  const from = ms(interval.start);
  const to = ms(interval.end);
  const out: Record<string, U[]> = {};
  for (const [meterId, records] of Object.entries(usage)) {
    out[meterId] = records.filter((r) => {
      const t = ms(r.time);
      return from <= t && t < to;
    });
  }
  return out;
}

/** Resolves `period` to the subscription's billing period and checks that it is one. */
export function resolvePeriod(sub: Subscription, customer: Customer, period: Interval): BillingPeriod {
  const found = periodContaining(sub, customer, period.start);
  if (found === null || ms(found.start) !== ms(period.start) || ms(found.end) !== ms(period.end)) {
    throw new BillingInputError(
      `subscription ${sub.id}: ${period.start}..${period.end} is not one of its billing periods` +
        (found ? ` (the period there is ${found.start}..${found.end})` : ''),
      { subscriptionId: sub.id, period },
    );
  }
  return found;
}

function fixedLine(
  rated: RatedLine,
  key: string,
  part: Interval,
  nominal: Interval,
  factor: ProrationFactor,
  quantity: string,
  timing: 'advance' | 'arrears',
  credit: boolean,
): InvoiceLine {
  const money = prorateAmount(rated.precise, factor, rated.currency, rated.rounding, quantity);
  const negate = (s: string) => new Decimal(s).negated().toFixed();
  return {
    ...rated,
    key,
    kind: 'fixed',
    description: credit ? `Unused time: ${rated.description}` : rated.description,
    period: part,
    quantity: new Decimal(rated.quantity).times(quantity).toFixed(),
    precise: credit ? negate(money.precise) : money.precise,
    amount: credit ? negate(money.amount) : money.amount,
    timing,
    subscriptionQuantity: quantity,
    proration: { ...factor, fullPeriod: nominal, fullPrecise: rated.precise, credit },
  };
}

const matchKey = (planId: string, planVersion: number, chargeId: string, quantity: string) =>
  `${planId}|${planVersion}|${chargeId}|${new Decimal(quantity).toFixed()}`;

function stamp(iso: string): string {
  return iso.replace(/[-:]/g, '').replace(/\.\d+/, '');
}

/** Lines rated for one period's segments: usage as rated, fixed fees as parts still to settle. */
export function rateSegments<P extends BillingPlan, M, U extends BillingUsageRecord>(
  ctx: BillingContext<P>,
  segments: readonly Segment<P>[],
  input: Pick<AssembleInvoiceInput<P, M, U>, 'meters' | 'usage' | 'rate'>,
  window: Interval,
  period: Interval,
): { usageLines: InvoiceLine[]; fees: FeePart<P>[] } {
  const usageLines: InvoiceLine[] = [];
  const fees: FeePart<P>[] = [];
  const whole = { start: period.start, end: period.end };
  for (const segment of segments) {
    const part = segment.interval;
    const cut = ms(part.start) !== ms(period.start) || ms(part.end) !== ms(period.end);
    const lines = input.rate({
      plan: segment.plan,
      meters: input.meters,
      period: segment.interval,
      timeZone: ctx.customer.timeZone,
      usage: usageIn(input.usage ?? {}, segment.interval),
      periodUsage: input.usage ?? {},
      // A segment of a split period gets its share of the allowances (rating prorates them over the window).
      ...(segments.length > 1 ? { nominalPeriod: window } : {}),
      // A time-weighted meter measures its share of the billing period in a part of it, not the part as a
      // whole period (10 GB all month cut in two is 5 + 5 GB-months, not 10 + 10); a trial's part is not billed.
      ...(cut ? { wholePeriod: whole } : {}),
    });
    for (const line of lines) {
      if (line.kind === 'fixed') fees.push({ line, segment });
      else usageLines.push({ ...line, key: `s${segment.index}:${line.key}`, period: segment.interval });
    }
  }
  return { usageLines, fees };
}

/**
 * What a period costs before discounts, apart from how its fixed fees are billed: the usage lines of each
 * segment, the fees as parts still to bill, and the commitment top-up over usage plus the prorated fees.
 * Shared by invoice assembly and late-usage re-rating, so both see the same figures.
 */
export function periodCharges<P extends BillingPlan, M, U extends BillingUsageRecord>(
  ctx: BillingContext<P>,
  period: BillingPeriod,
  window: Interval,
  segments: readonly Segment<P>[],
  input: Pick<AssembleInvoiceInput<P, M, U>, 'meters' | 'usage' | 'rate'>,
): { usageLines: InvoiceLine[]; fees: FeePart<P>[]; commitment: InvoiceLine | null } {
  const { usageLines, fees } = rateSegments(ctx, segments, input, window, period);
  let spend = sum(usageLines.map((l) => l.amount));
  for (const f of fees) {
    const factor = prorationFactor(
      f.segment.plan.terms.proration,
      f.segment.interval,
      period.nominal,
      ctx.customer.timeZone,
      window.start,
    );
    spend = spend.plus(
      prorateAmount(f.line.precise, factor, ctx.customer.currency, f.line.rounding, f.segment.phase.quantity)
        .amount,
    );
  }
  return { usageLines, fees, commitment: commitmentLine(ctx, segments, period, spend, window) };
}

/**
 * The minimum commitment of the plans over the segments (each plan's commitment prorated like its fees)
 * topped up against the period's spend (usage lines and the period's fixed fees, before discounts).
 */
export function commitmentLine<P extends BillingPlan>(
  ctx: BillingContext<P>,
  segments: readonly Segment<P>[],
  period: BillingPeriod,
  spend: Decimal,
  window: Interval,
): InvoiceLine | null {
  const withCommitment = segments.filter((s) => s.plan.terms.minimumCommitment !== undefined);
  if (withCommitment.length === 0) return null;
  const currency = ctx.customer.currency;
  const last = segments[segments.length - 1]!;
  const precise = sum(
    withCommitment.map((s) => {
      const f = prorationFactor(
        s.plan.terms.proration,
        s.interval,
        period.nominal,
        ctx.customer.timeZone,
        window.start,
      );
      return new Decimal(s.plan.terms.minimumCommitment!).times(f.numerator).div(f.denominator);
    }),
  );
  const committed = new Decimal(formatMinor(precise, currency));
  if (spend.gte(committed)) return null;
  const amount = formatMinor(committed.minus(spend), currency);
  return {
    key: 'commitment',
    chargeId: 'commitment',
    kind: 'commitment',
    description: `Minimum commitment ${formatMinor(committed, currency)} ${currency}, spend ${formatMinor(spend, currency)} ${currency}`,
    planId: last.plan.id,
    planVersion: last.plan.version,
    period: window,
    quantity: '1',
    unitPrice: amount,
    currency,
    precise: committed.minus(spend).toFixed(),
    amount,
    rounding: last.plan.terms.rounding,
  };
}

/**
 * Assembles a draft invoice from a customer, a subscription, its plan versions and the period's usage. Pure:
 * the same input gives the same invoice (ids, keys and line order included), so a re-run upserts.
 *
 * What a `period` invoice for P holds, in order:
 * 1. usage lines of P, rated per plan segment (a plan change cuts P; each part is rated on its own version);
 * 2. fixed fees of P billed in arrears, prorated per segment;
 * 3. for fees billed in advance: the true-up against `advanceBilled` (credit of unused time on the old
 *    phase, prorated charge for the new one; nothing when nothing changed);
 * 4. the minimum-commitment top-up of P;
 * 5. late-usage `adjustments` of earlier periods;
 * 6. the fixed fees of the next period, billed in advance;
 * then coupon discounts, tax, prepaid credits and totals.
 *
 * @example
 * const draft = assembleInvoice({ customer, issuer, subscription, planVersions: [plan], meters, period,
 *   usage: { calls: records }, now: '2026-04-01T06:00:00Z', rate });
 */
export function assembleInvoice(input: PlanInvoiceInput): Invoice;
export function assembleInvoice<P extends BillingPlan, M, U extends BillingUsageRecord>(
  input: AssembleInvoiceInput<P, M, U>,
): Invoice;
export function assembleInvoice<P extends BillingPlan, M, U extends BillingUsageRecord>(
  withOptionalRate: WithOptionalRate<AssembleInvoiceInput<P, M, U>>,
): Invoice {
  const input = { ...withOptionalRate, rate: raterOf(withOptionalRate.rate) };
  const { customer, issuer, subscription: sub } = input;
  const kind = input.kind ?? 'period';
  if (sub.customerId !== customer.id) {
    throw new BillingInputError(
      `subscription ${sub.id} belongs to customer ${sub.customerId}, not ${customer.id}`,
      {
        subscriptionId: sub.id,
        customerId: customer.id,
      },
    );
  }
  if (issuer.id !== customer.issuerId) {
    throw new BillingInputError(
      `customer ${customer.id} is invoiced by issuer ${customer.issuerId}, but issuer ${issuer.id} was given`,
      { customerId: customer.id, issuerId: issuer.id },
    );
  }
  const ctx: BillingContext<P> = { customer, subscription: sub, plans: input.planVersions };
  const currency = customer.currency;
  const zone = customer.timeZone;
  const period = resolvePeriod(sub, customer, input.period);
  if (kind === 'opening' && period.index !== 0) {
    throw new BillingInputError(`subscription ${sub.id}: an opening invoice is for the first period only`, {
      subscriptionId: sub.id,
      period: input.period,
    });
  }

  const lines: InvoiceLine[] = [];
  const window = chargeableWindow(sub, period);
  const segments = kind === 'period' ? segmentsOf(ctx, window) : [];

  if (kind === 'period' && window !== null) {
    const { usageLines, fees, commitment } = periodCharges(ctx, period, window, segments, input);
    lines.push(...usageLines);

    const factorOf = (seg: Segment<P>, part: Interval) =>
      prorationFactor(seg.plan.terms.proration, part, period.nominal, zone, window.start);

    const arrears = fees.filter((f) => f.segment.plan.terms.fixedFeeTiming === 'arrears');
    for (const f of arrears) {
      const factor = factorOf(f.segment, f.segment.interval);
      if (factor.numerator === 0) continue;
      const key = `s${f.segment.index}:${f.line.key}`;
      lines.push(
        fixedLine(
          f.line,
          key,
          f.segment.interval,
          period.nominal,
          factor,
          f.segment.phase.quantity,
          'arrears',
          false,
        ),
      );
    }

    // True-up of fees billed in advance: only the parts that differ from what was billed are settled.
    const advance = fees.filter((f) => f.segment.plan.terms.fixedFeeTiming === 'advance');
    // The previous invoice's lines may be passed whole: keep its advance fees for this period only.
    const billed = (input.advanceBilled ?? []).filter(
      (l) =>
        l.kind === 'fixed' &&
        l.timing === 'advance' &&
        !l.proration?.credit &&
        intersect(l.period, period) !== null,
    );
    for (const a of billed) {
      if (a.proration === undefined || a.subscriptionQuantity === undefined) {
        throw new BillingInputError(`advance-billed line ${a.key} lacks its proration or quantity`, {
          key: a.key,
        });
      }
      const k = matchKey(a.planId, a.planVersion, a.chargeId, a.subscriptionQuantity);
      const covered = advance
        .filter(
          (f) =>
            matchKey(f.segment.plan.id, f.segment.plan.version, f.line.chargeId, f.segment.phase.quantity) ===
            k,
        )
        .map((f) => f.segment.interval);
      for (const part of subtractAll(a.period, covered)) {
        const factor = prorationFactor(a.proration.basis, part, period.nominal, zone, window.start);
        if (factor.numerator === 0) continue;
        const rated: RatedLine = {
          ...a,
          kind: 'fixed',
          description: a.description.replace(/^Unused time: /, ''),
          quantity: new Decimal(a.quantity).div(a.subscriptionQuantity).toFixed(),
          precise: a.proration.fullPrecise,
        };
        lines.push(
          fixedLine(
            rated,
            `credit:${a.key}:${stamp(part.start)}`,
            part,
            period.nominal,
            factor,
            a.subscriptionQuantity,
            'advance',
            true,
          ),
        );
      }
    }
    for (const f of advance) {
      const k = matchKey(
        f.segment.plan.id,
        f.segment.plan.version,
        f.line.chargeId,
        f.segment.phase.quantity,
      );
      const covered = billed
        .filter((a) => matchKey(a.planId, a.planVersion, a.chargeId, a.subscriptionQuantity ?? '') === k)
        .map((a) => a.period);
      for (const part of subtractAll(f.segment.interval, covered)) {
        const factor = factorOf(f.segment, part);
        if (factor.numerator === 0) continue;
        const key = `s${f.segment.index}:${f.line.key}:${stamp(part.start)}`;
        lines.push(
          fixedLine(f.line, key, part, period.nominal, factor, f.segment.phase.quantity, 'arrears', false),
        );
      }
    }

    if (commitment !== null) lines.push(commitment);
  }

  for (const adj of input.adjustments ?? []) {
    if (adj.currency !== currency) {
      throw new BillingInputError(`adjustment ${adj.key} is in ${adj.currency}, the invoice in ${currency}`, {
        key: adj.key,
      });
    }
    lines.push(adj);
  }

  // Fixed fees in advance: for this period on an opening invoice, else for the next period.
  const target = kind === 'opening' ? period : periodByIndex(sub, customer, period.index + 1);
  const targetWindow = target === null ? null : chargeableWindow(sub, target);
  if (target !== null && targetWindow !== null) {
    const phase = phaseAt(sub, targetWindow.start);
    const plan = findPlan(ctx, phase);
    if (plan.terms.fixedFeeTiming === 'advance') {
      const rated = input.rate({
        plan,
        meters: input.meters,
        period: targetWindow,
        timeZone: zone,
        usage: {},
      });
      const factor = prorationFactor(
        plan.terms.proration,
        targetWindow,
        target.nominal,
        zone,
        targetWindow.start,
      );
      for (const l of rated) {
        if (l.kind !== 'fixed' || factor.numerator === 0) continue;
        lines.push(
          fixedLine(
            l,
            `adv:${l.key}`,
            targetWindow,
            target.nominal,
            factor,
            phase.quantity,
            'advance',
            false,
          ),
        );
      }
    }
  }

  const primary = findPlan(ctx, phaseAt(sub, kind === 'opening' ? period.start : lastInstant(period)));
  const rounding = primary.terms.rounding;
  const coupons = (input.coupons ?? []).filter((c) => {
    if (c.type === 'amount' && c.currency !== currency) {
      throw new BillingInputError(`coupon ${c.id} is in ${c.currency}, the invoice in ${currency}`, {
        couponId: c.id,
      });
    }
    return couponCovers(c, redeemedIndex(sub, customer, c.redeemedAt), period.index);
  });
  lines.push(
    ...discountLines(lines, coupons, {
      currency,
      rounding,
      trace: {
        planId: primary.id,
        planVersion: primary.version,
        period: { start: period.start, end: period.end },
      },
    }),
  );

  return totalInvoice({
    id: invoiceIdFor(sub.id, period.start, kind),
    kind,
    subscriptionId: sub.id,
    customer,
    issuer,
    period,
    lines,
    rounding,
    paymentTermsDays: primary.terms.paymentTermsDays ?? customer.paymentTermsDays,
    credits: input.credits ?? [],
    now: input.now,
  });
}

function lastInstant(p: Interval): string {
  return new Date(ms(p.end) - 1).toISOString();
}

function redeemedIndex(sub: Subscription, customer: Customer, at: string): number {
  if (ms(at) < ms(sub.start)) return 0;
  return periodContaining(sub, customer, at)?.index ?? Number.POSITIVE_INFINITY;
}

/** States the rounding rule in words, for the document. */
export function roundingStatement(
  currency: string,
  lines: RoundingMode,
  tax: 'per-line' | 'per-invoice',
): string {
  const unit = new Decimal(10).pow(-currencyExponent(currency)).toFixed();
  const taxWords = tax === 'per-line' ? 'per line, then added up' : 'once per rate on the subtotal';
  return `Each line is rounded once to ${unit} ${currency} (${lines}); tax is rounded ${taxWords} (${lines}).`;
}

/** Tax, credits and totals over finished lines; shared by invoices and credit notes. */
export function totalInvoice(args: {
  id: string;
  kind: Invoice['kind'];
  subscriptionId: string;
  customer: Customer;
  issuer: Issuer;
  period: BillingPeriod;
  lines: InvoiceLine[];
  rounding: RoundingMode;
  paymentTermsDays: number;
  credits: readonly CreditGrant[];
  now: string;
}): Invoice {
  const { customer } = args;
  const currency = customer.currency;
  // Every amount on the document carries exactly the currency's decimals ("30.00", not "30").
  const lines = args.lines.map((l) => ({ ...l, amount: formatMinor(l.amount, currency) }));
  const tax = computeTax(lines, customer.tax, currency, args.rounding);
  const withTax =
    tax.perLine === undefined ? lines : lines.map((l, i) => ({ ...l, taxes: tax.perLine![i]! }));
  const subtotal = sum(lines.map((l) => l.amount));
  const discounts = sum(lines.filter((l) => l.kind === 'discount').map((l) => l.amount));
  const owed = customer.tax.mode === 'exclusive' ? subtotal.plus(tax.total) : subtotal;
  const credit: { applied: AppliedCredit[]; total: Decimal } = applyCredits(owed, args.credits, {
    currency,
    now: args.now,
  });
  const total = owed.minus(credit.total);
  const m = (d: Decimal) => formatMinor(d, currency);
  const { id, legalName, billingEmails, locale, timeZone, address, taxId } = customer;
  return {
    id: args.id,
    kind: args.kind,
    status: 'draft',
    number: null,
    subscriptionId: args.subscriptionId,
    issuer: args.issuer,
    customer: {
      id,
      legalName,
      billingEmails,
      locale,
      timeZone,
      ...(address === undefined ? {} : { address }),
      ...(taxId === undefined ? {} : { taxId }),
    },
    currency,
    period: { start: args.period.start, end: args.period.end },
    periodIndex: args.period.index,
    createdAt: args.now,
    finalizedAt: null,
    issueDate: null,
    dueDate: null,
    paymentTermsDays: args.paymentTermsDays,
    lines: withTax,
    tax: {
      mode: customer.tax.mode,
      rounding: customer.tax.rounding,
      ...(customer.tax.exemption === undefined ? {} : { exemption: customer.tax.exemption }),
      lines: tax.lines,
    },
    creditsApplied: credit.applied,
    totals: {
      charges: m(subtotal.minus(discounts)),
      discounts: m(discounts),
      subtotal: m(subtotal),
      tax: m(tax.total),
      credits: m(credit.total),
      total: m(total),
      amountDue: m(Decimal.max(total, 0)),
      creditBalanceCreated: m(Decimal.max(total.negated(), 0)),
    },
    roundingRule: {
      lines: args.rounding,
      tax: customer.tax.rounding,
      statement: roundingStatement(currency, args.rounding, customer.tax.rounding),
    },
    paidAt: null,
    paymentReference: null,
    voidedAt: null,
    voidReason: null,
  };
}
