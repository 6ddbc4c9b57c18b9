import { Decimal } from '@tally/money';
import { type AggregationInput, inPeriod } from './support.js';

/** The number of events in the period. */
export function count({ records, period }: AggregationInput): Decimal {
  return new Decimal(inPeriod(records, period).length);
}
