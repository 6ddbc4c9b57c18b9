import type { Invoice } from '@tally/billing';
import { type AppendixSpec, AppendixSpecSchema } from '@tally/rating';
import type { Appendix, CallRecord, IntervalRecord } from './request.js';

/** What a plan asks for (`terms.appendix` of a plan version): defined with the plan, in @tally/rating. */
export { type AppendixSpec, AppendixSpecSchema } from '@tally/rating';

/**
 * The appendix a stored plan version asks for, or null. Reads `terms.appendix` of the plan JSON as stored,
 * so it works whether or not the plan schema in use knows the field.
 * @returns `{ spec }`, `null` when the plan asks for none, or `{ error }` when its request is invalid.
 */
export function appendixSpecOf(plan: unknown): { spec: AppendixSpec } | { error: string } | null {
  const raw = (plan as { terms?: { appendix?: unknown } } | null)?.terms?.appendix;
  if (raw === undefined || raw === null) return null;
  const parsed = AppendixSpecSchema.safeParse(raw);
  return parsed.success
    ? { spec: parsed.data }
    : { error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
}

export interface AppendixQuery {
  readonly customerId: string;
  readonly meterId: string;
  /** The invoice period: UTC ISO instants, end exclusive. */
  readonly period: { readonly start: string; readonly end: string };
  /** How many rows at most: the earliest by time. */
  readonly limit: number;
}

/** Rows of an appendix: the first `limit` of them, and how many there are in all. */
export interface AppendixRows<R> {
  readonly records: readonly R[];
  readonly total: number;
  /** The meter's unit (intervals). */
  readonly unit?: string;
}

/**
 * The port that reads appendix rows from usage (implemented over the usage store by deliver-invoice).
 * Both methods return the earliest `limit` rows by time and the total count.
 */
export interface AppendixSource {
  callRecords(q: AppendixQuery): Promise<AppendixRows<CallRecord>>;
  intervals(q: AppendixQuery & { readonly intervalMinutes: number }): Promise<AppendixRows<IntervalRecord>>;
}

/**
 * Rows printed at most. Rows are ~11.5 pt, 60 to an A4 page: 5,000 rows are 86 pages and ~180 KB of PDF,
 * rendered in ~1 s (measured on the 2-core dev machine); longer periods are cut with a note saying how many
 * rows there are in all. The CSV attachment carries the same rows.
 */
export const APPENDIX_ROW_LIMIT = 5000;

/**
 * Loads the appendix a plan asks for, for the invoice's customer and period, bounded to `limit` rows.
 *
 * @example
 * const appendix = await loadAppendix(source, { type: 'calls', meterId: 'calls' }, invoice);
 * await renderDocument(invoice, { kind: 'invoice' }, { appendix });
 */
export async function loadAppendix(
  source: AppendixSource,
  spec: AppendixSpec,
  invoice: Pick<Invoice, 'customer' | 'period'>,
  limit: number = APPENDIX_ROW_LIMIT,
): Promise<Appendix> {
  const q: AppendixQuery = {
    customerId: invoice.customer.id,
    meterId: spec.meterId,
    period: { start: invoice.period.start, end: invoice.period.end },
    limit,
  };
  if (spec.type === 'calls') {
    const rows = await source.callRecords(q);
    return { type: 'calls', records: rows.records.slice(0, limit), total: rows.total };
  }
  const rows = await source.intervals({ ...q, intervalMinutes: spec.intervalMinutes });
  return {
    type: 'intervals',
    meterId: spec.meterId,
    ...(rows.unit === undefined ? {} : { unit: rows.unit }),
    records: rows.records.slice(0, limit),
    total: rows.total,
  };
}
