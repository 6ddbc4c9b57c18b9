import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WebhookSignatureError } from './errors.js';
import {
  paymentFromNotification,
  signWebhook,
  verifyWebhookSignature,
  WebhookNotificationSchema,
} from './webhook.js';

const SECRET = 'whsec_test';
const NOW = new Date('2026-03-01T00:00:00Z'); // 1772323200 s
const BODY = '{"id":"evt_1","type":"payment.succeeded"}';

function reason(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof WebhookSignatureError) return e.reason;
    throw e;
  }
  return undefined;
}

describe('verifyWebhookSignature', () => {
  it('accepts the HMAC-SHA256 of "<t>.<body>" computed independently', () => {
    const hex = createHmac('sha256', SECRET).update(`1772323200.${BODY}`).digest('hex');
    expect(signWebhook(BODY, SECRET, NOW)).toBe(`t=1772323200,v1=${hex}`);
    const ok = verifyWebhookSignature({
      header: `t=1772323200,v1=${hex}`,
      body: BODY,
      secrets: [SECRET],
      now: NOW,
    });
    expect(ok.timestamp.toISOString()).toBe('2026-03-01T00:00:00.000Z');
  });

  it.each([
    ['no header', undefined, 'missing'],
    ['no timestamp', 'v1=' + 'a'.repeat(64), 'malformed'],
    ['no v1', 't=1772323200', 'malformed'],
    ['a short v1', 't=1772323200,v1=abcd', 'malformed'],
    ['a forged v1', `t=1772323200,v1=${'0'.repeat(64)}`, 'mismatch'],
    ['a signature under another secret', signWebhook(BODY, 'other', NOW), 'mismatch'],
  ])('rejects %s', (_t, header, expected) => {
    expect(reason(() => verifyWebhookSignature({ header, body: BODY, secrets: [SECRET], now: NOW }))).toBe(
      expected,
    );
  });

  it('rejects a body changed after signing', () => {
    const header = signWebhook(BODY, SECRET, NOW);
    expect(
      reason(() => verifyWebhookSignature({ header, body: `${BODY} `, secrets: [SECRET], now: NOW })),
    ).toBe('mismatch');
  });

  it.each([
    [300, undefined],
    [301, 'stale'],
    [-301, 'stale'],
  ])('with the signature %i s old, the 300 s tolerance gives %s', (age, expected) => {
    const header = signWebhook(BODY, SECRET, new Date(NOW.getTime() - age * 1000));
    expect(reason(() => verifyWebhookSignature({ header, body: BODY, secrets: [SECRET], now: NOW }))).toBe(
      expected,
    );
  });

  it('accepts either secret while a secret is rotated', () => {
    const header = signWebhook(BODY, 'new', NOW);
    expect(
      reason(() => verifyWebhookSignature({ header, body: BODY, secrets: ['old', 'new'], now: NOW })),
    ).toBe(undefined);
  });

  it('accepts any body signed with the secret and rejects it with any other (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string({ minLength: 1 }), (body, other) => {
        const header = signWebhook(body, SECRET, NOW);
        expect(reason(() => verifyWebhookSignature({ header, body, secrets: [SECRET], now: NOW }))).toBe(
          undefined,
        );
        if (other !== SECRET) {
          expect(reason(() => verifyWebhookSignature({ header, body, secrets: [other], now: NOW }))).toBe(
            'mismatch',
          );
        }
      }),
    );
  });
});

describe('paymentFromNotification', () => {
  it('turns a refund notification into a refund', () => {
    const n = WebhookNotificationSchema.parse({
      id: 'evt_9',
      type: 'payment.refunded',
      data: {
        id: 're_1',
        refundOf: 'py_1',
        amount: '5.00',
        currency: 'EUR',
        receivedAt: '2026-03-01T00:00:00Z',
      },
    });
    expect(paymentFromNotification(n)).toMatchObject({
      id: 're_1',
      kind: 'refund',
      refundOf: 'py_1',
      source: 'webhook',
    });
  });
});
