import { deliveryIdOf } from '@tally/mail';
import { describe, expect, it } from 'vitest';
import { applyFeedback, deliveryIdOfEvent, FeedbackRetryLaterError, SesEventSchema } from './feedback.js';

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

/**
 * A Send event as SES event publishing delivers it through SNS (raw message delivery) to the queue: the
 * message tags of SendEmail next to SES's own `ses:` tags, and the original headers.
 * https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-examples.html
 */
function sesEvent(
  eventType: 'Send' | 'Delivery',
  opts: { tag?: string | null; header?: string | null; messageId?: string } = {},
) {
  const tag = opts.tag === undefined ? id : opts.tag;
  const header = opts.header === undefined ? id : opts.header;
  return SesEventSchema.parse({
    eventType,
    mail: {
      timestamp: '2026-04-01T06:00:01.123Z',
      source: 'billing@acme.example',
      sendingAccountId: '123456789012',
      messageId: opts.messageId ?? '0100019a-ses-message-id-000000',
      destination: ['billing@example.com'],
      headersTruncated: false,
      headers: [
        { name: 'From', value: 'ACME Billing <billing@acme.example>' },
        ...(header === null ? [] : [{ name: 'X-Tally-Delivery', value: header }]),
      ],
      tags: {
        'ses:operation': ['SendEmail'],
        'ses:configuration-set': ['tally'],
        'ses:from-domain': ['acme.example'],
        ...(tag === null ? {} : { 'tally-delivery': [tag] }),
      },
    },
    ...(eventType === 'Send'
      ? { send: {} }
      : {
          delivery: {
            timestamp: '2026-04-01T06:00:03.456Z',
            processingTimeMillis: 2333,
            recipients: ['billing@example.com'],
            smtpResponse: '250 2.6.0 Message received',
          },
        }),
  });
}

function confirming(result: { confirmed: boolean; state: string | null }) {
  const calls: unknown[] = [];
  return {
    calls,
    store: {
      suppress: async () => {},
      recordFeedback: async () => {},
      confirmSent: async (key: unknown, r: unknown) => {
        calls.push({ key, r });
        return result as never;
      },
    },
  };
}
const NOW = new Date('2026-04-01T06:05:00Z');

describe('applyFeedback: Send and Delivery events', () => {
  it('confirms a sent-unknown delivery with the SES message id and the time SES accepted the mail', async () => {
    const s = confirming({ confirmed: true, state: 'sent-unknown' });
    expect(await applyFeedback(s.store, sesEvent('Send'), NOW)).toBe('confirmed-sent');
    expect(s.calls).toEqual([
      {
        key: { invoiceId: 'inv_1', requestId: 'inv_1:invoice' },
        r: {
          messageId: '0100019a-ses-message-id-000000',
          at: '2026-04-01T06:00:01.123Z',
          now: NOW.toISOString(),
        },
      },
    ]);
  });

  it('takes the delivery time of a Delivery event', async () => {
    const s = confirming({ confirmed: true, state: 'sent-unknown' });
    await applyFeedback(s.store, sesEvent('Delivery'), NOW);
    expect(s.calls[0]).toMatchObject({ r: { at: '2026-04-01T06:00:03.456Z' } });
  });

  it('finds the delivery in the X-Tally-Delivery header when the tag is missing', async () => {
    const s = confirming({ confirmed: true, state: 'sent-unknown' });
    expect(await applyFeedback(s.store, sesEvent('Send', { tag: null }), NOW)).toBe('confirmed-sent');
    expect(s.calls[0]).toMatchObject({ key: { invoiceId: 'inv_1', requestId: 'inv_1:invoice' } });
  });

  it.each([
    ['no tag and no header', { tag: null, header: null }],
    ['a value that is no delivery id', { tag: 'not-ours', header: null }],
  ])('ignores a mail with %s', async (_, opts) => {
    const s = confirming({ confirmed: true, state: 'sent-unknown' });
    expect(await applyFeedback(s.store, sesEvent('Send', opts), NOW)).toBe('ignored');
    expect(s.calls).toEqual([]);
  });

  it.each([
    ['sent', 'already-sent'],
    [null, 'unknown-delivery'],
    ['failed-permanent', 'contradicts-record'],
    ['skipped', 'contradicts-record'],
    ['pending', 'contradicts-record'],
  ] as const)('leaves a %s delivery as it is: %s', async (state, outcome) => {
    const s = confirming({ confirmed: false, state });
    expect(await applyFeedback(s.store, sesEvent('Send'), NOW)).toBe(outcome);
  });

  it('asks to be retried while the sending attempt still holds its claim', async () => {
    const s = confirming({ confirmed: false, state: 'sending' });
    await expect(applyFeedback(s.store, sesEvent('Send'), NOW)).rejects.toBeInstanceOf(
      FeedbackRetryLaterError,
    );
  });

  it('ignores Send events while the store cannot confirm sends', async () => {
    const r = recorder();
    expect(await applyFeedback(r.store as never, sesEvent('Send'), NOW)).toBe('ignored');
    expect(r.calls).toEqual([]);
  });

  it('reads the delivery id from a bounce header too', async () => {
    const r = recorder();
    const event = SesEventSchema.parse({
      eventType: 'Bounce',
      mail: { messageId: 'm1', headers: [{ name: 'x-tally-delivery', value: id }] },
      bounce: {
        bounceType: 'Permanent',
        bouncedRecipients: [{ emailAddress: 'a@example.com' }],
        timestamp: 't',
      },
    });
    expect(deliveryIdOfEvent(event)).toBe(id);
    await applyFeedback(r.store as never, event);
    expect(r.calls.map((c) => c.op)).toEqual(['suppress', 'feedback']);
  });
});
