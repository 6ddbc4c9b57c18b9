import { Decimal } from '@tally/money';
import type { ReportData, ReportWindow } from './inputs.js';
import { hoursBetween, ms } from './time.js';

export interface TimelinessInvoice {
  readonly invoiceId: string;
  readonly number: string | null;
  readonly customerId: string;
  readonly periodEnd: string;
  readonly finalizedAt: string | null;
  /** finalizedAt − period end in hours; for an invoice still draft, the hours elapsed until `asOf`. */
  readonly lagHours: Decimal;
  readonly outcome: 'on-time' | 'late' | 'pending';
}

export interface TimelinessReport {
  readonly window: ReportWindow;
  readonly asOf: string;
  readonly thresholdHours: number;
  /** Invoices judged (on time + late); pending ones are left out. */
  readonly counted: number;
  readonly onTime: number;
  readonly late: number;
  readonly pending: number;
  /** onTime / counted × 100; null when nothing was counted. */
  readonly sharePercent: Decimal | null;
  readonly invoices: readonly TimelinessInvoice[];
}

/**
 * Billing timeliness: of the period invoices whose billing period closed in `window`, the share finalized within
 * `thresholdHours` of the close (finalizedAt − period.end ≤ N hours). An invoice still unfinalized at `asOf` is
 * late once N hours have passed, and pending (left out) before. Opening invoices bill in advance and have no
 * close to measure from, so they are not counted; void invoices were issued and count.
 *
 * @example timelinessReport(data, { from: '2026-04-01T00:00:00Z', to: '2026-05-01T00:00:00Z' }, asOf, 24)
 */
export function timelinessReport(
  data: ReportData,
  window: ReportWindow,
  asOf: string,
  thresholdHours: number,
): TimelinessReport {
  const from = ms(window.from);
  const to = ms(window.to);
  const limit = new Decimal(thresholdHours);
  const invoices: TimelinessInvoice[] = [];
  for (const invoice of data.invoices) {
    if (invoice.kind !== 'period') continue;
    const close = ms(invoice.period.end);
    if (close < from || close >= to) continue;
    const finalized = invoice.finalizedAt !== null && ms(invoice.finalizedAt) <= ms(asOf);
    const lagHours = hoursBetween(invoice.period.end, finalized ? (invoice.finalizedAt as string) : asOf);
    const outcome = finalized
      ? lagHours.lte(limit)
        ? 'on-time'
        : 'late'
      : lagHours.gt(limit)
        ? 'late'
        : 'pending';
    invoices.push({
      invoiceId: invoice.id,
      number: invoice.number,
      customerId: invoice.customer.id,
      periodEnd: invoice.period.end,
      finalizedAt: finalized ? invoice.finalizedAt : null,
      lagHours,
      outcome,
    });
  }
  invoices.sort((a, b) => b.lagHours.comparedTo(a.lagHours) || a.invoiceId.localeCompare(b.invoiceId));
  const onTime = invoices.filter((i) => i.outcome === 'on-time').length;
  const late = invoices.filter((i) => i.outcome === 'late').length;
  const counted = onTime + late;
  return {
    window,
    asOf,
    thresholdHours,
    counted,
    onTime,
    late,
    pending: invoices.length - counted,
    sharePercent: counted === 0 ? null : new Decimal(onTime).div(counted).times(100),
    invoices,
  };
}

export interface AccuracyInvoice {
  readonly invoiceId: string;
  readonly number: string | null;
  readonly customerId: string;
  readonly finalizedAt: string;
  /** Credit notes issued against the invoice up to `asOf`. */
  readonly creditNotes: number;
  /** Later invoices carrying late-usage adjustment lines for it (informational; not a correction). */
  readonly lateUsageAdjustments: number;
}

export interface AccuracyReport {
  readonly window: ReportWindow;
  readonly asOf: string;
  readonly finalized: number;
  readonly corrected: number;
  /** (finalized − corrected) / finalized × 100; null when no invoice was finalized in the window. */
  readonly sharePercent: Decimal | null;
  /** Only the invoices corrected by a credit note or adjusted by late usage. */
  readonly invoices: readonly AccuracyInvoice[];
}

/**
 * Billing accuracy: of the invoices finalized in `window`, the share not referenced by any credit note issued up
 * to `asOf`. Late-usage adjustments on later invoices are listed but do not count as corrections: late events
 * are expected by design (see ARCHITECTURE.md) and the original invoice was right for the data it had.
 */
export function accuracyReport(data: ReportData, window: ReportWindow, asOf: string): AccuracyReport {
  const from = ms(window.from);
  const to = ms(window.to);
  const cutoff = ms(asOf);
  const notes = new Map<string, number>();
  for (const c of data.creditNotes) {
    if (ms(c.issuedAt) <= cutoff) notes.set(c.invoiceId, (notes.get(c.invoiceId) ?? 0) + 1);
  }
  const adjustments = new Map<string, number>();
  for (const invoice of data.invoices) {
    if (invoice.finalizedAt === null || ms(invoice.finalizedAt) > cutoff) continue;
    const adjusted = new Set(invoice.lines.flatMap((l) => (l.adjusts ? [l.adjusts.invoiceId] : [])));
    for (const id of adjusted) adjustments.set(id, (adjustments.get(id) ?? 0) + 1);
  }
  let finalized = 0;
  let corrected = 0;
  const invoices: AccuracyInvoice[] = [];
  for (const invoice of data.invoices) {
    if (invoice.finalizedAt === null) continue;
    const f = ms(invoice.finalizedAt);
    if (f < from || f >= to || f > cutoff) continue;
    finalized += 1;
    const creditNotes = notes.get(invoice.id) ?? 0;
    const lateUsageAdjustments = adjustments.get(invoice.id) ?? 0;
    if (creditNotes > 0) corrected += 1;
    if (creditNotes > 0 || lateUsageAdjustments > 0) {
      invoices.push({
        invoiceId: invoice.id,
        number: invoice.number,
        customerId: invoice.customer.id,
        finalizedAt: invoice.finalizedAt,
        creditNotes,
        lateUsageAdjustments,
      });
    }
  }
  invoices.sort((a, b) => a.invoiceId.localeCompare(b.invoiceId));
  return {
    window,
    asOf,
    finalized,
    corrected,
    sharePercent: finalized === 0 ? null : new Decimal(finalized - corrected).div(finalized).times(100),
    invoices,
  };
}
