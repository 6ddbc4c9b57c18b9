import { aggregate, type Meter, type OpeningState, toUsageRecord, type UsageRecord } from '@tally/metering';
import { chargeInput, type Plan, type RatedLine, type RateInput, rate } from '@tally/rating';
import type { UsageSource } from './usage.js';

/**
 * What a meter carries from one period into the next that the last record before the period restores:
 * a register's last read, or the level an absolute time-weighted meter was last set to. A delta time-weighted
 * meter's level is the sum of every change since the subscription started, which no bounded read recovers:
 * it keeps its `initial` level (null here).
 */
export function openingKind(meter: Meter): 'read' | 'level' | null {
  if (meter.aggregation === 'register-delta') return 'read';
  if (meter.aggregation === 'time-weighted-sum' || meter.aggregation === 'time-weighted-average') {
    return meter.timeWeighted?.input === 'delta' ? null : 'level';
  }
  return null;
}

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
  const DAY = 86_400_000;
  const span =
    input.notBefore === undefined ? undefined : Date.parse(input.before) - Date.parse(input.notBefore);
  if (span !== undefined && span <= 0) return {};
  // UTC days from the day of `notBefore` to the day of `before`, both included (the store's default: 93).
  const lookbackDays =
    span === undefined
      ? undefined
      : Math.min(
          93,
          Math.floor((Date.parse(input.before) - 1) / DAY) -
            Math.floor(Date.parse(input.notBefore!) / DAY) +
            1,
        );
  const byType = new Map<string, Meter[]>();
  for (const m of input.meters) {
    if (openingKind(m) !== null) byType.set(m.eventType, [...(byType.get(m.eventType) ?? []), m]);
  }
  const out: Record<string, OpeningState> = {};
  await Promise.all(
    [...byType].map(async ([eventType, meters]) => {
      const last = await input.source.lastEventBefore({
        customerId: input.customerId,
        eventType,
        before: input.before,
        ...(input.receivedBefore === undefined ? {} : { receivedBefore: input.receivedBefore }),
        ...(lookbackDays === undefined ? {} : { lookbackDays }),
      });
      if (
        last === null ||
        (input.notBefore !== undefined && Date.parse(last.event.time) < Date.parse(input.notBefore))
      )
        return;
      for (const meter of meters) {
        const record = toUsageRecord(meter, last.event);
        out[meter.id] = openingKind(meter) === 'read' ? { read: record } : { level: record.value };
      }
    }),
  );
  return out;
}

/**
 * `rate` of @tally/rating for the meters with an opening state: billing hands rating only the records inside
 * each plan segment, so for those meters this rater aggregates the segment itself, from the opening state at
 * the period start plus the period's records before the segment (a plan change or a trial end inside the
 * period), and passes the result as the meter's quantity. Other meters are rated as before.
 *
 * @param periodUsage the records of the whole period, per meter (for the state at a later segment's start)
 */
export function openingRater(
  openings: Readonly<Record<string, OpeningState>>,
  periodUsage: Readonly<Record<string, readonly UsageRecord[]>>,
): (input: RateInput) => RatedLine[] {
  return (input) => {
    const quantities: Record<string, string> = { ...input.quantities };
    for (const meterId of aggregateMeters(input.plan)) {
      const meter = input.meters[meterId];
      if (meter === undefined || openingKind(meter) === null) continue;
      const segmentStart = Date.parse(input.period.start);
      const earlier = (periodUsage[meterId] ?? []).filter((r) => Date.parse(r.time) < segmentStart);
      const records = [...earlier, ...(input.usage[meterId] ?? [])];
      quantities[meterId] = aggregate(meter, records, input.period, openings[meterId]).toFixed();
    }
    return rate({ ...input, quantities });
  };
}

/** Meter ids the plan prices by their aggregate (the models that price each record never aggregate). */
function aggregateMeters(plan: Plan): Set<string> {
  return new Set(
    plan.charges.flatMap((c) => ('meterId' in c && chargeInput(c) === 'aggregate' ? [c.meterId] : [])),
  );
}
