import { type Meter, toUsageRecord, type UsageEvent, type UsageRecord } from '@tally/metering';
import { Decimal } from '@tally/money';
import { chargeInput, type Plan } from '@tally/rating';

/**
 * Reads a customer's stored events of one type with `from <= time < to`, with when each arrived, and the last
 * one before an instant (the usage store).
 */
export interface UsageSource {
  queryEvents(input: {
    customerId: string;
    eventType: string;
    from: string;
    to: string;
  }): AsyncIterable<{ readonly event: UsageEvent; readonly receivedAt: string }>;
  /**
   * The last stored event of a type with `notBefore <= time < before` that arrived before `receivedBefore`,
   * or null (none within the store's look-back).
   */
  lastEventBefore(input: {
    customerId: string;
    eventType: string;
    before: string;
    receivedBefore?: string;
    notBefore?: string;
    lookbackDays?: number;
  }): Promise<{ readonly event: UsageEvent; readonly receivedAt: string } | null>;
  /**
   * Whether any event of a type with `from <= time < to` arrived with `receivedFrom <= receivedAt <
   * receivedBefore`, without reading the events (billing asks before reading an earlier period whole).
   */
  anyArrived(input: {
    customerId: string;
    eventType: string;
    from: string;
    to: string;
    receivedFrom: string;
    receivedBefore: string;
  }): Promise<boolean>;
}

/** Aggregations whose value over a set is a fold of one small accumulator (memory flat in event count). */
const FOLDABLE = new Set(['sum', 'count', 'max', 'min', 'latest']);

/**
 * Whether a meter's records can be folded while they stream in: its aggregation is foldable and every charge
 * of the plans that reads it prices the meter's aggregate (not each record, as time-of-use or calls do).
 */
export function isFoldable(meter: Meter, plans: readonly Plan[]): boolean {
  if (!FOLDABLE.has(meter.aggregation)) return false;
  return plans.every((p) =>
    p.charges.every((c) => !('meterId' in c) || c.meterId !== meter.id || chargeInput(c) === 'aggregate'),
  );
}

/**
 * The meter as rating should see folded records: a `count` meter becomes a `sum` of the folded counts; the
 * other foldable aggregations read their folded value as it is.
 */
export function foldedMeter(meter: Meter): Meter {
  return meter.aggregation === 'count' ? { ...meter, aggregation: 'sum' } : meter;
}

/** A window of arrival times: records with `from <= receivedAt < before` (both optional). */
export interface ArrivalWindow {
  readonly name: string;
  readonly receivedFrom?: string;
  readonly receivedBefore?: string;
}

interface Acc {
  first: UsageRecord;
  total: Decimal;
  n: number;
  best: UsageRecord;
}

/**
 * Reads the events of one type over [from, to) once, turns each into a record of every meter that reads the
 * type, and sorts the records into arrival windows, per meter. For a foldable meter each window keeps, per
 * bucket (the stretches between `boundaries`, i.e. plan changes and the trial end), one synthetic record whose
 * aggregate equals the aggregate of the bucket's records, so memory does not grow with the number of events
 * and rating still cuts the period by plan segment. Other meters keep every record.
 */
export async function collectEventType(input: {
  source: UsageSource;
  customerId: string;
  eventType: string;
  meters: readonly { readonly meter: Meter; readonly foldable: boolean }[];
  from: string;
  to: string;
  windows: readonly ArrivalWindow[];
  /** Instants inside (from, to) where rating cuts the period. */
  boundaries?: readonly string[];
}): Promise<Record<string, Record<string, UsageRecord[]>>> {
  const { windows } = input;
  const cuts = [...(input.boundaries ?? [])].map((b) => Date.parse(b)).sort((a, b) => a - b);
  const kept: Record<string, Record<string, UsageRecord[]>> = Object.fromEntries(
    windows.map((w) => [
      w.name,
      Object.fromEntries(input.meters.map((m) => [m.meter.id, [] as UsageRecord[]])),
    ]),
  );
  const accs = input.meters.map(() => new Map<string, Acc>());
  const bounds = windows.map((w) => ({
    name: w.name,
    from: w.receivedFrom === undefined ? -Infinity : Date.parse(w.receivedFrom),
    before: w.receivedBefore === undefined ? Infinity : Date.parse(w.receivedBefore),
  }));
  for await (const stored of input.source.queryEvents({
    customerId: input.customerId,
    eventType: input.eventType,
    from: input.from,
    to: input.to,
  })) {
    const arrived = Date.parse(stored.receivedAt);
    const w = bounds.find((b) => b.from <= arrived && arrived < b.before);
    if (w === undefined) continue;
    const t = Date.parse(stored.event.time);
    let bucket = 0;
    while (bucket < cuts.length && cuts[bucket]! <= t) bucket++;
    const key = `${w.name}\u0000${bucket}`;
    input.meters.forEach(({ meter, foldable }, i) => {
      const record = toUsageRecord(meter, stored.event);
      if (!foldable) {
        kept[w.name]![meter.id]!.push(record);
        return;
      }
      const acc = accs[i]!.get(key);
      if (acc === undefined) {
        accs[i]!.set(key, { first: record, total: new Decimal(record.value), n: 1, best: record });
        return;
      }
      acc.n++;
      acc.total = acc.total.plus(record.value);
      if (better(meter.aggregation, record, acc.best)) acc.best = record;
    });
  }
  input.meters.forEach(({ meter }, i) => {
    for (const [key, acc] of accs[i]!) {
      const [name, bucket] = key.split('\u0000') as [string, string];
      kept[name]![meter.id]!.push(synthetic(meter, acc, `fold:${name}:${bucket}`));
    }
  });
  return kept;
}

function better(aggregation: string, a: UsageRecord, b: UsageRecord): boolean {
  switch (aggregation) {
    case 'max':
      return new Decimal(a.value).gt(b.value);
    case 'min':
      return new Decimal(a.value).lt(b.value);
    case 'latest': {
      const ta = Date.parse(a.time);
      const tb = Date.parse(b.time);
      return ta > tb || (ta === tb && a.id > b.id);
    }
    default:
      return false;
  }
}

function synthetic(meter: Meter, acc: Acc, id: string): UsageRecord {
  switch (meter.aggregation) {
    case 'sum':
      return { id, time: acc.first.time, value: acc.total.toFixed() };
    case 'count':
      return { id, time: acc.first.time, value: String(acc.n) };
    default:
      // max, min, latest: the winning record's value at its own time (latest compares times).
      return { id, time: acc.best.time, value: acc.best.value };
  }
}
