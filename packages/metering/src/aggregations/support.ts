import { Decimal } from '@tally/money';
import type { Meter } from '../meter.js';
import type { PeriodMs } from '../period.js';
import type { UsageRecord } from '../record.js';

/**
 * The state of a meter before the first record given, for the aggregations that carry state from one period
 * into the next. The billing run reads it from the last stored record before the period, so it does not have
 * to read the whole previous period; records before the period, when given too, apply on top of it.
 */
export interface OpeningState {
  /** `register-delta`: the last read before the records; the difference to the next read is consumption. */
  readonly read?: UsageRecord;
  /** Time-weighted: the level in force before the first record (overrides the meter's `initial`). */
  readonly level?: string;
}

/** What every aggregation reads: the meter, all records it was given, and the period in epoch ms. */
export interface AggregationInput {
  readonly meter: Meter;
  /** Records in any order; may include records before the period (opening levels and reads). */
  readonly records: readonly UsageRecord[];
  readonly period: PeriodMs;
  /** The state before the first record (read by `register-delta` and the time-weighted aggregations). */
  readonly opening?: OpeningState;
  /**
   * The whole period `period` is a part of (a billing period cut by a plan change or a trial end), or
   * undefined when `period` is whole. The time-weighted aggregations divide by it, so the parts of a period
   * add up to its value; the others ignore it.
   */
  readonly whole?: PeriodMs;
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
