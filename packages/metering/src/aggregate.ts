import { type Decimal, roundTo } from '@tally/money';
import { average } from './aggregations/average.js';
import { count } from './aggregations/count.js';
import { latest } from './aggregations/latest.js';
import { max } from './aggregations/max.js';
import { min } from './aggregations/min.js';
import { registerDelta } from './aggregations/register-delta.js';
import { sum } from './aggregations/sum.js';
import type { AggregationFn, OpeningState } from './aggregations/support.js';
import { timeWeightedAverage } from './aggregations/time-weighted-average.js';
import { timeWeightedSum } from './aggregations/time-weighted-sum.js';
import { unique } from './aggregations/unique.js';
import type { Aggregation, Meter } from './meter.js';
import { type Period, type PeriodMs, periodMs } from './period.js';
import type { UsageRecord } from './record.js';

/** One aggregation per meter `aggregation` value; a missing one fails the type check. */
export const AGGREGATIONS: Readonly<Record<Aggregation, AggregationFn>> = {
  count,
  sum,
  min,
  max,
  average,
  unique,
  latest,
  'time-weighted-sum': timeWeightedSum,
  'time-weighted-average': timeWeightedAverage,
  'register-delta': registerDelta,
};

export interface GroupedAggregate {
  /** The group-by dimension values of this group, in the meter's `groupBy` order. */
  readonly dimensions: Readonly<Record<string, string>>;
  readonly value: Decimal;
}

function finish(meter: Meter, value: Decimal): Decimal {
  return meter.rounding === undefined ? value : roundTo(value, meter.rounding.places, meter.rounding.mode);
}

/**
 * Aggregates a meter's records over a period with the meter's aggregation, then applies its rounding.
 * Records may include ones before the period: register and time-weighted meters read them as the opening
 * state; the others ignore everything outside [start, end). `opening` gives that state directly (the last
 * read, the level in force) when the records before the period are not at hand.
 *
 * `whole` is the period that `period` is a part of, when a plan change or a trial end cuts a billing period
 * into parts priced on their own. The time-weighted aggregations then give the part's share of the whole
 * period's value (level × seconds in the part ÷ seconds of the whole period; for the average, ÷ the seconds
 * of the whole period the level was known), so the parts add up to the period's value and each is priced by
 * the plan version in force. For the average, give the records from the whole period's start (or its
 * opening state), so it knows since when the level was known. Every other aggregation ignores `whole`.
 * The meter's rounding applies to the part's value.
 *
 * @throws RangeError when `period` is empty or not inside `whole`
 * @example
 * aggregate(meter, records, { start: '2026-01-01T00:00:00Z', end: '2026-02-01T00:00:00Z' }) // → Decimal
 * aggregate(meter, februaryReads, february, { read: lastJanuaryRead }) // consumption across Feb 1 included
 * // 10 GB all February, plan change on the 15th: 5 GB-months before it and 5 after
 * aggregate(gbMeter, levels, { start: '2026-02-01T00:00:00Z', end: '2026-02-15T00:00:00Z' }, undefined, february)
 */
export function aggregate(
  meter: Meter,
  records: readonly UsageRecord[],
  period: Period,
  opening?: OpeningState,
  whole?: Period,
): Decimal {
  const part = periodMs(period);
  const outer = whole === undefined ? undefined : wholeOf(part, whole);
  const input = {
    meter,
    records,
    period: part,
    ...(opening === undefined ? {} : { opening }),
    ...(outer === undefined ? {} : { whole: outer }),
  };
  return finish(meter, AGGREGATIONS[meter.aggregation](input));
}

function wholeOf(part: PeriodMs, whole: Period): PeriodMs | undefined {
  const w = periodMs(whole);
  if (part.startMs < w.startMs || part.endMs > w.endMs) {
    throw new RangeError(
      `period ${new Date(part.startMs).toISOString()}..${new Date(part.endMs).toISOString()} is not inside the whole period ${whole.start}..${whole.end}`,
    );
  }
  return part.startMs === w.startMs && part.endMs === w.endMs ? undefined : w;
}

/** The records of one group: the group's dimension values, in the order of the names asked for. */
export interface RecordGroup {
  readonly dimensions: Readonly<Record<string, string>>;
  readonly records: readonly UsageRecord[];
}

/**
 * Splits records by the values of the named dimensions, keeping their order within each group; groups
 * are sorted by their values (in the order of `names`) so the output is deterministic. A record without a
 * dimension falls in the group whose value is "".
 */
export function groupRecords(records: readonly UsageRecord[], names: readonly string[]): RecordGroup[] {
  const groups = new Map<string, { dimensions: Record<string, string>; records: UsageRecord[] }>();
  for (const r of records) {
    const dimensions: Record<string, string> = {};
    for (const n of names) dimensions[n] = r.dimensions?.[n] ?? '';
    const key = JSON.stringify(names.map((n) => dimensions[n]));
    let g = groups.get(key);
    if (g === undefined) {
      g = { dimensions, records: [] };
      groups.set(key, g);
    }
    g.records.push(r);
  }
  return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, g]) => g);
}

/**
 * Aggregates per group of the meter's `groupBy` dimensions; groups sorted by their values so the output
 * is deterministic. A record without a dimension falls in the group whose value is "". `whole` as for
 * {@link aggregate}.
 */
export function aggregateGrouped(
  meter: Meter,
  records: readonly UsageRecord[],
  period: Period,
  whole?: Period,
): GroupedAggregate[] {
  return groupRecords(records, meter.groupBy ?? []).map((g) => ({
    dimensions: g.dimensions,
    value: aggregate(meter, g.records, period, undefined, whole),
  }));
}
