import { type Invoice, InvoiceSchema } from '@tally/billing';
import { PayToSchema } from '@tally/documents';
import { EmulatorSentMailLookup, NoSentMailLookup, type SentMailLookup } from '@tally/mail';
import type { InvoiceStore, StorableInvoice } from '@tally/store';
import type { InvoiceReader } from './ports.js';

/** Reads invoices through billing's invoice store and validates them with InvoiceSchema. */
export class StoreInvoiceReader implements InvoiceReader {
  constructor(private readonly store: Pick<InvoiceStore<StorableInvoice>, 'get'>) {}

  async get(invoiceId: string): Promise<Invoice | null> {
    const stored = await this.store.get(invoiceId);
    return stored === null ? null : InvoiceSchema.parse(stored.invoice);
  }
}

/**
 * The sent-mail lookup for this environment: the emulator's store when the SES endpoint is overridden (the
 * local stack sets AWS_ENDPOINT_URL_SESV2), otherwise none (SES cannot be asked).
 */
export function sentMailLookupFromEnv(env: NodeJS.ProcessEnv = process.env): SentMailLookup {
  const endpoint = env.AWS_ENDPOINT_URL_SESV2;
  return endpoint ? new EmulatorSentMailLookup(endpoint) : new NoSentMailLookup();
}

/** Payment details printed under "How to pay": `TALLY_PAY_TO` as JSON ({ accountHolder, iban, bic, url }). */
export function payToFromEnv(env: NodeJS.ProcessEnv = process.env) {
  const raw = env.TALLY_PAY_TO;
  if (!raw) return undefined;
  return PayToSchema.parse(JSON.parse(raw));
}
