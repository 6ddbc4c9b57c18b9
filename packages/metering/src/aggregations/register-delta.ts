import { Decimal } from '@tally/money';
import { InvalidUsageError } from '../errors.js';
import { type AggregationInput, chronological, type TimedRecord } from './support.js';

/**
 * Consumption from cumulative register reads: the sum of differences of consecutive reads whose later
 * read falls in the period (the last read before the period is the opening read).
 * - Rollover: a read below the previous one means the register passed `register.max` and restarted at 0.
 * - Reset or meter replacement: a read flagged `reset` starts a new register; it adds nothing itself
 *   (send the old meter's final read before it).
 * - Estimated reads count until an actual read for the same instant arrives, which replaces them.
 * - The difference is multiplied by `register.multiplier` and the meter's conversion factor.
 * - `opening.read` is one more read (the last one before the records given, usually before the period): it
 *   carries the consumption across the period boundary without the previous period's reads.
 */
export function registerDelta({ meter, records: given, period, opening }: AggregationInput): Decimal {
  const max = meter.register?.max === undefined ? undefined : new Decimal(meter.register.max);
  const read = opening?.read;
  const records = read === undefined || given.some((r) => r.id === read.id) ? given : [read, ...given];
  const actualAt = new Set(records.filter((r) => !r.flags?.estimated).map((r) => Date.parse(r.time)));
  const reads: TimedRecord[] = chronological(records).filter(
    ({ ms, record }) => !(record.flags?.estimated && actualAt.has(ms)),
  );
  let consumption = new Decimal(0);
  let prev: Decimal | undefined;
  for (const { ms, record } of reads) {
    if (ms >= period.endMs) break;
    const read = new Decimal(record.value);
    if (read.isNegative() || (max !== undefined && read.gte(max))) {
      throw new InvalidUsageError(
        `read ${record.id}: ${record.value} is outside the register range 0..${max?.toFixed() ?? '∞'} (meter ${meter.id})`,
        { meterId: meter.id, recordId: record.id, path: 'value' },
      );
    }
    if (prev !== undefined && !record.flags?.reset) {
      let delta = read.minus(prev);
      if (delta.isNegative()) {
        if (max === undefined) {
          throw new InvalidUsageError(
            `read ${record.id}: ${record.value} is below the previous read ${prev.toFixed()} and meter ${meter.id} ` +
              'has no register.max for a rollover; flag the read as a reset if the meter was replaced',
            { meterId: meter.id, recordId: record.id, path: 'value' },
          );
        }
        delta = max.minus(prev).plus(read);
      }
      if (ms >= period.startMs) consumption = consumption.plus(delta);
    }
    prev = read;
  }
  const multiplier = meter.register?.multiplier ?? '1';
  const factor = meter.conversion?.factor ?? '1';
  return consumption.times(multiplier).times(factor);
}
