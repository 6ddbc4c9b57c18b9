import {
  aggregate,
  groupRecords,
  type Meter,
  type Period,
  type PeriodMs,
  periodMs,
  type UsageRecord,
} from '@tally/metering';
import { Decimal } from '@tally/money';
import { type Charge, parseGroupCharge } from './charge.js';
import { decimalOf } from './decimal-cache.js';
import { RatingError } from './errors.js';
import { groupByOf, groupKey, groupLabel, groupPriceFor } from './groups.js';
import { instantMs } from './instant.js';
import type { RatedLine } from './line.js';
import type { Plan } from './plan.js';
import { perCharge } from './prepare.js';
import { type LineContext, label, lineFactory } from './pricer.js';
import { PRICERS, type PricerEntry } from './pricers.js';
import { type PeriodShare, periodShare, prorateAllowance } from './proration.js';
import { isValidTimeZone } from './schedule.js';

export interface RateInput {
  readonly plan: Plan;
  readonly meters: Readonly<Record<string, Meter>>;
  /** UTC ISO instants, end exclusive. */
  readonly period: Period;
  /** The customer's IANA time zone: time-of-use bands, call bands and daily charges are local. */
  readonly timeZone: string;
  /** Records per meter id. May include records before the period (opening reads and levels). */
  readonly usage: Readonly<Record<string, readonly UsageRecord[]>>;
  /**
   * Already aggregated quantities per meter id (decimal strings), used instead of aggregating `usage` for
   * models that read the aggregate. Models that need raw records fail if only a quantity is given.
   */
  readonly quantities?: Readonly<Record<string, string>>;
  /**
   * The full billing period that `period` is a part of, when a plan change (or a trial end) cuts it. Included
   * units (`included`, `includedMinutes`) are then prorated by the plan's `terms.proration` over it
   * (`by-day`: local days, the change day counting for the new version; `by-second`: seconds), rounded half-up
   * to the decimals the plan writes them with (see `prorateAllowance`). With `none`, or without this, each
   * part gets the full allowance.
   */
  readonly nominalPeriod?: Period;
  /**
   * The billing period that `period` is a part of, when a plan change or a trial end cuts it. Time-weighted
   * meters then give the part's share of the period's value (level × seconds in the part ÷ the period's
   * seconds; see `aggregate` of @tally/metering), so the parts add up to it and each is priced on its own
   * plan version. Unlike `nominalPeriod` (the chargeable window, for allowances) this is the whole billing period.
   */
  readonly wholePeriod?: Period;
}

const ZERO = new Decimal(0);

/**
 * Prices a period of usage with a plan: lines for every charge (fixed fees for the full period, usage,
 * included-allowance draw-downs, minimum and maximum adjustments), each rounded once to the currency's
 * minor unit with the plan's rounding rule and keyed deterministically (`<chargeId>[:<detail>]`).
 *
 * @throws RatingError for a charge whose meter is unknown, an invalid time zone, or usage a model cannot
 *   price (e.g. a call to a destination without a rate).
 * @example
 * const lines = rate({ plan, meters: { calls: callsMeter }, timeZone: 'Europe/Berlin',
 *   period: { start: '2026-01-01T00:00:00Z', end: '2026-02-01T00:00:00Z' }, usage: { calls: records } });
 */
export function rate(input: RateInput): RatedLine[] {
  if (!isValidTimeZone(input.timeZone)) {
    throw new RatingError(
      `unknown time zone "${input.timeZone}": expected an IANA zone such as Europe/Paris`,
      {
        planId: input.plan.id,
      },
    );
  }
  const pms = periodMs(input.period);
  const share = allowanceShare(input, pms);
  return input.plan.charges.flatMap((charge) => rateCharge(charge, input, pms, share));
}

/** The share of its allowances a part of a period gets, or undefined for the full allowances. */
function allowanceShare(input: RateInput, pms: PeriodMs): PeriodShare | undefined {
  const basis = input.plan.terms.proration;
  if (input.nominalPeriod === undefined || basis === 'none') return undefined;
  const share = periodShare(basis, pms, periodMs(input.nominalPeriod), input.timeZone);
  return share.denominator === 0 || share.numerator === share.denominator ? undefined : share;
}

function rateCharge(
  charge: Charge,
  input: RateInput,
  pms: PeriodMs,
  share: PeriodShare | undefined,
): RatedLine[] {
  const { plan } = input;
  const entry = PRICERS[charge.type] as PricerEntry<Charge>;
  const meterId = 'meterId' in charge ? charge.meterId : undefined;
  let meter: Meter | undefined;
  if (meterId !== undefined) {
    meter = input.meters[meterId];
    if (meter === undefined) {
      throw new RatingError(
        `plan ${plan.id} v${plan.version}: charge ${charge.id} reads meter "${meterId}", which is not defined`,
        { planId: plan.id, chargeId: charge.id, meterId },
      );
    }
  }
  const context: LineContext = {
    chargeId: charge.id,
    meterId,
    planId: plan.id,
    planVersion: plan.version,
    period: { start: input.period.start, end: input.period.end },
    currency: plan.currency,
    rounding: plan.terms.rounding,
    unit: unitOf(charge, meter),
  };
  const groupBy = groupByOf(charge);
  if (meter !== undefined && groupBy !== undefined) {
    return rateGroups(charge, groupBy, meter, { context, input, pms, share });
  }

  let quantity = ZERO;
  let records: readonly UsageRecord[] = [];
  if (meter !== undefined && entry.input === 'records') {
    const all = input.usage[meter.id] ?? [];
    if (all.length === 0 && input.quantities?.[meter.id] !== undefined) {
      throw new RatingError(
        `charge ${charge.id} (${charge.type}) prices each event of meter ${meter.id}: give raw events, not an aggregated quantity`,
        { planId: plan.id, chargeId: charge.id, meterId: meter.id },
      );
    }
    records = chronologicalInPeriod(all, pms);
    quantity = sumOf(records);
  } else if (meter !== undefined && entry.input === 'aggregate') {
    const given = input.quantities?.[meter.id];
    quantity =
      given !== undefined
        ? new Decimal(given)
        : aggregate(meter, input.usage[meter.id] ?? [], input.period, undefined, input.wholePeriod);
  }
  return priceUsage(charge, { quantity, records, context, input, pms, share });
}

/**
 * A grouped charge: the meter's records split by the charge's `groupBy` dimensions, each group priced as
 * the charge alone with the group's prices, its lines keyed and marked with the group's values. A charge
 * without usage in the period is priced once, for no group, so it still shows (and its minimum applies).
 */
function rateGroups(
  charge: Charge,
  groupBy: readonly string[],
  meter: Meter,
  at: { context: LineContext; input: RateInput; pms: PeriodMs; share: PeriodShare | undefined },
): RatedLine[] {
  const { context, input, pms, share } = at;
  const entry = PRICERS[charge.type] as PricerEntry<Charge>;
  const all = input.usage[meter.id] ?? [];
  if (all.length === 0 && input.quantities?.[meter.id] !== undefined) {
    throw new RatingError(
      `charge ${charge.id} prices each group of ${groupBy.join(', ')} separately: give the raw events of meter ${meter.id}, not an aggregated quantity`,
      { planId: input.plan.id, chargeId: charge.id, meterId: meter.id },
    );
  }
  const inPeriod = chronologicalInPeriod(all, pms);
  // Aggregations read the records before the period too (opening reads and levels): each group gets its own.
  const groups = groupRecords(entry.input === 'records' ? inPeriod : all, groupBy);
  const used = new Set(groupRecords(inPeriod, groupBy).map((g) => groupKey(groupBy, g.dimensions)));
  const lines: RatedLine[] = [];
  for (const g of groups) {
    const key = groupKey(groupBy, g.dimensions);
    if (!used.has(key)) continue;
    const grouped = groupCharge(charge, g.dimensions);
    const records = entry.input === 'records' ? g.records : [];
    const quantity =
      entry.input === 'records'
        ? sumOf(records)
        : aggregate(meter, g.records, input.period, undefined, input.wholePeriod);
    const groupContext: LineContext = {
      ...context,
      unit: unitOf(grouped, meter),
      keyPrefix: `${charge.id}:${key}`,
      dimensions: g.dimensions,
    };
    lines.push(...priceUsage(grouped, { quantity, records, context: groupContext, input, pms, share }));
  }
  if (used.size === 0) {
    lines.push(...priceUsage(charge, { quantity: ZERO, records: [], context, input, pms, share }));
  }
  return lines;
}

/** The charge as one group prices it (its prices, a name showing the group), built once per group. */
const groupCharges = perCharge(() => new Map<string, Charge>());

function groupCharge(charge: Charge, dimensions: Readonly<Record<string, string>>): Charge {
  const groupBy = groupByOf(charge) ?? [];
  const cache = groupCharges(charge);
  const key = groupKey(groupBy, dimensions);
  let grouped = cache.get(key);
  if (grouped === undefined) {
    const price = groupPriceFor(charge, dimensions);
    const parsed = parseGroupCharge(charge, price);
    grouped = { ...parsed, name: price?.name ?? groupLabel(charge, groupBy, dimensions) };
    if (cache.size >= GROUPS_KEPT) cache.clear();
    cache.set(key, grouped);
  }
  return grouped;
}

const GROUPS_KEPT = 10_000;

function unitOf(charge: Charge, meter: Meter | undefined): string | undefined {
  return ('unit' in charge ? charge.unit : undefined) ?? meter?.unit;
}

function sumOf(records: readonly UsageRecord[]): Decimal {
  let quantity = ZERO;
  for (const r of records) quantity = quantity.plus(decimalOf(r.value));
  return quantity;
}

/**
 * Prices one charge's usage (or one group's): the included units drawn down first (an allowance line), the
 * model's lines, then the minimum or maximum adjustment.
 */
function priceUsage(
  charge: Charge,
  usage: {
    quantity: Decimal;
    records: readonly UsageRecord[];
    context: LineContext;
    input: RateInput;
    pms: PeriodMs;
    share: PeriodShare | undefined;
  },
): RatedLine[] {
  const entry = PRICERS[charge.type] as PricerEntry<Charge>;
  const line = lineFactory(usage.context);
  let { quantity, records } = usage;
  const { minimum, maximum } = limits(charge);
  const { share } = usage;
  const includedText = 'included' in charge ? charge.included : undefined;
  const lines: RatedLine[] = [];
  if (includedText !== undefined) {
    const included = share === undefined ? limits(charge).included! : prorateAllowance(includedText, share);
    const drawn = Decimal.min(Decimal.max(quantity, ZERO), included);
    const of =
      share === undefined
        ? included.toFixed()
        : `${included.toFixed()} (${includedText} × ${share.numerator}/${share.denominator})`;
    lines.push(
      line({
        suffix: 'included',
        kind: 'allowance',
        description: `${label(charge)}, included ${drawn.toFixed()} of ${of}`,
        quantity: drawn,
        unitPrice: ZERO,
        precise: ZERO,
      }),
    );
    quantity = quantity.minus(drawn);
    if (entry.input === 'records') records = drawDown(records, drawn);
  }
  lines.push(
    ...entry.price({
      charge,
      quantity,
      records,
      period: usage.pms,
      timeZone: usage.input.timeZone,
      unit: usage.context.unit,
      line,
      allowanceShare: share,
    }),
  );

  // Minimum and maximum compare the rounded lines, so the charge's invoice total lands exactly on them.
  let total = ZERO;
  for (const l of lines) total = total.plus(l.amount);
  if (minimum !== undefined && total.lt(minimum)) {
    lines.push(
      line({
        suffix: 'minimum',
        kind: 'minimum',
        description: `${label(charge)}, minimum charge ${minimum.toFixed()}`,
        quantity: new Decimal(1),
        precise: minimum.minus(total),
      }),
    );
  } else if (maximum !== undefined && total.gt(maximum)) {
    lines.push(
      line({
        suffix: 'maximum',
        kind: 'minimum',
        description: `${label(charge)}, capped at the maximum charge ${maximum.toFixed()}`,
        quantity: new Decimal(1),
        precise: maximum.minus(total),
      }),
    );
  }
  return lines;
}

/** A charge's included units, minimum and maximum, parsed once per charge. */
const limits = perCharge((charge: Charge) => {
  const parse = (text: string | undefined) => (text === undefined ? undefined : new Decimal(text));
  return {
    included: parse('included' in charge ? charge.included : undefined),
    minimum: parse(charge.minimum),
    maximum: parse(charge.maximum),
  };
});

function chronologicalInPeriod(records: readonly UsageRecord[], p: PeriodMs): UsageRecord[] {
  return records
    .map((r) => ({ ms: instantMs(r.time), r }))
    .filter(({ ms }) => ms >= p.startMs && ms < p.endMs)
    .sort((a, b) => a.ms - b.ms || (a.r.id < b.r.id ? -1 : a.r.id > b.r.id ? 1 : 0))
    .map(({ r }) => r);
}

/** Removes `amount` units from the earliest records (included units are used first-come first-served). */
function drawDown(records: readonly UsageRecord[], amount: Decimal): UsageRecord[] {
  let left = amount;
  const out: UsageRecord[] = [];
  for (const r of records) {
    const v = decimalOf(r.value);
    if (left.isZero() || !v.gt(0)) {
      out.push(r);
      continue;
    }
    const take = Decimal.min(v, left);
    left = left.minus(take);
    if (take.lt(v)) out.push({ ...r, value: v.minus(take).toFixed() });
  }
  return out;
}
