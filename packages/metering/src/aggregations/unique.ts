import { Decimal } from '@tally/money';
import { type AggregationInput, inPeriod } from './support.js';

/** The number of distinct values (keys such as device ids or user ids) in the period. */
export function unique({ records, period }: AggregationInput): Decimal {
  return new Decimal(new Set(inPeriod(records, period).map((r) => r.value)).size);
}
