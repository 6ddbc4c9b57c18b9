import type { PayableInvoice } from '@tally/payments';
import { ConflictError, type InvoiceStore, type StorableInvoice, type StoredInvoice } from '@tally/store';
import type { InvoiceSource } from './ports.js';

/**
 * The invoice source over the billing run's InvoiceStore: `get` reads the document, `markPaid` moves a
 * finalized invoice to paid with the domain transition you pass (`markInvoicePaid` of @tally/billing).
 */
export function invoiceSourceFromStore<T extends StorableInvoice & PayableInvoice>(
  store: InvoiceStore<T>,
  markInvoicePaid: (invoice: T, opts: { paidAt: string; paymentReference: string }) => T,
): InvoiceSource {
  // What `get` read, by the invoice object it returned: `markPaid` of that object starts from this version.
  const read = new WeakMap<object, StoredInvoice<T>>();
  return {
    async get(invoiceId) {
      const stored = await store.get(invoiceId);
      if (stored === null) return null;
      read.set(stored.invoice, stored);
      return stored.invoice;
    },
    async status(invoiceId) {
      return store.head(invoiceId);
    },
    async markPaid(invoiceId, opts, known) {
      for (let attempt = 0; attempt < 5; attempt++) {
        // The invoice the caller read (writes are conditional on its version: a stale one is read again).
        const given = attempt === 0 && known !== undefined ? read.get(known) : undefined;
        const cur = given?.invoice.id === invoiceId ? given : await store.get(invoiceId);
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
