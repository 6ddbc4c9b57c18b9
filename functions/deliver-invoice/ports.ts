import type { Invoice } from '@tally/billing';
import type { Appendix, DocumentKind, PayTo } from '@tally/documents';
import type { Mailer, SentMailLookup } from '@tally/mail';
import type { DeliveryStore } from '@tally/store';

/** Reads invoices by id (billing's invoice store: `INV#<id>`, the invoice JSON in attribute `data`). */
export interface InvoiceReader {
  get(invoiceId: string): Promise<Invoice | null>;
}

/**
 * The itemized appendix (call records, interval readings) a document about the invoice carries, when the
 * invoice's plan asks for one; loaded before the claim, so a failed read is retried, never a lost mail.
 */
export interface AppendixLoader {
  forDocument(invoice: Invoice, kind: DocumentKind): Promise<Appendix | undefined>;
}

export interface Clock {
  now(): Date;
}

/** What the delivery reports for metrics and alarms (EMF in Lambda). */
export type DeliveryEvent =
  | 'Sent'
  | 'Duplicate'
  | 'Reconciled'
  | 'SentUnknown'
  | 'FailedPermanent'
  | 'Skipped'
  | 'Throttled'
  | 'InProgress'
  | 'ConfigurationError'
  | 'OutcomeUnknown'
  | 'LostClaim'
  | 'RenderDegraded';

export type DeliveryStorePort = Pick<
  DeliveryStore,
  'get' | 'create' | 'claim' | 'markSent' | 'release' | 'finish' | 'suppressed'
>;

export interface DeliverDeps {
  readonly invoices: InvoiceReader;
  readonly deliveries: DeliveryStorePort;
  readonly mailer: Mailer;
  readonly sentMail: SentMailLookup;
  readonly clock: Clock;
  /** The verified sender identity, `TALLY_SENDER`. */
  readonly sender: { readonly address: string; readonly name?: string };
  readonly replyTo?: { readonly address: string; readonly name?: string };
  readonly payTo?: PayTo;
  /** Itemized appendices for plans that ask for one. Default: none. */
  readonly appendices?: AppendixLoader;
  /**
   * How long a claim holds before another attempt may reconcile it. Must exceed the function timeout
   * (30 s), so a live attempt is never taken over; and stay below the queue's visibility timeout (180 s), so
   * the redelivery after a crash finds it expired. Default 120 s.
   */
  readonly leaseMs?: number;
  readonly newToken?: () => string;
  readonly observe?: (event: DeliveryEvent, detail: Record<string, unknown>) => void;
}
