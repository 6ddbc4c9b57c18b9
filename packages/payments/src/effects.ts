/**
 * What a payment or dunning step asks the outside world to do once its state change is stored. Effects carry
 * deterministic ids (`requestId`, `eventId`), so replaying them after a crash sends nothing twice: the
 * delivery consumer dedupes mails by `requestId`, provisioning consumers dedupe events by `eventId`.
 */
export type MailKind = 'reminder' | 'final-notice' | 'suspended' | 'restored' | 'receipt';

/**
 * A message for the DeliveryQueue (`TALLY_DELIVERY_QUEUE_URL`), consumed by deliver-invoice; the per-kind fields
 * are those of `DocumentRequestSchema` in @tally/documents.
 */
export interface MailEffect {
  readonly type: 'mail';
  readonly kind: MailKind;
  readonly invoiceId: string;
  /** `<invoiceId>:<kind>:<discriminator>`: one send request per reminder, notice or payment. */
  readonly requestId: string;
  readonly customerId: string;
  /** Reminders: 1 for the first reminder, 2 for the second, … */
  readonly reminder?: number;
  /** The open balance at the time, in the invoice currency. */
  readonly balance?: string;
  readonly currency?: string;
  /** Reminders and final notices: the local date (customer zone) the notice speaks for. */
  readonly asOf?: string;
  /** Final notices: the local date service is (or was) suspended. */
  readonly suspendOn?: string;
  /** Suspended / restored: when it took effect. */
  readonly effectiveAt?: string;
  /** Receipts: what was received. */
  readonly payment?: { readonly amount: string; readonly paidAt: string; readonly reference: string };
}

export type AccountEventType =
  | 'tally.account.suspended'
  | 'tally.account.restored'
  | 'tally.invoice.collections';

/** An event for the EventBridge bus, read by provisioning systems (line barring, disconnection, cut-off). */
export interface BusEffect {
  readonly type: 'event';
  readonly detailType: AccountEventType;
  /** Deterministic: consumers dedupe on it. */
  readonly eventId: string;
  readonly customerId: string;
  readonly invoiceIds: readonly string[];
  readonly at: string;
}

export type Effect = MailEffect | BusEffect;
