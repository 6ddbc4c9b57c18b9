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
const DAYS_KEPT = 10_000;
const DAY_MS = 86_400_000;

/** The bands of one local calendar day: the first range whose `to` (minute of the day) is past it. */
interface LocalDay {
  readonly ranges: readonly { readonly to: number; readonly at: BandAt }[];
}

function compile(schedule: TouSchedule, timeZone: string): (ms: number) => BandAt {
  const holidays = new Set(schedule.holidays ?? []);
  const rangesOf = (day: DaySchedule) =>
    day.map((r) => ({ from: minutes(r.from), to: minutes(r.to), band: r.band }));
  const base = {
    weekday: rangesOf(schedule.weekday),
    weekend: rangesOf(schedule.weekend ?? schedule.weekday),
  };
  const seasons = (schedule.seasons ?? []).map((s) => ({
    name: s.name,
    from: s.from,
    to: s.to,
    weekday: s.weekday ? rangesOf(s.weekday) : base.weekday,
    weekend: s.weekend ? rangesOf(s.weekend) : s.weekday ? rangesOf(s.weekday) : base.weekend,
  }));
  const offsetAt = offsetLookup(timeZone);
  // One BandAt per band, season and day kind: callers key their own lookups on it.
  const interned = new Map<string, BandAt>();
  const intern = (band: string, season: string | undefined, day: BandAt['day']): BandAt => {
    const key = `${season ?? ''}/${band}/${day}`;
    let at = interned.get(key);
    if (at === undefined) {
      at = Object.freeze({ band, season, day });
      interned.set(key, at);
    }
    return at;
  };
  /** The day kind, season and bands of the local calendar day `dayNumber` (days since 1970-01-01). */
  const localDay = (dayNumber: number): LocalDay => {
    const date = new Date(dayNumber * DAY_MS);
    const md = `${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
    const weekday = date.getUTCDay(); // 0 Sunday … 6 Saturday
    const day =
      weekday === 0 || weekday === 6 || holidays.has(`${date.getUTCFullYear()}-${md}`)
        ? 'weekend'
        : 'weekday';
    const season = seasons.find((s) =>
      s.from <= s.to ? md >= s.from && md <= s.to : md >= s.from || md <= s.to,
    );
    return {
      ranges: (season ?? base)[day].map((r) => ({ to: r.to, at: intern(r.band, season?.name, day) })),
    };
  };
  // A billing period spans a few dozen local days: each is worked out once, and records in time order mostly
  // fall on the day of the record before them.
  const days = new Map<number, LocalDay>();
  let lastNumber = Number.NaN;
  let last: LocalDay | undefined;
  return (ms) => {
    // Bands change on whole local minutes: the minute's start decides, in the offset at that minute.
    const minuteStart = Math.floor(ms / 60_000) * 60_000;
    const local = minuteStart + offsetAt(minuteStart);
    const dayNumber = Math.floor(local / DAY_MS);
    if (dayNumber !== lastNumber || last === undefined) {
      let day = days.get(dayNumber);
      if (day === undefined) {
        if (days.size >= DAYS_KEPT) days.clear();
        day = localDay(dayNumber);
        days.set(dayNumber, day);
      }
      lastNumber = dayNumber;
      last = day;
    }
    const minute = Math.floor((local - dayNumber * DAY_MS) / 60_000);
    const { ranges } = last;
    for (const r of ranges) if (minute < r.to) return r.at;
    return ranges[ranges.length - 1]!.at;
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
