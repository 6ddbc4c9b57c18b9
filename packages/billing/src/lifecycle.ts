import { DateTime } from 'luxon';
import type { Issuer } from './customer.js';
import { BillingInputError, InvoiceStateError } from './errors.js';
import type { Invoice, InvoiceStatus } from './invoice.js';
import { inZone, normalizeInstant, parseInstant, toInstant } from './time.js';

/**
 * The invoice state machine. A draft may be re-assembled (upserted) any number of times; finalizing fixes
 * its number and dates; a finalized invoice is never changed again except to record its payment or to void
 * it (a correction after finalization is a credit note, not an edit).
 *
 *   draft ──finalize──▶ finalized ──pay──▶ paid
 *                           └─────void──▶ void
 */
export const INVOICE_TRANSITIONS: Readonly<Record<InvoiceStatus, readonly InvoiceStatus[]>> = {
  draft: ['finalized'],
  finalized: ['paid', 'void'],
  paid: [],
  void: [],
};

function assertTransition(invoice: Invoice, to: InvoiceStatus): void {
  if (!INVOICE_TRANSITIONS[invoice.status].includes(to))
    throw new InvoiceStateError(invoice.id, invoice.status, to);
}

/**
 * Formats an invoice number: `<issuer prefix>-<year>-<sequence, zero-padded to 6 digits>`, the year being the
 * issue year in the issuer's zone. The sequence comes from storage (per issuer, gap-free).
 *
 * @example formatInvoiceNumber({ numberPrefix: 'ACME', timeZone: 'UTC' }, 123, '2026-03-01T06:00:00Z') // 'ACME-2026-000123'
 */
export function formatInvoiceNumber(
  issuer: Pick<Issuer, 'numberPrefix' | 'timeZone'>,
  sequence: number,
  now: string,
): string {
  if (!Number.isSafeInteger(sequence) || sequence < 1) {
    throw new BillingInputError(`invoice sequence must be a positive integer, got ${sequence}`, { sequence });
  }
  const year = inZone(now, issuer.timeZone).year;
  return `${issuer.numberPrefix}-${year}-${String(sequence).padStart(6, '0')}`;
}

/**
 * Finalizes a draft: sets the number (formatted from the storage sequence), the issue date (the local date of
 * `now` in the customer's zone) and the due date (issue date + payment terms).
 *
 * @example finalizeInvoice(draft, { number: 123, now: '2026-04-01T06:00:00Z' })
 */
/** `number` is the issuer's next sequence value (from storage). */
export function finalizeInvoice(draft: Invoice, opts: { number: number; now: string }): Invoice {
  assertTransition(draft, 'finalized');
  const local = inZone(opts.now, draft.customer.timeZone);
  return {
    ...draft,
    status: 'finalized',
    number: formatInvoiceNumber(draft.issuer, opts.number, opts.now),
    finalizedAt: normalizeInstant(opts.now),
    issueDate: local.toISODate(),
    dueDate: local.plus({ days: draft.paymentTermsDays }).toISODate(),
  };
}

/** Records the payment of a finalized invoice. */
export function markInvoicePaid(
  invoice: Invoice,
  opts: { paidAt: string; paymentReference: string },
): Invoice {
  assertTransition(invoice, 'paid');
  return {
    ...invoice,
    status: 'paid',
    paidAt: normalizeInstant(opts.paidAt),
    paymentReference: opts.paymentReference,
  };
}

/** Voids a finalized invoice (issued in error). Its number stays used: numbering remains gap-free. */
export function voidInvoice(invoice: Invoice, opts: { now: string; reason: string }): Invoice {
  assertTransition(invoice, 'void');
  if (opts.reason.trim() === '')
    throw new BillingInputError(`voiding ${invoice.id} needs a reason`, { id: invoice.id });
  return { ...invoice, status: 'void', voidedAt: normalizeInstant(opts.now), voidReason: opts.reason };
}

/** The instant a draft for a period ending at `periodEnd` is due to be finalized. */
export function finalizeAt(periodEnd: string, draftGraceHours: number): string {
  return toInstant(DateTime.fromMillis(parseInstant(periodEnd).toMillis() + draftGraceHours * 3_600_000));
}
