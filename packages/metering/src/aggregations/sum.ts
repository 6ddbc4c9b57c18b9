import { Decimal } from '@tally/money';
import { type AggregationInput, inPeriod } from './support.js';

/** The sum of the values in the period; negative values are adjustments and reduce it. */
export function sum({ records, period }: AggregationInput): Decimal {
  let total = new Decimal(0);
  for (const r of inPeriod(records, period)) total = total.plus(r.value);
  return total;
}
