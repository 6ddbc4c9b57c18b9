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
  /** Marks the finalized invoice document paid; a no-op when it is already paid. */
  markPaid(invoiceId: string, opts: { paidAt: string; paymentReference: string }): Promise<void>;
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
    opts?: { segment?: string },
  ): Promise<{ started: boolean; executionArn: string }>;
}
