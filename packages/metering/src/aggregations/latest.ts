import { Decimal } from '@tally/money';
import { type AggregationInput, chronological, inPeriod } from './support.js';

/** The value of the last event in the period (ties on time broken by id), 0 when there is none. */
export function latest({ records, period }: AggregationInput): Decimal {
  const sorted = chronological(inPeriod(records, period));
  const last = sorted[sorted.length - 1];
  return new Decimal(last === undefined ? 0 : last.record.value);
}
