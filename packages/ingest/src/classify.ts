import {
  type Aggregation,
  InvalidUsageError,
  type Meter,
  toUsageRecord,
  type UsageEvent,
} from '@tally/metering';
import { Decimal } from '@tally/money';
import type { IngestPolicy } from './policy.js';
import type { Rejection } from './reasons.js';

/** A non-negative decimal below 10^15 (at most 15 integer digits). */
const PLAIN_QUANTITY = /^\d{1,15}(?:\.\d+)?$/;

/** Aggregations whose values may be negative (levels such as a temperature, or changes of a level). */
const SIGNED: ReadonlySet<Aggregation> = new Set(['min', 'max', 'latest', 'average']);

function at(data: unknown, path: string): unknown {
  let cur = data;
  for (const key of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

function allowsNegative(meter: Meter): boolean {
  return SIGNED.has(meter.aggregation) || meter.timeWeighted?.input === 'delta';
}

/**
 * Checks that every meter reading the event's type can take a value from it: the value is present and a
 * finite decimal (JSON numbers such as 1e400 parse to Infinity and are refused), not negative unless the
 * aggregation reads levels, not beyond `maxQuantity`, and for register reads inside the register range.
 * Returns the rejection of the first meter that cannot, or undefined when all can.
 */
export function checkMeters(
  event: UsageEvent,
  meters: readonly Meter[],
  policy: IngestPolicy,
): Rejection | undefined {
  if (meters.length === 0) {
    return {
      reason: 'unknown-meter',
      path: 'type',
      message: `event ${event.source}#${event.id}: no meter reads events of type "${event.type}"`,
    };
  }
  for (const meter of meters) {
    let value: string;
    try {
      ({ value } = toUsageRecord(meter, event));
    } catch (err) {
      if (!(err instanceof InvalidUsageError)) throw err;
      const path = err.context.path;
      const isValue = meter.valuePath !== undefined && path === `data.${meter.valuePath}`;
      const present = isValue && at(event.data, meter.valuePath!) !== undefined;
      return {
        reason: present ? 'invalid-quantity' : 'schema',
        message: err.message,
        ...(path ? { path } : {}),
      };
    }
    if (meter.aggregation === 'count' || meter.aggregation === 'unique') continue;
    // The usual quantity: not negative, under 10^15, so within any maximum of at least that; no Decimal.
    if (meter.aggregation !== 'register-delta' && policy.maxQuantity >= 1e15 && PLAIN_QUANTITY.test(value)) {
      continue;
    }
    const who = `event ${event.source}#${event.id}`;
    const path = `data.${meter.valuePath}`;
    const v = new Decimal(value);
    if (v.isNegative() && !v.isZero() && !allowsNegative(meter)) {
      return {
        reason: 'invalid-quantity',
        path,
        message: `${who}: ${path} is ${value}, a negative quantity (meter ${meter.id} sums with "${meter.aggregation}")`,
      };
    }
    if (v.abs().gt(policy.maxQuantity)) {
      return {
        reason: 'invalid-quantity',
        path,
        message: `${who}: ${path} is ${value}, beyond the plausible maximum ${policy.maxQuantity} (meter ${meter.id})`,
      };
    }
    const max = meter.register?.max;
    if (meter.aggregation === 'register-delta' && max !== undefined && v.gte(max)) {
      return {
        reason: 'invalid-quantity',
        path,
        message: `${who}: ${path} is ${value}, outside the register range 0..${max} (meter ${meter.id})`,
      };
    }
  }
  return undefined;
}
