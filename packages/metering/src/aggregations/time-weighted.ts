import { Decimal } from '@tally/money';
import { type AggregationInput, chronological } from './support.js';

export interface LevelArea {
  /** Σ level × milliseconds over the period (the part being aggregated). */
  readonly area: Decimal;
  /**
   * Milliseconds of the whole period (`input.whole`, else the period) during which the level was known: from
   * its start when an opening or initial level is known or a record before it sets one, else from the first
   * record. Only records up to the end of the part are read, so a level first known after the part is not
   * counted (the part's area is 0 then anyway).
   */
  readonly coveredMs: number;
}

/**
 * Integrates a level over the period. With `absolute` input each event sets the level; with `delta` input
 * it changes the level by its value. Events before the period give the opening level; without them the
 * level is `opening.level`, else the meter's `initial` when set, otherwise unknown (and counted as 0) until
 * the first event.
 */
export function levelArea({ meter, records, period, opening, whole }: AggregationInput): LevelArea {
  const delta = meter.timeWeighted?.input === 'delta';
  const outer = whole ?? period;
  const initial = opening?.level ?? meter.timeWeighted?.initial;
  let level = new Decimal(initial ?? 0);
  let knownSince: number | undefined = initial === undefined ? undefined : outer.startMs;
  let cursor = period.startMs;
  let area = new Decimal(0);
  for (const { ms, record } of chronological(records)) {
    if (ms >= period.endMs) break;
    if (ms > cursor) {
      area = area.plus(level.times(ms - cursor));
      cursor = ms;
    }
    level = delta ? level.plus(record.value) : new Decimal(record.value);
    knownSince ??= Math.max(ms, outer.startMs);
  }
  area = area.plus(level.times(period.endMs - cursor));
  return { area, coveredMs: knownSince === undefined ? 0 : outer.endMs - knownSince };
}
