import type { Decimal } from '@tally/money';
import type { AggregationInput } from './support.js';
import { levelArea } from './time-weighted.js';

/**
 * Level × seconds ÷ period seconds: the level prorated over the whole period (10 GB stored for half of
 * the month is 5 GB-months). An unknown level counts as 0. For a part of a period (`whole` given: a plan
 * change or a trial end cuts it) the seconds are those of the part and the divisor stays the whole period's,
 * so the parts add up to the period's value: 10 GB all February, cut on the 15th, is 10 × 14/28 + 10 × 14/28.
 */
export function timeWeightedSum(input: AggregationInput): Decimal {
  const { area } = levelArea(input);
  const outer = input.whole ?? input.period;
  return area.div(outer.endMs - outer.startMs);
}
