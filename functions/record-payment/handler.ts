import { Logger } from '@aws-lambda-powertools/logger';
import middy from '@middy/core';
import {
  PaymentInputError,
  paymentFromNotification,
  RefundError,
  SIGNATURE_HEADER,
  verifyWebhookSignature,
  WebhookNotificationSchema,
  WebhookSignatureError,
} from '@tally/payments';
import type { PaymentStore } from '@tally/store';
import {
  type Clock,
  type Receivables,
  receivablesFromEnv,
  storesFromEnv,
  webhookSecretsFromEnv,
} from '@tally/workflow';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

export interface RecordPaymentDeps {
  readonly receivables: Pick<Receivables, 'record'>;
  readonly notifications: Pick<PaymentStore, 'claimNotification' | 'completeNotification'>;
  /** The signing secrets (several while rotating). */
  readonly secrets: () => Promise<string[]>;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Seconds a signature stays valid. Default 300. */
  readonly toleranceSeconds?: number;
}

function json(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

/**
 * POST /v1/payments/webhook: a payment provider's notification, signed `tally-signature: t=…,v1=…`
 * (HMAC-SHA256 of "<t>.<raw body>"). 401 for a missing, forged or stale signature; 400 for a body that is not a
 * payment notification; 200 `duplicate` for a notification id already processed (replay); otherwise the payment
 * is recorded (applied, or kept unapplied for reconciliation) and 200 says which.
 */
export function makeHandler(deps: RecordPaymentDeps) {
  return middy(async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const raw = event.body ?? '';
    const body = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
    const now = deps.clock.now();
    try {
      verifyWebhookSignature({
        header: event.headers?.[SIGNATURE_HEADER],
        body,
        secrets: await deps.secrets(),
        now,
        ...(deps.toleranceSeconds !== undefined ? { toleranceSeconds: deps.toleranceSeconds } : {}),
      });
    } catch (err) {
      if (!(err instanceof WebhookSignatureError)) throw err;
      deps.logger.warn('webhook rejected', { reason: err.reason });
      return json(401, { message: 'invalid signature', reason: err.reason });
    }
    let parsedJson: unknown;
    try {
      parsedJson = JSON.parse(body);
    } catch {
      return json(400, { message: 'the body is not JSON' });
    }
    const parsed = WebhookNotificationSchema.safeParse(parsedJson);
    if (!parsed.success)
      return json(400, { message: 'not a payment notification', issues: parsed.error.issues });
    const notification = parsed.data;
    if ((await deps.notifications.claimNotification(notification.id, now)) === 'done') {
      return json(200, { status: 'duplicate', notificationId: notification.id });
    }
    try {
      const payment = paymentFromNotification(notification);
      const result = await deps.receivables.record(payment);
      await deps.notifications.completeNotification(notification.id, now);
      deps.logger.info('payment recorded', {
        notificationId: notification.id,
        paymentId: payment.id,
        ...result,
      });
      return json(200, { notificationId: notification.id, paymentId: payment.id, ...result });
    } catch (err) {
      if (err instanceof RefundError || err instanceof PaymentInputError) {
        return json(422, { message: err.message });
      }
      if ((err as { name?: string }).name === 'ZodError') return json(400, { message: String(err) });
      throw err;
    }
  });
}

export function defaultDeps(env: NodeJS.ProcessEnv = process.env): RecordPaymentDeps {
  return {
    receivables: receivablesFromEnv(env),
    notifications: storesFromEnv(env).payments,
    secrets: webhookSecretsFromEnv(env),
    clock: { now: () => new Date() },
    logger: new Logger({ serviceName: 'tally-record-payment' }),
  };
}

export const handler = makeHandler(defaultDeps());
