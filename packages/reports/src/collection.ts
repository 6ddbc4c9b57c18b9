import { Decimal, ZERO } from '@tally/money';
import type { ReportData, ReportWindow } from './inputs.js';
import { addTo, buildLedger, openAmountBefore } from './receivables.js';
import { daysBetween, daysPastDue, ms } from './time.js';

/**
 * The receivables figures of one currency over a window [from, to), from which DSO and CEI are computed.
 * "Beginning" counts everything before `from`, "ending" everything before `to`.
 */
export interface ReceivablesFlow {
  readonly currency: string;
  readonly beginningReceivables: Decimal;
  /** Σ amount due of the invoices finalized in the window and not voided within it. */
  readonly creditSales: Decimal;
  readonly endingReceivables: Decimal;
  /** The part of the ending receivables not yet past due on the last day of the window. */
  readonly endingCurrentReceivables: Decimal;
}

export interface DsoRow extends ReceivablesFlow {
  readonly days: Decimal;
  /** Null when there were no credit sales in the window (the ratio is undefined). */
  readonly dso: Decimal | null;
}

export interface CeiRow extends ReceivablesFlow {
  /** Percent; null when the denominator is zero (nothing was collectable). */
  readonly cei: Decimal | null;
}

export interface DsoReport {
  readonly window: ReportWindow;
  readonly rows: readonly DsoRow[];
}

export interface CeiReport {
  readonly window: ReportWindow;
  readonly rows: readonly CeiRow[];
}

/** Receivables at the start and end of the window and credit sales within it, per currency (sorted by code). */
export function receivablesFlow(data: ReportData, window: ReportWindow): ReceivablesFlow[] {
  const ledger = buildLedger(data.invoices, data.payments, data.creditNotes);
  const from = ms(window.from);
  const to = ms(window.to);
  const begin = new Map<string, Decimal>();
  const sales = new Map<string, Decimal>();
  const end = new Map<string, Decimal>();
  const endCurrent = new Map<string, Decimal>();
  const currencies = new Set<string>();
  for (const invoice of data.invoices) {
    const c = invoice.currency;
    const atStart = openAmountBefore(ledger, invoice, from);
    const atEnd = openAmountBefore(ledger, invoice, to);
    if (atStart !== null) addTo(begin, c, atStart);
    if (atEnd !== null) {
      addTo(end, c, atEnd);
      const days =
        invoice.dueDate === null ? 0 : daysPastDue(invoice.dueDate, to - 1, invoice.customer.timeZone);
      if (days <= 0) addTo(endCurrent, c, atEnd);
    }
    if (invoice.finalizedAt !== null) {
      const f = ms(invoice.finalizedAt);
      const voidedInWindow = invoice.voidedAt !== null && ms(invoice.voidedAt) < to;
      if (f >= from && f < to && !voidedInWindow) addTo(sales, c, new Decimal(invoice.totals.amountDue));
    }
    if (atStart !== null || atEnd !== null || sales.has(c)) currencies.add(c);
  }
  return [...currencies].sort().map((currency) => ({
    currency,
    beginningReceivables: begin.get(currency) ?? ZERO,
    creditSales: sales.get(currency) ?? ZERO,
    endingReceivables: end.get(currency) ?? ZERO,
    endingCurrentReceivables: endCurrent.get(currency) ?? ZERO,
  }));
}

/**
 * Days sales outstanding, period-end ("simple") variant, per currency:
 * DSO = ending receivables / credit sales in the window × elapsed days of the window.
 *
 * @example
 * // 3 000.00 open on 1 April, 9 000.00 invoiced in March (31 days): 3000 / 9000 × 31 = 10.33… days
 */
export function dsoReport(data: ReportData, window: ReportWindow): DsoReport {
  const days = daysBetween(window.from, window.to);
  const rows = receivablesFlow(data, window).map((f) => ({
    ...f,
    days,
    dso: f.creditSales.isZero() ? null : f.endingReceivables.div(f.creditSales).times(days),
  }));
  return { window, rows };
}

/**
 * Collection effectiveness index, per currency, in percent:
 * CEI = (beginning receivables + credit sales − ending total receivables)
 *     / (beginning receivables + credit sales − ending current receivables) × 100.
 * 100 means everything that could be collected in the window was.
 */
export function ceiReport(data: ReportData, window: ReportWindow): CeiReport {
  const rows = receivablesFlow(data, window).map((f) => {
    const collectable = f.beginningReceivables.plus(f.creditSales);
    const denominator = collectable.minus(f.endingCurrentReceivables);
    const cei = denominator.isZero()
      ? null
      : collectable.minus(f.endingReceivables).div(denominator).times(100);
    return { ...f, cei };
  });
  return { window, rows };
}
