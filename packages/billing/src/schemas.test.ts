import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CustomerSchema } from './customer.js';
import { InvoiceSchema, invoiceIdFor } from './invoice.js';
import { SubscriptionSchema } from './subscription.js';

const sub = {
  id: 'sub-1',
  customerId: 'c',
  start: '2026-01-01T01:00:00+01:00',
  interval: 'month',
  alignment: 'calendar',
  phases: [{ from: '2026-01-01T00:00:00Z', planId: 'p', planVersion: 1 }],
};

describe('SubscriptionSchema', () => {
  it('normalises instants to UTC and defaults the quantity to 1', () => {
    const s = SubscriptionSchema.parse(sub);
    expect(s.start).toBe('2026-01-01T00:00:00Z');
    expect(s.phases[0]!.quantity).toBe('1');
  });

  it.each([
    [
      'a first phase not at the start',
      { phases: [{ from: '2026-01-02T00:00:00Z', planId: 'p', planVersion: 1 }] },
      'phases.0.from',
    ],
    [
      'phases out of order',
      {
        phases: [
          { from: '2026-01-01T00:00:00Z', planId: 'p', planVersion: 1 },
          { from: '2025-12-01T00:00:00Z', planId: 'p', planVersion: 2 },
        ],
      },
      'phases.1.from',
    ],
    ['an end before the start', { end: '2025-12-31T00:00:00Z' }, 'end'],
    ['an unknown interval', { interval: 'day' }, 'interval'],
    ['a date without time', { start: '2026-01-01' }, 'start'],
  ])('rejects %s', (_, over, path) => {
    const r = SubscriptionSchema.safeParse({ ...sub, ...over });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join('.'))).toContain(path);
  });
});

describe('CustomerSchema', () => {
  const customer = {
    id: 'c',
    legalName: 'C',
    billingEmails: ['a@b.example'],
    locale: 'en-GB',
    timeZone: 'Europe/London',
    currency: 'GBP',
    tax: {},
    issuerId: 'i',
  };

  it('fills tax and payment defaults', () => {
    expect(CustomerSchema.parse(customer)).toMatchObject({
      tax: { mode: 'exclusive', rates: [], rounding: 'per-invoice' },
      paymentTermsDays: 30,
    });
  });

  it.each([
    ['an unknown zone', { timeZone: 'Mars/Olympus' }, 'timeZone'],
    ['a fixed offset instead of a zone', { timeZone: '+01:00' }, 'timeZone'],
    ['an unknown currency', { currency: 'EURO' }, 'currency'],
    [
      'a tax rate of 19 instead of 0.19',
      { tax: { rates: [{ id: 'v', name: 'VAT', rate: '19' }] } },
      'tax.rates.0.rate',
    ],
    ['no billing email', { billingEmails: [] }, 'billingEmails'],
  ])('rejects %s', (_, over, path) => {
    const r = CustomerSchema.safeParse({ ...customer, ...over });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join('.'))).toContain(path);
  });

  it('answers the same for a zone on every parse (the check is remembered per name)', () => {
    for (let i = 0; i < 3; i++) {
      expect(CustomerSchema.safeParse({ ...customer, timeZone: 'Asia/Tokyo' }).success).toBe(true);
      expect(CustomerSchema.safeParse({ ...customer, timeZone: 'Mars/Olympus' }).success).toBe(false);
    }
  });
});

describe('InvoiceSchema', () => {
  it('exports a JSON Schema for documents and storage', () => {
    const json = z.toJSONSchema(InvoiceSchema, { io: 'input' }) as { properties: Record<string, unknown> };
    expect(Object.keys(json.properties)).toEqual(
      expect.arrayContaining(['issuer', 'customer', 'lines', 'totals', 'tax']),
    );
  });

  it('derives the invoice id from the subscription and the period start', () => {
    expect(invoiceIdFor('sub-42', '2026-03-01T00:00:00+01:00')).toBe('inv_sub-42_20260228T230000Z');
    expect(invoiceIdFor('sub-42', '2026-03-01T00:00:00Z', 'opening')).toBe(
      'inv_sub-42_20260301T000000Z_open',
    );
  });
});
