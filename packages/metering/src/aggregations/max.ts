import { Decimal } from '@tally/money';
import { type AggregationInput, inPeriod, values } from './support.js';

/** The largest value in the period, 0 when there is none. */
export function max({ records, period }: AggregationInput): Decimal {
  const vs = values(inPeriod(records, period));
  return vs.length === 0 ? new Decimal(0) : Decimal.max(...vs);
}
