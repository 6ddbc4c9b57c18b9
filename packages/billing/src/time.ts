import { DateTime } from 'luxon';
import { z } from 'zod';
import { BillingInputError } from './errors.js';

/**
 * An instant as tally stores it: UTC ISO 8601 with a `Z`, milliseconds only when they are not zero
 * ("2026-03-01T00:00:00Z"). Inputs may carry any offset; they are normalised on parse.
 */
export const InstantSchema = z.iso.datetime({ offset: true }).transform((s) => normalizeInstant(s));

/** A half-open interval [start, end) of UTC instants. */
export const IntervalSchema = z
  .object({ start: InstantSchema, end: InstantSchema })
  .refine((p) => ms(p.start) <= ms(p.end), { message: 'start must not be after end' });
export type Interval = { readonly start: string; readonly end: string };

export function parseInstant(iso: string): DateTime {
  const dt = DateTime.fromISO(iso, { setZone: true });
  if (!dt.isValid) throw new BillingInputError(`"${iso}" is not an ISO 8601 instant`, { value: iso });
  return dt;
}

/** Formats a DateTime as a normalised UTC instant string. */
export function toInstant(dt: DateTime): string {
  return dt.toUTC().toISO({ suppressMilliseconds: true }) as string;
}

/** The stored form of an instant: UTC with a `Z`, optional fraction of a second. */
const UTC_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

/**
 * Epoch milliseconds of an ISO instant. Stored instants (UTC, `Z`) are read with Date.parse, checked by
 * formatting back (so "02-30" or "24:00" still fail as luxon fails them); any other form goes through luxon.
 * Billing compares instants constantly, and luxon's parse was a few % of npm start's CPU.
 */
export function ms(iso: string): number {
  const x = storedMs(iso);
  return x !== undefined ? x : parseInstant(iso).toMillis();
}

/** Epoch milliseconds of a stored instant (UTC, `Z`) read without luxon, or undefined for any other form. */
function storedMs(iso: string): number | undefined {
  if (!UTC_INSTANT.test(iso)) return undefined;
  const x = Date.parse(iso);
  return !Number.isNaN(x) && new Date(x).toISOString().slice(0, 19) === iso.slice(0, 19) ? x : undefined;
}

/**
 * An ISO instant in its stored form (`toInstant`): a stored instant by Date alone, any other form through
 * luxon. Every instant of every invoice read goes through this (InstantSchema), and luxon's parse and format
 * were ~2 % of the dunning phase's CPU.
 */
export function normalizeInstant(iso: string): string {
  const x = storedMs(iso);
  if (x === undefined) return toInstant(parseInstant(iso));
  const out = new Date(x).toISOString();
  return out.endsWith('.000Z') ? `${out.slice(0, 19)}Z` : out;
}

export function inZone(iso: string, zone: string): DateTime {
  return parseInstant(iso).setZone(zone);
}

export function maxInstant(a: string, b: string): string {
  return ms(a) >= ms(b) ? a : b;
}

export function minInstant(a: string, b: string): string {
  return ms(a) <= ms(b) ? a : b;
}

/** True when `t` lies in [start, end). */
export function contains(interval: Interval, t: string): boolean {
  const x = ms(t);
  return ms(interval.start) <= x && x < ms(interval.end);
}

/** The overlap of two intervals, or null when they do not overlap (touching intervals do not overlap). */
export function intersect(a: Interval, b: Interval): Interval | null {
  const start = maxInstant(a.start, b.start);
  const end = minInstant(a.end, b.end);
  return ms(start) < ms(end) ? { start, end } : null;
}

/** The local calendar date (YYYY-MM-DD) of an instant in a zone. */
export function localDate(iso: string, zone: string): string {
  return inZone(iso, zone).toISODate() as string;
}

/** The parts of `a` not covered by any of `bs`, in order. */
export function subtractAll(a: Interval, bs: readonly Interval[]): Interval[] {
  const cuts = bs
    .map((b) => intersect(a, b))
    .filter((x): x is Interval => x !== null)
    .sort((x, y) => ms(x.start) - ms(y.start));
  const out: Interval[] = [];
  let cursor = a.start;
  for (const c of cuts) {
    if (ms(c.start) > ms(cursor)) out.push({ start: cursor, end: c.start });
    cursor = maxInstant(cursor, c.end);
  }
  if (ms(cursor) < ms(a.end)) out.push({ start: cursor, end: a.end });
  return out;
}
