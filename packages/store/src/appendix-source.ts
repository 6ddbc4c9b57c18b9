import type { Meter, UsageRecord } from '@tally/metering';
import type { UsageStore } from './usage-store.js';

/**
 * Read-only queries for the itemized appendix of an invoice PDF (call records, interval readings). They read
 * through {@link UsageStore.queryRecords}, so the usage table's keys stay in usage-store.ts; nothing here
 * writes.
 *
 * | access pattern                                                       | operation                               |
 * | -------------------------------------------------------------------- | --------------------------------------- |
 * | the earliest N records of a customer·meter in [from, to), and how many | `queryRecords` (days × shards, parallel) |
 */

export interface FirstRecordsInput {
  readonly customerId: string;
  readonly meter: Meter;
  /** Inclusive start, ISO instant. */
  readonly from: string;
  /** Exclusive end, ISO instant. */
  readonly to: string;
  /** How many records to return at most (the earliest by time). */
  readonly limit: number;
}

export interface FirstRecords {
  /** The earliest `limit` records by time (ties by identity), oldest first. */
  readonly records: readonly UsageRecord[];
  /** How many records the range holds in all. */
  readonly total: number;
}

const byTime = (a: UsageRecord, b: UsageRecord): number =>
  a.time < b.time ? -1 : a.time > b.time ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

/**
 * The earliest `limit` records of one meter of a customer in [from, to), and the count of all of them.
 * Partitions arrive in no order, so every record is read (as billing reads them); memory stays within
 * 2 × `limit` records: the buffer is sorted and cut back to `limit` whenever it doubles.
 *
 * @throws InvalidUsageError when a stored event cannot feed the meter (as billing would).
 * @example
 * const { records, total } = await firstRecords(usage, { customerId, meter, from, to, limit: 2000 });
 */
export async function firstRecords(
  usage: Pick<UsageStore, 'queryRecords'>,
  input: FirstRecordsInput,
): Promise<FirstRecords> {
  if (!Number.isInteger(input.limit) || input.limit < 0) {
    throw new RangeError(`firstRecords: limit must be a whole number ≥ 0, got ${input.limit}`);
  }
  let kept: UsageRecord[] = [];
  let total = 0;
  for await (const r of usage.queryRecords({
    customerId: input.customerId,
    meter: input.meter,
    from: input.from,
    to: input.to,
  })) {
    total += 1;
    const { receivedAt: _, ...record } = r;
    kept.push(record);
    if (kept.length >= 2 * input.limit + 1) kept = kept.sort(byTime).slice(0, input.limit);
  }
  return { records: kept.sort(byTime).slice(0, input.limit), total };
}
