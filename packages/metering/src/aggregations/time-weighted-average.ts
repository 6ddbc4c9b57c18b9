import { Decimal } from '@tally/money';
import type { AggregationInput } from './support.js';
import { levelArea } from './time-weighted.js';

/**
 * Level × seconds ÷ seconds the level was known: the mean level since the first event (or over the whole
 * period when an opening level is known). Unlike the time-weighted sum it does not dilute a level that
 * started mid-period. 0 when no level is known.
 *
 * For a part of a period (`whole` given) the result is the part's contribution to the whole period's mean:
 * level × seconds in the part ÷ seconds the level was known in the whole period. That is the part's own
 * mean weighted by its share of the known time, so the parts add up to the period's mean and each is priced
 * by the plan version in force during it (10 GB all February, cut on the 15th: 10 × 14/28 + 10 × 14/28 = 10;
 * a level first set on the 20th counts wholly in the part after the cut, undiluted).
 */
export function timeWeightedAverage(input: AggregationInput): Decimal {
  const { area, coveredMs } = levelArea(input);
  return coveredMs === 0 ? new Decimal(0) : area.div(coveredMs);
}
