import { Decimal } from '@tally/money';
import type { AggregationInput } from './support.js';
import { levelArea } from './time-weighted.js';

/**
 * Level × seconds ÷ seconds the level was known: the mean level since the first event (or over the whole
 * period when an opening level is known). Unlike the time-weighted sum it does not dilute a level that
 * started mid-period. 0 when no level is known.
 */
export function timeWeightedAverage(input: AggregationInput): Decimal {
  const { area, coveredMs } = levelArea(input);
  return coveredMs === 0 ? new Decimal(0) : area.div(coveredMs);
}
