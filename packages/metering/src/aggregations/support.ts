import { Decimal } from '@tally/money';
import type { Meter } from '../meter.js';
import type { PeriodMs } from '../period.js';
import type { UsageRecord } from '../record.js';

/** What every aggregation reads: the meter, all records it was given, and the period in epoch ms. */
export interface AggregationInput {
  readonly meter: Meter;
  /** Records in any order; may include records before the period (opening levels and reads). */
  readonly records: readonly UsageRecord[];
  readonly period: PeriodMs;
}

export type AggregationFn = (input: AggregationInput) => Decimal;

export interface TimedRecord {
  readonly ms: number;
  readonly record: UsageRecord;
}

/** Records whose time is inside [start, end). */
export function inPeriod(records: readonly UsageRecord[], period: PeriodMs): UsageRecord[] {
  return records.filter((r) => {
    const ms = Date.parse(r.time);
    return ms >= period.startMs && ms < period.endMs;
  });
}

/** Records with their time in ms, sorted by time then id, so equal inputs in any order give one result. */
export function chronological(records: readonly UsageRecord[]): TimedRecord[] {
  return records
    .map((record) => ({ ms: Date.parse(record.time), record }))
    .sort((a, b) => a.ms - b.ms || (a.record.id < b.record.id ? -1 : a.record.id > b.record.id ? 1 : 0));
}

export function values(records: readonly UsageRecord[]): Decimal[] {
  return records.map((r) => new Decimal(r.value));
}
