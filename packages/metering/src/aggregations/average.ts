import { Decimal } from '@tally/money';
import { type AggregationInput, inPeriod } from './support.js';

/** The arithmetic mean of the values in the period (each event weighs the same), 0 when there is none. */
export function average({ records, period }: AggregationInput): Decimal {
  const rs = inPeriod(records, period);
  if (rs.length === 0) return new Decimal(0);
  let total = new Decimal(0);
  for (const r of rs) total = total.plus(r.value);
  return total.div(rs.length);
}
