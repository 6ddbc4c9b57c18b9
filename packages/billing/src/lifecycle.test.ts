import { describe, expect, it } from 'vitest';
import { assembleInvoice } from './assemble.js';
import { InvoiceStateError } from './errors.js';
import {
  finalizeAt,
  finalizeInvoice,
  formatInvoiceNumber,
  markInvoicePaid,
  voidInvoice,
} from './lifecycle.js';
import { customer, issuer, subscription, toyPlan, toyRate } from './testing.js';

const draft = assembleInvoice({
  customer: customer({ timeZone: 'America/Los_Angeles' }),
  issuer,
  subscription: subscription({ start: '2026-04-01T07:00:00Z' }),
  planVersions: [toyPlan({ fee: '30' })],
  meters: {},
  period: { start: '2026-04-01T07:00:00Z', end: '2026-05-01T07:00:00Z' },
  now: '2026-05-01T13:00:00Z',
  rate: toyRate,
});

describe('invoice numbers', () => {
  it.each([
    [123, '2026-03-01T06:00:00Z', 'UTC', 'ACME-2026-000123'],
    [1_234_567, '2026-03-01T06:00:00Z', 'UTC', 'ACME-2026-1234567'],
    // 23:30Z on Dec 31 is already Jan 1 in Berlin
    [7, '2026-12-31T23:30:00Z', 'Europe/London', 'ACME-2026-000007'],
    [7, '2026-12-31T23:30:00Z', 'Europe/Berlin', 'ACME-2027-000007'],
  ])('formats sequence %i at %s (%s) as %s', (n, now, zone, expected) => {
    expect(formatInvoiceNumber({ numberPrefix: 'ACME', timeZone: zone }, n, now)).toBe(expected);
  });

  it('refuses a sequence that is not a positive integer', () => {
    expect(() => formatInvoiceNumber(issuer, 0, '2026-01-01T00:00:00Z')).toThrow(/positive integer/);
  });
});

describe('invoice state machine', () => {
  it('finalizes a draft with its number, the local issue date and the due date', () => {
    // 2026-05-01T13:00Z is 06:00 in Los Angeles (PDT); net 14 → May 15
    const fin = finalizeInvoice(draft, { number: 42, now: '2026-05-01T13:00:00Z' });
    expect(fin).toMatchObject({
      status: 'finalized',
      number: 'ACME-2026-000042',
      issueDate: '2026-05-01',
      dueDate: '2026-05-15',
      finalizedAt: '2026-05-01T13:00:00Z',
    });
    expect(fin.lines).toEqual(draft.lines);
  });

  it('dates the invoice in the customer zone, the previous day when it is still evening there', () => {
    // 05:00Z is 22:00 on Apr 30 in Los Angeles
    const fin = finalizeInvoice(draft, { number: 1, now: '2026-05-01T05:00:00Z' });
    expect([fin.issueDate, fin.dueDate]).toEqual(['2026-04-30', '2026-05-14']);
  });

  it('records a payment, and voids with a reason', () => {
    const fin = finalizeInvoice(draft, { number: 1, now: '2026-05-01T13:00:00Z' });
    expect(markInvoicePaid(fin, { paidAt: '2026-05-03T10:00:00Z', paymentReference: 'pay_1' })).toMatchObject(
      {
        status: 'paid',
        paidAt: '2026-05-03T10:00:00Z',
        paymentReference: 'pay_1',
      },
    );
    expect(voidInvoice(fin, { now: '2026-05-02T00:00:00Z', reason: 'issued twice' })).toMatchObject({
      status: 'void',
      voidReason: 'issued twice',
      number: 'ACME-2026-000001',
    });
  });

  it.each([
    ['pay a draft', () => markInvoicePaid(draft, { paidAt: '2026-05-03T00:00:00Z', paymentReference: 'p' })],
    ['void a draft', () => voidInvoice(draft, { now: '2026-05-03T00:00:00Z', reason: 'x' })],
    [
      'finalize twice',
      () =>
        finalizeInvoice(finalizeInvoice(draft, { number: 1, now: draft.createdAt }), {
          number: 2,
          now: draft.createdAt,
        }),
    ],
    [
      'void a paid invoice',
      () =>
        voidInvoice(
          markInvoicePaid(finalizeInvoice(draft, { number: 1, now: draft.createdAt }), {
            paidAt: draft.createdAt,
            paymentReference: 'p',
          }),
          { now: draft.createdAt, reason: 'x' },
        ),
    ],
  ])('refuses to %s', (_, act) => {
    expect(act).toThrow(InvoiceStateError);
  });

  it('finalizes drafts after the grace hours', () => {
    expect(finalizeAt('2026-05-01T07:00:00Z', 6)).toBe('2026-05-01T13:00:00Z');
  });
});
