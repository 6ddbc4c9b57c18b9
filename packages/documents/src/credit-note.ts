import type { CreditNote as BillingCreditNote } from '@tally/billing';
import { Decimal, formatMinor } from '@tally/money';
import type { DocumentRequest } from './request.js';

/**
 * The document request for a credit note issued by billing: summary, credited lines, tax and totals. The
 * amount in the summary is positive (what the customer is credited); billing's totals are negative.
 *
 * @example
 * const note = createCreditNote({ invoice, reason: 'outage', number: 4, now });
 * queue.send({ invoiceId: note.invoiceId, requestId: `${note.id}:credit-note`, ...creditNoteRequest(note) });
 */
export function creditNoteRequest(
  note: BillingCreditNote,
): Extract<DocumentRequest, { kind: 'credit-note' }> {
  return {
    kind: 'credit-note',
    creditNote: {
      number: note.number,
      issueDate: note.issueDate,
      amount: formatMinor(new Decimal(note.totals.total).neg(), note.currency),
      reason: note.reason,
      lines: note.lines.map((l) => ({
        invoiceLineKey: l.invoiceLineKey,
        description: l.description,
        amount: l.amount,
      })),
      tax: {
        mode: note.tax.mode,
        lines: note.tax.lines.map((t) => ({ name: t.name, base: t.base, amount: t.amount })),
      },
      totals: { ...note.totals },
    },
  };
}
