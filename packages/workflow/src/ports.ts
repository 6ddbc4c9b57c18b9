import type { BusEffect, MailEffect, PayableInvoice } from '@tally/payments';

/** Where time comes from (`systemClock` in Lambda, a TestClock locally). */
export interface Clock {
  now(): Date;
}

/**
 * The invoices the receivables flow reads and marks paid. Implemented over the invoice store of the billing run
 * (`invoiceSourceFromStore`).
 */
export interface InvoiceSource {
  get(invoiceId: string): Promise<PayableInvoice | null>;
  /**
   * The invoice's status and customer, read fresh but without the document (cheaper than `get` for a large
   * invoice). Optional: without it, callers use `get`.
   */
  status?(invoiceId: string): Promise<{ readonly status: string; readonly customerId: string } | null>;
  /**
   * Marks the finalized invoice document paid; a no-op when it is already paid. `known`: the invoice as this
   * source's `get` returned it a moment ago, tried first instead of a new read (a stale one costs a retry).
   */
  markPaid(
    invoiceId: string,
    opts: { paidAt: string; paymentReference: string },
    known?: PayableInvoice,
  ): Promise<void>;
}

/** Sends mail requests to the DeliveryQueue. */
export interface MailSender {
  send(mail: MailEffect): Promise<void>;
}

/** Puts events on the bus provisioning systems listen to. */
export interface EventPublisher {
  publish(events: readonly BusEffect[]): Promise<void>;
}

/** Starts the dunning workflow of a finalized invoice. */
export interface DunningStarter {
  startDunning(
    invoiceId: string,
    /**
     * `customerId`: the invoice's customer, carried in the execution input so each dunning step reads the
     * customer's account directly instead of the invoice first (the invoice is read when the account does not
     * hold it yet).
     */
    opts?: { segment?: string; customerId?: string },
  ): Promise<{ started: boolean; executionArn: string }>;
}
