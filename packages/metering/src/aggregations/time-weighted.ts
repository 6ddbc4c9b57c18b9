import { Decimal } from '@tally/money';
import { type AggregationInput, chronological } from './support.js';

export interface LevelArea {
  /** Σ level × milliseconds over the period. */
  readonly area: Decimal;
  /** Milliseconds of the period during which the level was known. */
  readonly coveredMs: number;
}

/**
 * Integrates a level over the period. With `absolute` input each event sets the level; with `delta` input
 * it changes the level by its value. Events before the period give the opening level; without them the
 * level is `opening.level`, else the meter's `initial` when set, otherwise unknown (and counted as 0) until
 * the first event.
 */
export function levelArea({ meter, records, period, opening }: AggregationInput): LevelArea {
  const delta = meter.timeWeighted?.input === 'delta';
  const initial = opening?.level ?? meter.timeWeighted?.initial;
  let level = new Decimal(initial ?? 0);
  let knownSince: number | undefined = initial === undefined ? undefined : period.startMs;
  let cursor = period.startMs;
  let area = new Decimal(0);
  for (const { ms, record } of chronological(records)) {
    if (ms >= period.endMs) break;
    if (ms > cursor) {
      area = area.plus(level.times(ms - cursor));
      cursor = ms;
    }
    level = delta ? level.plus(record.value) : new Decimal(record.value);
    knownSince ??= Math.max(ms, period.startMs);
  }
  area = area.plus(level.times(period.endMs - cursor));
  return { area, coveredMs: knownSince === undefined ? 0 : period.endMs - knownSince };
}
