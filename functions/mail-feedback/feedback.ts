import { DELIVERY_HEADER, DELIVERY_TAG, deliveryKeyOf } from '@tally/mail';
import type { DeliveryKey, DeliveryState, DeliveryStore } from '@tally/store';
import { z } from 'zod';

/**
 * SES event publishing (configuration set → SNS → SQS, raw message delivery): the fields tally reads.
 * https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-contents.html
 */
export const SesEventSchema = z.object({
  eventType: z.string(),
  mail: z.object({
    messageId: z.string(),
    /** When SES accepted the message. */
    timestamp: z.string().optional(),
    /** SES's own tags (`ses:configuration-set`, `ses:from-domain`, …) and the message tags of SendEmail. */
    tags: z.record(z.string(), z.array(z.string())).optional(),
    /** The original headers, unless SES truncated them (`headersTruncated`). */
    headers: z.array(z.object({ name: z.string(), value: z.string() })).optional(),
  }),
  delivery: z.object({ timestamp: z.string() }).loose().optional(),
  bounce: z
    .object({
      bounceType: z.string(),
      bounceSubType: z.string().optional(),
      bouncedRecipients: z.array(
        z.object({ emailAddress: z.string(), diagnosticCode: z.string().optional() }),
      ),
      timestamp: z.string(),
    })
    .optional(),
  complaint: z
    .object({
      complainedRecipients: z.array(z.object({ emailAddress: z.string() })),
      complaintFeedbackType: z.string().optional(),
      timestamp: z.string(),
    })
    .optional(),
});
export type SesEvent = z.infer<typeof SesEventSchema>;

export type FeedbackOutcome =
  | 'suppressed-bounce'
  | 'suppressed-complaint'
  | 'transient-bounce'
  /** A Send or Delivery event resolved a `sent-unknown` delivery (or a crashed claim) to `sent`. */
  | 'confirmed-sent'
  /** A Send or Delivery event for a delivery already recorded as sent: the usual case, nothing to do. */
  | 'already-sent'
  /** A Send or Delivery event for a delivery in a state that says nothing went out: for the operator. */
  | 'contradicts-record'
  /** A Send or Delivery event naming a delivery that does not exist (another environment's mail). */
  | 'unknown-delivery'
  | 'ignored';

/**
 * The delivery-store transition a Send or Delivery event asks for: record `sent` with the SES message id
 * when the delivery is `sent-unknown`, or `sending` with an expired lease (the attempt crashed before
 * recording), and leave every other state as it is. Returns whether it changed the delivery and the state
 * it found. To be provided by `DeliveryStore.confirmSent`; until it is, these events are ignored.
 */
export interface SentConfirmation {
  confirmSent(
    key: DeliveryKey,
    r: { readonly messageId: string; readonly at: string; readonly now: string },
  ): Promise<{ readonly confirmed: boolean; readonly state: DeliveryState | null }>;
}

export type FeedbackStore = Pick<DeliveryStore, 'suppress' | 'recordFeedback'> & Partial<SentConfirmation>;

/** The delivery is still claimed by a live attempt, which records the send itself: look again later. */
export class FeedbackRetryLaterError extends Error {
  constructor(
    message: string,
    readonly key: DeliveryKey,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'FeedbackRetryLaterError';
  }
}

/**
 * The delivery id of the mail an event is about: the `tally-delivery` message tag (SES copies message tags
 * into every event), else the X-Tally-Delivery header (SES includes the headers unless it truncated them).
 */
export function deliveryIdOfEvent(event: SesEvent): string | null {
  const tag = event.mail.tags?.[DELIVERY_TAG]?.[0];
  if (tag) return tag;
  const header = DELIVERY_HEADER.toLowerCase();
  return event.mail.headers?.find((h) => h.name.toLowerCase() === header)?.value.trim() || null;
}

/**
 * Applies one SES event: a permanent bounce or a complaint suppresses the addresses (deliver-invoice will
 * not mail them again) and is attached to the delivery, which lists it among the day's issues for the
 * operator. A Send or Delivery event proves the mail went out: it resolves a `sent-unknown` delivery (a
 * crash around SendEmail that SES could not be asked about) to `sent` with the SES message id. Transient
 * bounces and other events change nothing. Idempotent: replays write the same.
 *
 * @param now the handler's clock, for comparing claim leases.
 * @throws FeedbackRetryLaterError when a Send event arrives while the sending attempt still holds its claim.
 */
export async function applyFeedback(
  store: FeedbackStore,
  event: SesEvent,
  now: Date = new Date(),
): Promise<FeedbackOutcome> {
  const deliveryId = deliveryIdOfEvent(event);
  const key = deliveryId === null ? null : deliveryKeyOf(deliveryId);
  if (event.eventType === 'Send' || event.eventType === 'Delivery') {
    if (key === null || store.confirmSent === undefined) return 'ignored';
    const at = event.delivery?.timestamp ?? event.mail.timestamp ?? now.toISOString();
    const r = await store.confirmSent(key, {
      messageId: event.mail.messageId,
      at,
      now: now.toISOString(),
    });
    if (r.confirmed) return 'confirmed-sent';
    switch (r.state) {
      case null:
        return 'unknown-delivery';
      case 'sent':
        return 'already-sent';
      case 'sending':
        throw new FeedbackRetryLaterError(
          `delivery ${deliveryId} is still claimed by its sending attempt: SES ${event.eventType} event ${event.mail.messageId} is applied after the lease if the attempt does not record it`,
          key,
        );
      default:
        return 'contradicts-record';
    }
  }
  if (event.eventType === 'Bounce' && event.bounce) {
    const b = event.bounce;
    if (b.bounceType !== 'Permanent') return 'transient-bounce';
    const detail =
      `${b.bounceType}/${b.bounceSubType ?? ''} ${b.bouncedRecipients.map((r) => r.diagnosticCode ?? '').join(' ')}`.trim();
    for (const r of b.bouncedRecipients) {
      await store.suppress({
        address: r.emailAddress,
        reason: 'bounce',
        at: b.timestamp,
        detail,
        deliveryId,
      });
    }
    if (key) await store.recordFeedback(key, { type: 'bounce', at: b.timestamp, detail });
    return 'suppressed-bounce';
  }
  if (event.eventType === 'Complaint' && event.complaint) {
    const c = event.complaint;
    const detail = c.complaintFeedbackType ?? 'complaint';
    for (const r of c.complainedRecipients) {
      await store.suppress({
        address: r.emailAddress,
        reason: 'complaint',
        at: c.timestamp,
        detail,
        deliveryId,
      });
    }
    if (key) await store.recordFeedback(key, { type: 'complaint', at: c.timestamp, detail });
    return 'suppressed-complaint';
  }
  return 'ignored';
}
