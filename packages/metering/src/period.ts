import { z } from 'zod';

/** A UTC ISO instant with an offset, normalised to `Z` (`2026-01-31T23:00:00.000Z`). */
export const InstantSchema = z.iso
  .datetime({ offset: true })
  .transform((s) => new Date(s).toISOString())
  .describe('ISO 8601 date-time with an offset; normalised to UTC (Z)');

/** A service period: UTC ISO instants, `end` exclusive. */
export const PeriodSchema = z
  .object({ start: InstantSchema, end: InstantSchema })
  .refine((p) => p.start < p.end, { message: 'start must be before end', path: ['end'] });

export interface Period {
  readonly start: string;
  readonly end: string;
}

/** A period as epoch milliseconds, for the hot paths that compare many instants. */
export interface PeriodMs {
  readonly startMs: number;
  readonly endMs: number;
}

export function periodMs(period: Period): PeriodMs {
  const startMs = Date.parse(period.start);
  const endMs = Date.parse(period.end);
  if (!(startMs < endMs)) throw new RangeError(`period ${period.start}..${period.end} is empty or invalid`);
  return { startMs, endMs };
}

export function periodSeconds(p: PeriodMs): number {
  return (p.endMs - p.startMs) / 1000;
}
