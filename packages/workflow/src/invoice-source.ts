import type { PayableInvoice } from '@tally/payments';
import { ConflictError, type InvoiceStore, type StorableInvoice } from '@tally/store';
import type { InvoiceSource } from './ports.js';

/**
 * The invoice source over the billing run's InvoiceStore: `get` reads the document, `markPaid` moves a
 * finalized invoice to paid with the domain transition you pass (`markInvoicePaid` of @tally/billing).
 */
export function invoiceSourceFromStore<T extends StorableInvoice & PayableInvoice>(
  store: InvoiceStore<T>,
  markInvoicePaid: (invoice: T, opts: { paidAt: string; paymentReference: string }) => T,
): InvoiceSource {
  return {
    async get(invoiceId) {
      return (await store.get(invoiceId))?.invoice ?? null;
    },
    async status(invoiceId) {
      return store.head(invoiceId);
    },
    async markPaid(invoiceId, opts) {
      for (let attempt = 0; attempt < 5; attempt++) {
        const cur = await store.get(invoiceId);
        if (cur === null || cur.invoice.status !== 'finalized') return;
        try {
          await store.transition(markInvoicePaid(cur.invoice, opts), {
            status: 'finalized',
            version: cur.version,
            seq: cur.seq,
          });
          return;
        } catch (err) {
          if (!(err instanceof ConflictError)) throw err;
        }
      }
    },
  };
}
