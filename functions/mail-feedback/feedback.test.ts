import { deliveryIdOf } from '@tally/mail';
import { describe, expect, it } from 'vitest';
import { applyFeedback, SesEventSchema } from './feedback.js';

function recorder() {
  const calls: { op: string; arg: unknown }[] = [];
  return {
    calls,
    store: {
      suppress: async (c: unknown) => void calls.push({ op: 'suppress', arg: c }),
      recordFeedback: async (k: unknown, f: unknown) => void calls.push({ op: 'feedback', arg: { k, f } }),
    },
  };
}
const id = deliveryIdOf({ invoiceId: 'inv_1', requestId: 'inv_1:invoice' });

describe('applyFeedback', () => {
  it('suppresses a hard-bounced address and attaches the bounce to its delivery', async () => {
    const r = recorder();
    const event = SesEventSchema.parse({
      eventType: 'Bounce',
      mail: { messageId: 'm1', tags: { 'tally-delivery': [id] } },
      bounce: {
        bounceType: 'Permanent',
        bounceSubType: 'General',
        bouncedRecipients: [{ emailAddress: 'ap@example.com', diagnosticCode: '550 5.1.1 no such user' }],
        timestamp: '2026-04-01T06:00:05Z',
      },
    });
    expect(await applyFeedback(r.store as never, event)).toBe('suppressed-bounce');
    expect(r.calls.map((c) => c.op)).toEqual(['suppress', 'feedback']);
    expect(r.calls[1]?.arg).toMatchObject({
      k: { invoiceId: 'inv_1', requestId: 'inv_1:invoice' },
      f: { type: 'bounce' },
    });
  });

  it('leaves a transient bounce alone', async () => {
    const r = recorder();
    const event = SesEventSchema.parse({
      eventType: 'Bounce',
      mail: { messageId: 'm1' },
      bounce: {
        bounceType: 'Transient',
        bouncedRecipients: [{ emailAddress: 'a@example.com' }],
        timestamp: 't',
      },
    });
    expect(await applyFeedback(r.store as never, event)).toBe('transient-bounce');
    expect(r.calls).toEqual([]);
  });

  it('suppresses a complaint even without a delivery tag', async () => {
    const r = recorder();
    const event = SesEventSchema.parse({
      eventType: 'Complaint',
      mail: { messageId: 'm1' },
      complaint: {
        complainedRecipients: [{ emailAddress: 'a@example.com' }],
        timestamp: 't',
        complaintFeedbackType: 'abuse',
      },
    });
    expect(await applyFeedback(r.store as never, event)).toBe('suppressed-complaint');
    expect(r.calls.map((c) => c.op)).toEqual(['suppress']);
  });
});
