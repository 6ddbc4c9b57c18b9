import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { WebhookSignatureError } from './errors.js';
import { PaymentFieldsSchema, PaymentIdSchema, PaymentSchema } from './payment.js';

/** Default tolerance between the signature's timestamp and now: 5 minutes, as Stripe recommends. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** The header carrying the signature: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`. */
export const SIGNATURE_HEADER = 'tally-signature';

function hmacHex(secret: string, timestamp: string, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');
}

/**
 * Signs a raw body at `now` (what a payment provider does; used by tests, the demo and `tally pay --webhook`).
 *
 * @example signWebhook('{"id":"evt_1"}', 'whsec', new Date('2026-03-01T00:00:00Z')) // 't=1772323200,v1=…'
 */
export function signWebhook(body: string, secret: string, now: Date): string {
  const t = String(Math.floor(now.getTime() / 1000));
  return `t=${t},v1=${hmacHex(secret, t, body)}`;
}

/**
 * Verifies a webhook signature: the header must carry a timestamp within `toleranceSeconds` of `now` (either
 * side, for clock skew) and at least one `v1` HMAC-SHA256 of `"<t>.<raw body>"` under one of `secrets` (several
 * while a secret is rotated), compared in constant time. Throws {@link WebhookSignatureError} naming the check
 * that failed. Replays inside the tolerance are caught by the notification id guard in the store.
 */
export function verifyWebhookSignature(input: {
  header: string | undefined;
  body: string;
  secrets: readonly string[];
  now: Date;
  toleranceSeconds?: number;
}): { timestamp: Date } {
  const { header, body, secrets, now } = input;
  if (!header) throw new WebhookSignatureError('missing', `no ${SIGNATURE_HEADER} header`);
  if (secrets.length === 0) throw new WebhookSignatureError('mismatch', 'no webhook secret is configured');
  let t: string | undefined;
  const v1: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const k = part.slice(0, eq).trim();
    const v = part.slice(eq + 1).trim();
    if (k === 't') t = v;
    else if (k === 'v1') v1.push(v);
  }
  if (t === undefined || !/^\d{1,12}$/.test(t)) {
    throw new WebhookSignatureError('malformed', 'the header has no t=<unix seconds> timestamp');
  }
  if (v1.length === 0 || v1.some((s) => !/^[0-9a-f]{64}$/i.test(s))) {
    throw new WebhookSignatureError('malformed', 'the header has no v1=<64 hex digits> signature');
  }
  const tolerance = input.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const ageSeconds = now.getTime() / 1000 - Number(t);
  if (Math.abs(ageSeconds) > tolerance) {
    throw new WebhookSignatureError(
      'stale',
      `timestamp ${t} is ${Math.round(ageSeconds)} s from now; the tolerance is ${tolerance} s`,
    );
  }
  const given = v1.map((s) => Buffer.from(s.toLowerCase(), 'hex'));
  for (const secret of secrets) {
    const expected = Buffer.from(hmacHex(secret, t, body), 'hex');
    if (given.some((g) => g.length === expected.length && timingSafeEqual(g, expected))) {
      return { timestamp: new Date(Number(t) * 1000) };
    }
  }
  throw new WebhookSignatureError('mismatch', 'no v1 signature matches the body under the configured secret');
}

/**
 * A payment notification from the payment provider. `id` is the notification id (the replay guard's key);
 * `data.id` the payment's own id (the idempotency key of the ledger), so a provider re-sending the same payment
 * under a new notification id still counts once.
 */
export const WebhookNotificationSchema = z.object({
  id: PaymentIdSchema,
  type: z.enum(['payment.succeeded', 'payment.refunded']),
  data: PaymentFieldsSchema.omit({ source: true, kind: true }),
});
export type WebhookNotification = z.infer<typeof WebhookNotificationSchema>;

/** The payment a verified notification carries, validated with the full payment rules. */
export function paymentFromNotification(n: WebhookNotification) {
  return PaymentSchema.parse({
    ...n.data,
    kind: n.type === 'payment.refunded' ? 'refund' : 'payment',
    source: 'webhook',
  });
}
