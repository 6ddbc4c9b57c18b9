import type { Decimal } from '@tally/money';
import type { AggregationInput } from './support.js';
import { levelArea } from './time-weighted.js';

/**
 * Level × seconds ÷ period seconds: the level prorated over the whole period (10 GB stored for half of
 * the month is 5 GB-months). An unknown level counts as 0.
 */
export function timeWeightedSum(input: AggregationInput): Decimal {
  const { area } = levelArea(input);
  return area.div(input.period.endMs - input.period.startMs);
}
