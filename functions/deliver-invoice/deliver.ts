import { randomUUID } from 'node:crypto';
import type { Invoice } from '@tally/billing';
import { DocumentRequestSchema, renderDocument } from '@tally/documents';
import {
  buildMime,
  deliveryIdOf,
  MailConfigurationError,
  MailInputError,
  MailOutcomeUnknownError,
  MailRejectedError,
  MailRetryableError,
} from '@tally/mail';
import { ConflictError, type DeliveryKey, type DeliveryRecord } from '@tally/store';
import { z } from 'zod';
import type { DeliverDeps, DeliveryEvent } from './ports.js';

/** The SQS message: which invoice, which send request (the idempotency key), and what to send. */
export const DeliveryMessageSchema = z.intersection(
  z.object({ invoiceId: z.string().min(1).max(200), requestId: z.string().min(1).max(200) }),
  DocumentRequestSchema,
);
export type DeliveryMessage = z.infer<typeof DeliveryMessageSchema>;

export { deliveryIdOf, deliveryKeyOf } from '@tally/mail';

export type DeliveryOutcome =
  | { readonly outcome: 'sent'; readonly messageId: string }
  | { readonly outcome: 'reconciled'; readonly messageId: string }
  | { readonly outcome: 'duplicate'; readonly state: DeliveryRecord['state'] }
  | { readonly outcome: 'sent-unknown'; readonly reason: string }
  | { readonly outcome: 'failed-permanent'; readonly reason: string }
  | { readonly outcome: 'skipped'; readonly reason: string };

/** The message cannot be handled now; SQS redelivers it after the visibility timeout (or to the DLQ). */
export class DeliveryRetryLaterError extends Error {
  constructor(
    message: string,
    readonly key: DeliveryKey,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'DeliveryRetryLaterError';
  }
}

/** The message names something that does not exist or cannot be sent (fix the data; not retried usefully). */
export class DeliveryInputError extends Error {
  constructor(
    message: string,
    readonly key: DeliveryKey,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'DeliveryInputError';
  }
}

const DUNNING_KINDS = new Set(['reminder', 'final-notice', 'suspended']);

/**
 * Sends the mail of one send request at most once. The invoice, the appendix and the suppressed contacts are
 * read first, then the claim is created; only when a record exists already (a redelivery) is it read:
 *
 * 1. A final record (sent, sent-unknown, failed-permanent, skipped) → duplicate, nothing is sent.
 * 2. A live `sending` claim (lease not expired) → another attempt is in flight: retry later.
 * 3. An expired `sending` claim → the previous attempt crashed during or after SendEmail: ask the sent-mail
 *    lookup. Found → record `sent` (reconciled). Proven not sent → take the claim over and send. Cannot
 *    tell (AWS) → `sent-unknown` and an alarm: a possibly missing mail is the operator's call, a duplicate
 *    bill is not ours to risk.
 * 4. No record (the claim was created) or `pending` → claim with a conditional write, render, send, record
 *    `sent` with the SES id.
 *
 * The mail is rendered before the claim, so the lease covers only building the MIME and one SendEmail.
 */
export async function deliver(deps: DeliverDeps, msg: DeliveryMessage): Promise<DeliveryOutcome> {
  const key: DeliveryKey = { invoiceId: msg.invoiceId, requestId: msg.requestId };
  const deliveryId = deliveryIdOf(key);
  const observe = (e: DeliveryEvent, d: Record<string, unknown> = {}) =>
    deps.observe?.(e, { ...key, deliveryId, kind: msg.kind, ...d });
  const leaseMs = deps.leaseMs ?? 120_000;
  const now = deps.clock.now();
  const token = (deps.newToken ?? randomUUID)();
  const claim = {
    token,
    leaseUntil: new Date(now.getTime() + leaseMs).toISOString(),
    now: now.toISOString(),
  };

  const invoice = await deps.invoices.get(msg.invoiceId);
  if (invoice === null) throw new DeliveryInputError(`invoice ${msg.invoiceId} does not exist`, key);
  const blocked = blockedReason(invoice, msg.kind);
  // Read before the claim: a failing read (throttling) is retried through the queue, never a lost mail.
  const appendix = blocked === null ? await deps.appendices?.forDocument(invoice, msg.kind) : undefined;

  const suppressed = new Set(
    (await deps.deliveries.suppressed(invoice.customer.billingEmails)).map((c) => c.address),
  );
  const recipients = invoice.customer.billingEmails.filter((a) => !suppressed.has(a.toLowerCase()));

  // Claim before sending: only the holder of the claim token may send and record. Almost every request is
  // new, so the claim is created first and the record read only when one exists (a redelivery).
  if (!(await deps.deliveries.create({ ...key, deliveryId, kind: msg.kind, recipients }, claim))) {
    const existing = await deps.deliveries.get(key);
    if (existing === null) {
      // Records are never deleted: it existed a moment ago, so read it again on the redelivery.
      observe('InProgress');
      throw new DeliveryRetryLaterError(`delivery ${deliveryId} was created by a concurrent attempt`, key);
    }
    if (existing.state !== 'pending' && existing.state !== 'sending') {
      observe('Duplicate', { state: existing.state });
      return { outcome: 'duplicate', state: existing.state };
    }
    if (existing.state === 'sending') {
      if (existing.leaseUntil !== null && Date.parse(existing.leaseUntil) > now.getTime()) {
        observe('InProgress');
        throw new DeliveryRetryLaterError(
          `delivery ${deliveryId} is being sent by another attempt until ${existing.leaseUntil}`,
          key,
        );
      }
      const found = await deps.sentMail.find(deliveryId, { since: new Date(existing.createdAt) });
      if (found.status === 'sent') {
        await deps.deliveries.markSent(key, existing.claimToken ?? '', {
          messageId: found.messageId,
          now: claim.now,
          reconciled: true,
        });
        observe('Reconciled', { messageId: found.messageId });
        return { outcome: 'reconciled', messageId: found.messageId };
      }
      if (found.status === 'unknown') {
        const reason = `an attempt crashed around SendEmail and it cannot be told whether the mail went out (${found.reason}); not resending`;
        await deps.deliveries.finish(key, existing.claimToken ?? '', {
          state: 'sent-unknown',
          now: claim.now,
          error: reason,
        });
        observe('SentUnknown', { reason });
        return { outcome: 'sent-unknown', reason };
      }
    }
    const from =
      existing.state === 'pending'
        ? ({ state: 'pending' } as const)
        : ({ state: 'sending', token: existing.claimToken ?? '' } as const);
    await deps.deliveries.claim(key, from, { ...claim, recipients });
  }

  if (blocked !== null) {
    await deps.deliveries.finish(key, token, { state: 'skipped', now: claim.now, error: blocked });
    observe('Skipped', { reason: blocked });
    return { outcome: 'skipped', reason: blocked };
  }
  if (recipients.length === 0) {
    const reason = `every billing address of customer ${invoice.customer.id} is suppressed (bounce or complaint)`;
    await deps.deliveries.finish(key, token, { state: 'failed-permanent', now: claim.now, error: reason });
    observe('FailedPermanent', { reason });
    return { outcome: 'failed-permanent', reason };
  }

  let raw: Buffer;
  try {
    const doc = await renderDocument(invoice, msg, {
      deliveryRef: deliveryId,
      payTo: deps.payTo,
      ...(appendix ? { appendix } : {}),
    });
    if (doc.warnings.length > 0) observe('RenderDegraded', { warnings: doc.warnings });
    raw = await buildMime({
      from: deps.sender,
      to: recipients.map((address) => ({ name: invoice.customer.legalName, address })),
      ...(deps.replyTo ? { replyTo: deps.replyTo } : {}),
      subject: doc.subject,
      text: doc.text,
      html: doc.html,
      attachments: [...doc.attachments],
      deliveryId,
      date: now,
    });
  } catch (err) {
    const reason = `cannot render or build the mail: ${(err as Error).message}`;
    await deps.deliveries.finish(key, token, { state: 'failed-permanent', now: claim.now, error: reason });
    observe('FailedPermanent', { reason });
    return { outcome: 'failed-permanent', reason };
  }

  let messageId: string;
  try {
    ({ messageId } = await deps.mailer.sendRaw(raw, { deliveryId }));
  } catch (err) {
    if (err instanceof MailRejectedError || err instanceof MailInputError) {
      await deps.deliveries.finish(key, token, {
        state: 'failed-permanent',
        now: claim.now,
        error: err.message,
      });
      observe('FailedPermanent', { reason: err.message });
      return { outcome: 'failed-permanent', reason: err.message };
    }
    if (err instanceof MailRetryableError || err instanceof MailConfigurationError) {
      // SES did not take the mail: give the claim back so a later attempt may send it.
      await deps.deliveries.release(key, token, { now: claim.now, error: err.message });
      observe(err instanceof MailRetryableError ? 'Throttled' : 'ConfigurationError', { error: err.message });
      throw new DeliveryRetryLaterError(`delivery ${deliveryId}: ${err.message}`, key, { cause: err });
    }
    // Outcome unknown (timeout, 5xx): keep the claim; the redelivery after the lease reconciles it.
    observe('OutcomeUnknown', { error: (err as Error).message });
    throw new DeliveryRetryLaterError(
      `delivery ${deliveryId}: SendEmail outcome unknown, left to reconciliation after the lease`,
      key,
      {
        cause:
          err instanceof MailOutcomeUnknownError
            ? err
            : new MailOutcomeUnknownError(String(err), 'Unknown', { cause: err }),
      },
    );
  }
  try {
    await deps.deliveries.markSent(key, token, { messageId, now: claim.now, reconciled: false });
  } catch (err) {
    // The mail is out. If the claim was lost meanwhile (lease too short), say so loudly: it may be doubled.
    // Any other failure (a crash, DynamoDB down) leaves `sending`, which the next attempt reconciles.
    if (err instanceof ConflictError) observe('LostClaim', { messageId, error: err.message });
    throw err;
  }
  observe('Sent', { messageId, count: 1 });
  return { outcome: 'sent', messageId };
}

/** Why a request must not be sent for the invoice as it stands, or null. */
function blockedReason(invoice: Invoice, kind: DeliveryMessage['kind']): string | null {
  if (invoice.status === 'draft') return `invoice ${invoice.id} is a draft: drafts are never sent`;
  if (invoice.status === 'void' && kind !== 'credit-note') return `invoice ${invoice.id} is void`;
  // Invariant 4: dunning never reminds a customer who has paid (the payment may land after the enqueue).
  if (invoice.status === 'paid' && DUNNING_KINDS.has(kind))
    return `invoice ${invoice.id} is paid: no ${kind}`;
  return null;
}
