import { Decimal } from '@tally/money';
import { DateTime } from 'luxon';
import { ReportInputError } from './errors.js';

const MS_PER_HOUR = 3_600_000;
const MS_PER_DAY = 86_400_000;

/** Epoch milliseconds of an ISO 8601 instant with an offset. */
export function ms(iso: string): number {
  const t = DateTime.fromISO(iso, { setZone: true });
  if (!t.isValid) throw new ReportInputError(`"${iso}" is not an ISO 8601 instant`, { value: iso });
  return t.toMillis();
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
  const due = DateTime.fromISO(dueDate, { zone });
  const at = DateTime.fromMillis(atMs, { zone }).startOf('day');
  if (!due.isValid || !at.isValid) {
    throw new ReportInputError(`cannot compare due date "${dueDate}" in zone "${zone}"`, { dueDate, zone });
  }
  return Math.round(at.diff(due.startOf('day'), 'days').days);
}
