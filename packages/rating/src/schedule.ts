import { DateTime } from 'luxon';
import { z } from 'zod';
import { IdSchema } from './schema-parts.js';

const ClockSchema = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'must be a local time "HH:MM" from 00:00 to 24:00');

/** One band of a day: [from, to) in local wall-clock time. */
export const DayRangeSchema = z.object({ from: ClockSchema, to: ClockSchema, band: IdSchema });

/** The bands of one day, in order, covering 00:00 to 24:00 without gaps or overlaps. */
export const DayScheduleSchema = z
  .array(DayRangeSchema)
  .min(1)
  .superRefine((ranges, ctx) => {
    let at = '00:00';
    ranges.forEach((r, i) => {
      if (r.from !== at) {
        ctx.addIssue({
          code: 'custom',
          path: [i, 'from'],
          message: `must be ${at}: the ranges must follow each other`,
        });
      }
      if (r.to <= r.from)
        ctx.addIssue({ code: 'custom', path: [i, 'to'], message: `must be after from (${r.from})` });
      at = r.to;
    });
    if (at !== '24:00') {
      ctx.addIssue({
        code: 'custom',
        path: [ranges.length - 1, 'to'],
        message: 'the last range must end at 24:00',
      });
    }
  });
export type DaySchedule = z.infer<typeof DayScheduleSchema>;

const MonthDaySchema = z
  .string()
  .regex(/^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'must be a month-day "MM-DD"');

/**
 * A time-of-use schedule evaluated in the customer's time zone: a weekday and a weekend day schedule,
 * seasons (inclusive month-day ranges, which may wrap the year end; the first match wins) that replace
 * them, and holidays (local dates "YYYY-MM-DD") that follow the weekend schedule.
 */
export const TouScheduleSchema = z.object({
  weekday: DayScheduleSchema,
  /** Defaults to the weekday schedule. */
  weekend: DayScheduleSchema.optional(),
  seasons: z
    .array(
      z.object({
        name: IdSchema,
        from: MonthDaySchema,
        to: MonthDaySchema,
        weekday: DayScheduleSchema.optional(),
        weekend: DayScheduleSchema.optional(),
      }),
    )
    .optional(),
  holidays: z.array(z.iso.date()).optional(),
});
export type TouSchedule = z.infer<typeof TouScheduleSchema>;

export interface BandAt {
  readonly band: string;
  /** The season name, or undefined outside every season. */
  readonly season: string | undefined;
  /** "weekday" or "weekend" (holidays count as weekend). */
  readonly day: 'weekday' | 'weekend';
}

function minutes(clock: string): number {
  return Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3, 5));
}

/**
 * A compiled schedule: resolves an instant to its band in the time zone. Compile once per rating, not per
 * record. Local wall-clock fields come from the zone offset (see {@link offsetLookup}) and plain UTC date
 * arithmetic, so a record costs a few map lookups, not a time-zone conversion.
 */
export function compileSchedule(schedule: TouSchedule, timeZone: string): (ms: number) => BandAt {
  // A billing run rates many customers on the same parsed plan: share each schedule's compiled form and
  // its per-minute answers between them.
  let byZone = compiled.get(schedule);
  if (byZone === undefined) {
    byZone = new Map();
    compiled.set(schedule, byZone);
  }
  let fn = byZone.get(timeZone);
  if (fn === undefined) {
    fn = compile(schedule, timeZone);
    byZone.set(timeZone, fn);
  }
  return fn;
}

const compiled = new WeakMap<TouSchedule, Map<string, (ms: number) => BandAt>>();
const MINUTES_KEPT = 200_000;

function compile(schedule: TouSchedule, timeZone: string): (ms: number) => BandAt {
  const holidays = new Set(schedule.holidays ?? []);
  const lookup = (day: DaySchedule) => {
    const ranges = day.map((r) => ({ from: minutes(r.from), to: minutes(r.to), band: r.band }));
    return (m: number) =>
      ranges.find((r) => m >= r.from && m < r.to)?.band ?? (ranges.at(-1)?.band as string);
  };
  const base = { weekday: lookup(schedule.weekday), weekend: lookup(schedule.weekend ?? schedule.weekday) };
  const seasons = (schedule.seasons ?? []).map((s) => ({
    name: s.name,
    from: s.from,
    to: s.to,
    weekday: s.weekday ? lookup(s.weekday) : base.weekday,
    weekend: s.weekend ? lookup(s.weekend) : s.weekday ? lookup(s.weekday) : base.weekend,
  }));
  const offsetAt = offsetLookup(timeZone);
  const resolve = (ms: number): BandAt => {
    const local = new Date(ms + offsetAt(ms));
    const md = `${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}`;
    const date = `${local.getUTCFullYear()}-${md}`;
    const weekday = local.getUTCDay(); // 0 Sunday … 6 Saturday
    const day = weekday === 0 || weekday === 6 || holidays.has(date) ? 'weekend' : 'weekday';
    const season = seasons.find((s) =>
      s.from <= s.to ? md >= s.from && md <= s.to : md >= s.from || md <= s.to,
    );
    const band = (season ?? base)[day](local.getUTCHours() * 60 + local.getUTCMinutes());
    return { band, season: season?.name, day };
  };
  // Bands change on whole minutes, so one resolution per minute serves every record in it.
  const byMinute = new Map<number, BandAt>();
  return (ms) => {
    const minute = Math.floor(ms / 60_000);
    let at = byMinute.get(minute);
    if (at === undefined) {
      if (byMinute.size >= MINUTES_KEPT) byMinute.clear();
      at = resolve(minute * 60_000);
      byMinute.set(minute, at);
    }
    return at;
  };
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

const offsets = new Map<string, Map<number, number | null>>();
const OFFSET_LIMIT = 100_000;
let offsetCount = 0;

function zoneOffsetMs(ms: number, timeZone: string): number {
  return DateTime.fromMillis(ms, { zone: timeZone }).offset * 60_000;
}

/**
 * The zone's UTC offset in ms at an instant. luxon's zone conversion costs about twenty decimal
 * multiplications, so offsets are resolved once per zone and UTC hour and shared by every rating: when
 * the offset at the hour's first and last minute agree it holds for the whole hour (a zone changes its
 * offset at most once an hour); the rare hour with a change is resolved per instant.
 */
export function offsetLookup(timeZone: string): (ms: number) => number {
  return (ms) => {
    let zone = offsets.get(timeZone);
    if (zone === undefined || offsetCount >= OFFSET_LIMIT) {
      if (offsetCount >= OFFSET_LIMIT) {
        offsets.clear();
        offsetCount = 0;
      }
      zone = new Map();
      offsets.set(timeZone, zone);
    }
    const hour = Math.floor(ms / 3_600_000);
    let offset = zone.get(hour);
    if (offset === undefined) {
      const first = zoneOffsetMs(hour * 3_600_000, timeZone);
      const last = zoneOffsetMs(hour * 3_600_000 + 3_540_000, timeZone);
      offset = first === last ? first : null;
      zone.set(hour, offset);
      offsetCount += 1;
    }
    return offset ?? zoneOffsetMs(Math.floor(ms / 60_000) * 60_000, timeZone);
  };
}

/** Fails fast for a time zone luxon does not know, naming it. */
export function isValidTimeZone(timeZone: string): boolean {
  return DateTime.fromMillis(0, { zone: timeZone }).isValid;
}
