import { Decimal } from '@tally/money';
import { DateTime } from 'luxon';
import { ReportInputError } from './errors.js';

const MS_PER_HOUR = 3_600_000;
const MS_PER_DAY = 86_400_000;

/**
 * Epoch milliseconds of an ISO 8601 instant with an offset. Inputs are validated by their schemas first, so the
 * engine's ISO parser suffices here (luxon's is about 20× slower, and reports parse every timestamp many times).
 */
export function ms(iso: string): number {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) throw new ReportInputError(`"${iso}" is not an ISO 8601 instant`, { value: iso });
  return t;
}

/** Elapsed hours from `a` to `b` (negative when `b` is earlier), exact. */
export function hoursBetween(a: string, b: string): Decimal {
  return new Decimal(ms(b) - ms(a)).div(MS_PER_HOUR);
}

/** Elapsed 24-hour days of [start, end), exact (a month with a DST change in some zone is still whole in UTC). */
export function daysBetween(start: string, end: string): Decimal {
  return new Decimal(ms(end) - ms(start)).div(MS_PER_DAY);
}

/**
 * Calendar days past due: the local date of the instant `atMs` in `zone` minus the due date (a local date in the
 * same zone). 0 or less means not yet past due: an invoice due today is still current.
 */
export function daysPastDue(dueDate: string, atMs: number, zone: string): number {
  return epochDay(localDateAt(atMs, zone)) - epochDay(dueDate);
}

// A report asks for the local date of the same few instants in the same few zones thousands of times.
const localDates = new Map<string, string>();

/** The local calendar date (yyyy-mm-dd) of an instant in an IANA zone. */
export function localDateAt(atMs: number, zone: string): string {
  const key = `${zone}|${atMs}`;
  let date = localDates.get(key);
  if (date === undefined) {
    const at = DateTime.fromMillis(atMs, { zone });
    if (!at.isValid) throw new ReportInputError(`"${zone}" is not a time zone`, { zone });
    date = at.toISODate() as string;
    if (localDates.size > 10_000) localDates.clear();
    localDates.set(key, date);
  }
  return date;
}

/** Days since 1970-01-01 of a calendar date (calendar arithmetic, independent of any zone's DST). */
function epochDay(date: string): number {
  const t = Date.parse(`${date.slice(0, 10)}T00:00:00Z`);
  if (Number.isNaN(t)) throw new ReportInputError(`"${date}" is not a calendar date`, { value: date });
  return Math.round(t / MS_PER_DAY);
}
