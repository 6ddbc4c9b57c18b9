import { aggregate, type Meter, type OpeningState, toUsageRecord, type UsageRecord } from '@tally/metering';
import { Decimal } from '@tally/money';
import {
  type Charge,
  chargeInput,
  type Plan,
  PRICERS,
  type RatedLine,
  type RateInput,
  rate,
} from '@tally/rating';
import { groupKeyOf, isLaterRecord, openingKind, parseGroupKey } from './levels.js';
import type { UsageSource } from './usage.js';

export { openingKind } from './levels.js';

/**
 * The opening state of every meter that has one, at `before` (a period start): one backward read per event
 * type (the last stored event before it, arrived before `receivedBefore`), mapped to each meter's record.
 * Meters without a stored record before `before` (a new subscription) get no entry.
 *
 * @throws InvalidUsageError (from `toUsageRecord`) when that event cannot feed the meter.
 */
export async function readOpenings(input: {
  source: UsageSource;
  customerId: string;
  meters: readonly Meter[];
  before: string;
  /**
   * The subscription's start: nothing before it opens a period (a read from before a move-in would bill the
   * previous occupant's consumption), so the search stops there, and a first period reads nothing.
   */
  notBefore?: string;
  receivedBefore?: string;
}): Promise<Record<string, OpeningState>> {
  // A first period (the subscription starts with it) has nothing to open from.
  if (input.notBefore !== undefined && Date.parse(input.notBefore) >= Date.parse(input.before)) return {};
  const byType = new Map<string, Meter[]>();
  for (const m of input.meters) {
    const kind = openingKind(m);
    if (kind === 'read' || kind === 'level') byType.set(m.eventType, [...(byType.get(m.eventType) ?? []), m]);
  }
  const out: Record<string, OpeningState> = {};
  await Promise.all(
    [...byType].map(async ([eventType, meters]) => {
      const last = await input.source.lastEventBefore({
        customerId: input.customerId,
        eventType,
        before: input.before,
        ...(input.receivedBefore === undefined ? {} : { receivedBefore: input.receivedBefore }),
        ...(input.notBefore === undefined ? {} : { notBefore: input.notBefore }),
      });
      if (last === null) return;
      for (const meter of meters) {
        const record = toUsageRecord(meter, last.event);
        out[meter.id] = openingKind(meter) === 'read' ? { read: record } : { level: record.value };
      }
    }),
  );
  return out;
}

const DAY = 86_400_000;
const WEEK = 7 * DAY;

/**
 * The last record before `before` of each group asked for, of a meter whose charges price it per group (a
 * register's last read, an absolute level): the store keeps no per-group index, so this reads the meter's
 * events a week at a time backwards from `before` (events that arrived before `receivedBefore`), keeping the
 * latest record per group, until every group asked for is found or the search reaches `notBefore` (the
 * subscription's start) or 93 days (the store's look-back for `lastEventBefore`). Memory: one record per group.
 *
 * @param wanted group keys ({@link groupKeyOf}) of the meter's groupings
 * @throws InvalidUsageError (from `toUsageRecord`) when a stored event cannot feed the meter.
 */
export async function readGroupOpenings(input: {
  source: UsageSource;
  customerId: string;
  meter: Meter;
  groupings: readonly (readonly string[])[];
  wanted: ReadonlySet<string>;
  before: string;
  notBefore?: string;
  receivedBefore?: string;
  lookbackDays?: number;
}): Promise<Map<string, UsageRecord>> {
  const found = new Map<string, UsageRecord>();
  const names = input.groupings.filter((g) => g.length > 0);
  if (input.wanted.size === 0 || names.length === 0) return found;
  const before = Date.parse(input.before);
  const floor = Math.max(
    before - (input.lookbackDays ?? 93) * DAY,
    input.notBefore === undefined ? -Infinity : Date.parse(input.notBefore),
  );
  const arrivedBefore = input.receivedBefore === undefined ? Infinity : Date.parse(input.receivedBefore);
  for (let to = before; to > floor; to -= WEEK) {
    const from = Math.max(floor, to - WEEK);
    for await (const stored of input.source.queryEvents({
      customerId: input.customerId,
      eventType: input.meter.eventType,
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
    })) {
      if (Date.parse(stored.receivedAt) >= arrivedBefore) continue;
      const record = toUsageRecord(input.meter, stored.event);
      for (const g of names) {
        const key = groupKeyOf(g, record.dimensions);
        if (!input.wanted.has(key)) continue;
        const was = found.get(key);
        if (was === undefined || isLaterRecord(record, was)) found.set(key, record);
      }
    }
    // A later week holds later records: a group found in it keeps that record.
    if ([...input.wanted].every((k) => found.has(k))) break;
  }
  return found;
}

/** A group's state at a period start: its last record (reads, absolute levels) or its level (changes). */
export type GroupOpening = { readonly record: UsageRecord } | { readonly level: string };

/** The state of a period's stateful meters at its start. */
export interface Openings {
  /** The instant the state holds at (the period start). */
  readonly at: string;
  /** Per meter, for the charges that price it whole. */
  readonly whole: Readonly<Record<string, OpeningState>>;
  /** Per meter and group key ({@link groupKeyOf}), for the charges that price it per group. */
  readonly groups: Readonly<Record<string, Readonly<Record<string, GroupOpening>>>>;
}

/** The rating input billing hands a rater: `RateInput` and every record of the period (all segments). */
export type OpeningRateInput = RateInput & {
  readonly periodUsage?: Readonly<Record<string, readonly UsageRecord[]>>;
};

/**
 * `rate` of @tally/rating with the state the period opens with. Billing hands rating only the records inside
 * each plan segment, so for the stateful meters this rater rebuilds the state at the segment's start from
 * the opening state at the period start and the period's records before the segment (a plan change or a
 * trial end inside the period), read from `periodUsage`, the usage being rated (billed or late-corrected):
 *
 * - a charge that prices the meter whole gets the meter's aggregate as its quantity (of a time-weighted meter
 *   on a part of a cut period, the part's share of the period's value: `input.wholePeriod`);
 * - a charge that prices it per group gets, beside the segment's records, each group's opening (its last
 *   read or level record, or for a meter fed by changes a record that brings the group's level from the
 *   meter's `initial` to its opening level) and the records before the segment; a time-weighted group
 *   with a level in force but no record in the segment gets one at the segment start that keeps the
 *   level (so it is billed, as rating bills only groups with records in the segment). A group at level 0 with
 *   no record in the segment is not billed (no line), as one without any state.
 *
 * Other meters and charges are rated as `rate` rates them.
 */
export function openingRater(openings: Openings): (input: OpeningRateInput) => RatedLine[] {
  return (input) => {
    const periodUsage = input.periodUsage ?? input.usage;
    const segmentStart = Date.parse(input.period.start);
    const earlierOf = (meterId: string) =>
      (periodUsage[meterId] ?? []).filter((r) => Date.parse(r.time) < segmentStart);
    const quantities: Record<string, string> = { ...input.quantities };
    for (const meterId of aggregateMeters(input.plan)) {
      const meter = input.meters[meterId];
      if (meter === undefined || openingKind(meter) === null) continue;
      const records = [...earlierOf(meterId), ...(input.usage[meterId] ?? [])];
      // A part of a cut period (input.wholePeriod) gets its share of a time-weighted meter's period value.
      quantities[meterId] = aggregate(
        meter,
        records,
        input.period,
        openings.whole[meterId],
        input.wholePeriod,
      ).toFixed();
    }
    const grouped = (c: Charge) =>
      'meterId' in c &&
      'groupBy' in c &&
      c.groupBy !== undefined &&
      PRICERS[c.type].input === 'aggregate' &&
      input.meters[c.meterId] !== undefined &&
      openingKind(input.meters[c.meterId]!) !== null;
    if (!input.plan.charges.some(grouped)) return rate({ ...input, quantities });
    // Charge by charge (rate prices each charge on its own), so each grouped charge sees its groups' state.
    return input.plan.charges.flatMap((c) => {
      const plan = { ...input.plan, charges: [c] };
      if (!grouped(c) || !('meterId' in c) || !('groupBy' in c)) return rate({ ...input, plan, quantities });
      const meter = input.meters[c.meterId]!;
      const { [c.meterId]: _aggregated, ...others } = quantities;
      const usage = {
        ...input.usage,
        [c.meterId]: groupedRecords(meter, c.groupBy ?? [], {
          opening: openings.groups[c.meterId] ?? {},
          earlier: earlierOf(c.meterId),
          segment: input.usage[c.meterId] ?? [],
          periodStart: Date.parse(openings.at),
          segmentStart,
        }),
      };
      return rate({ ...input, plan, usage, quantities: others });
    });
  };
}

/** The records a grouped charge on a stateful meter is rated with: see {@link openingRater}. */
export function groupedRecords(
  meter: Meter,
  groupBy: readonly string[],
  at: {
    opening: Readonly<Record<string, GroupOpening>>;
    earlier: readonly UsageRecord[];
    segment: readonly UsageRecord[];
    periodStart: number;
    segmentStart: number;
  },
): UsageRecord[] {
  const kind = openingKind(meter);
  const mine = JSON.stringify(groupBy);
  const out: UsageRecord[] = [];
  const inSegment = new Set(at.segment.map((r) => groupKeyOf(groupBy, r.dimensions)));
  const levelAtSegment = new Map<string, Decimal>();
  const lastBefore = new Map<string, UsageRecord>();
  for (const [key, state] of Object.entries(at.opening)) {
    const { names, dimensions } = parseGroupKey(key);
    if (JSON.stringify(names) !== mine) continue;
    if ('record' in state) {
      out.push(state.record);
      lastBefore.set(key, state.record);
    } else {
      // Brings the group from the meter's initial level (where the aggregation starts it) to its opening level.
      const from = meter.timeWeighted?.initial ?? '0';
      out.push({
        id: `opening:${meter.id}:${key}`,
        time: new Date(at.periodStart - 1).toISOString(),
        value: new Decimal(state.level).minus(from).toFixed(),
        dimensions,
      });
      levelAtSegment.set(key, new Decimal(state.level));
    }
  }
  for (const r of at.earlier) {
    const key = groupKeyOf(groupBy, r.dimensions);
    if (kind === 'change') {
      levelAtSegment.set(
        key,
        (levelAtSegment.get(key) ?? new Decimal(meter.timeWeighted?.initial ?? 0)).plus(r.value),
      );
    } else {
      const was = lastBefore.get(key);
      if (was === undefined || isLaterRecord(r, was)) lastBefore.set(key, r);
    }
  }
  if (kind === 'level') for (const [key, r] of lastBefore) levelAtSegment.set(key, new Decimal(r.value));
  out.push(...at.earlier, ...at.segment);
  if (kind === 'read') return out;
  for (const [key, level] of levelAtSegment) {
    if (inSegment.has(key) || level.isZero()) continue;
    out.push({
      id: `opening-level:${meter.id}:${key}`,
      time: new Date(at.segmentStart).toISOString(),
      // absolute: the level itself; changes: no change
      value: kind === 'level' ? level.toFixed() : '0',
      dimensions: parseGroupKey(key).dimensions,
    });
  }
  return out;
}

/** Meter ids the plan prices by their aggregate (the models that price each record never aggregate). */
function aggregateMeters(plan: Plan): Set<string> {
  return new Set(
    plan.charges.flatMap((c) => ('meterId' in c && chargeInput(c) === 'aggregate' ? [c.meterId] : [])),
  );
}
