import {
  aggregate,
  type Meter,
  type Period,
  type PeriodMs,
  periodMs,
  type UsageRecord,
} from '@tally/metering';
import { Decimal } from '@tally/money';
import type { Charge } from './charge.js';
import { decimalOf } from './decimal-cache.js';
import { RatingError } from './errors.js';
import { instantMs } from './instant.js';
import type { RatedLine } from './line.js';
import type { Plan } from './plan.js';
import { perCharge } from './prepare.js';
import { label, lineFactory } from './pricer.js';
import { PRICERS, type PricerEntry } from './pricers.js';
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
  return input.plan.charges.flatMap((charge) => rateCharge(charge, input, pms));
}

function rateCharge(charge: Charge, input: RateInput, pms: PeriodMs): RatedLine[] {
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
  const unit = ('unit' in charge ? charge.unit : undefined) ?? meter?.unit;
  const line = lineFactory({
    chargeId: charge.id,
    meterId,
    planId: plan.id,
    planVersion: plan.version,
    period: { start: input.period.start, end: input.period.end },
    currency: plan.currency,
    rounding: plan.terms.rounding,
    unit,
  });

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
    for (const r of records) quantity = quantity.plus(decimalOf(r.value));
  } else if (meter !== undefined && entry.input === 'aggregate') {
    const given = input.quantities?.[meter.id];
    quantity =
      given !== undefined ? new Decimal(given) : aggregate(meter, input.usage[meter.id] ?? [], input.period);
  }

  const { included, minimum, maximum } = limits(charge);
  const lines: RatedLine[] = [];
  if (included !== undefined) {
    const drawn = Decimal.min(Decimal.max(quantity, ZERO), included);
    lines.push(
      line({
        suffix: 'included',
        kind: 'allowance',
        description: `${label(charge)}, included ${drawn.toFixed()} of ${included.toFixed()}`,
        quantity: drawn,
        unitPrice: ZERO,
        precise: ZERO,
      }),
    );
    quantity = quantity.minus(drawn);
    if (entry.input === 'records') records = drawDown(records, drawn);
  }
  lines.push(
    ...entry.price({ charge, quantity, records, period: pms, timeZone: input.timeZone, unit, line }),
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
