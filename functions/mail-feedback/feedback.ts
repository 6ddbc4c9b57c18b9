import { DELIVERY_TAG, deliveryKeyOf } from '@tally/mail';
import type { DeliveryStore } from '@tally/store';
import { z } from 'zod';

/**
 * SES event publishing (configuration set → SNS → SQS, raw message delivery): the fields tally reads.
 * https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-contents.html
 */
export const SesEventSchema = z.object({
  eventType: z.string(),
  mail: z.object({
    messageId: z.string(),
    tags: z.record(z.string(), z.array(z.string())).optional(),
  }),
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

export type FeedbackOutcome = 'suppressed-bounce' | 'suppressed-complaint' | 'transient-bounce' | 'ignored';

/**
 * Applies one SES event: a permanent bounce or a complaint suppresses the addresses (deliver-invoice will
 * not mail them again) and is attached to the delivery, which lists it among the day's issues for the
 * operator. Transient bounces and other events change nothing. Idempotent: replays write the same.
 */
export async function applyFeedback(
  store: Pick<DeliveryStore, 'suppress' | 'recordFeedback'>,
  event: SesEvent,
): Promise<FeedbackOutcome> {
  const deliveryId = event.mail.tags?.[DELIVERY_TAG]?.[0] ?? null;
  const key = deliveryId === null ? null : deliveryKeyOf(deliveryId);
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
