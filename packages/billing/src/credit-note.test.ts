import { describe, expect, it } from 'vitest';
import { assembleInvoice } from './assemble.js';
import { CreditNoteSchema, createCreditNote } from './credit-note.js';
import { CreditNoteError } from './errors.js';
import type { Invoice } from './invoice.js';
import { finalizeInvoice } from './lifecycle.js';
import { customer, issuer, records, subscription, toyPlan, toyRate } from './testing.js';

const NOW = '2026-05-10T09:00:00Z';

function finalized(
  plan = toyPlan({ fee: '30', perUnit: { meterId: 'calls', price: '0.10' } }),
  rate = '0.20',
  calls = 150,
): Invoice {
  const draft = assembleInvoice({
    customer: customer({ tax: { rates: [{ id: 'vat', name: 'VAT', rate }], rounding: 'per-invoice' } }),
    issuer,
    subscription: subscription(),
    planVersions: [plan],
    meters: {},
    period: { start: '2026-04-01T00:00:00Z', end: '2026-05-01T00:00:00Z' },
    usage: { calls: records('2026-04-02T00:00:00Z', calls) },
    now: '2026-05-01T06:00:00Z',
    rate: toyRate,
  });
  return finalizeInvoice(draft, { number: 41, now: '2026-05-01T06:00:00Z' });
}

describe('createCreditNote', () => {
  const invoice = finalized(); // 15.00 usage + 30.00 fee, VAT 9.00, total 54.00

  it('reverses a whole invoice, tax included', () => {
    const note = createCreditNote({ invoice, reason: 'billed in error', number: 3, now: NOW });
    expect(note.lines.map((l) => [l.invoiceLineKey, l.amount])).toEqual([
      ['s0:calls:usage', '-15.00'],
      ['s0:base:fee', '-30.00'],
    ]);
    expect(note.totals).toEqual({ subtotal: '-45.00', tax: '-9.00', total: '-54.00' });
    expect(note).toMatchObject({
      id: 'cn_inv_sub-1_20260401T000000Z_1',
      number: 'ACME-CN-2026-000003',
      invoiceNumber: 'ACME-2026-000041',
      issueDate: '2026-05-10',
    });
    expect(CreditNoteSchema.parse(JSON.parse(JSON.stringify(note)))).toEqual(note);
  });

  it('reverses part of a line with its tax', () => {
    const note = createCreditNote({
      invoice,
      lines: [{ key: 's0:base:fee', amount: '10.00' }],
      reason: 'outage',
      number: 4,
      now: NOW,
    });
    // 10.00 × 20 % = 2.00
    expect(note.totals).toEqual({ subtotal: '-10.00', tax: '-2.00', total: '-12.00' });
  });

  it('never reverses more tax than was charged over a series of partial notes', () => {
    // two lines of 0.05, VAT 10 % per invoice: 0.10 × 10 % = 0.01
    const tiny = finalized(toyPlan({ fee: '0.05', perUnit: { meterId: 'calls', price: '0.05' } }), '0.10', 1);
    expect(tiny.totals.tax).toBe('0.01');
    const first = createCreditNote({
      invoice: tiny,
      lines: [{ key: 's0:base:fee', amount: '0.05' }],
      reason: 'a',
      number: 1,
      now: NOW,
    });
    // 0.05 × 10 % = 0.005 → 0.01 (half-up)
    expect(first.totals.tax).toBe('-0.01');
    const second = createCreditNote({ invoice: tiny, previous: [first], reason: 'b', number: 2, now: NOW });
    // the rest (0.05 usage) would round to 0.01 again, but only 0.00 of tax is left
    expect(second.lines.map((l) => l.amount)).toEqual(['-0.05']);
    expect(second.totals).toEqual({ subtotal: '-0.05', tax: '0.00', total: '-0.05' });
  });

  it.each([
    ['more than the line', [{ key: 's0:base:fee', amount: '30.01' }], /30\.00 is left/],
    ['the opposite sign', [{ key: 's0:base:fee', amount: '-1.00' }], /is left to credit/],
    ['an unknown line', [{ key: 'nope', amount: '1.00' }], /no line "nope"/],
    ['fractions of a cent', [{ key: 's0:base:fee', amount: '1.005' }], /more decimals than EUR/],
  ])('refuses to credit %s', (_, lines, message) => {
    expect(() => createCreditNote({ invoice, lines, reason: 'x', number: 1, now: NOW })).toThrow(message);
  });

  it('refuses to credit what an earlier note already credited', () => {
    const first = createCreditNote({
      invoice,
      lines: [{ key: 's0:base:fee', amount: '10.00' }],
      reason: 'x',
      number: 1,
      now: NOW,
    });
    expect(() =>
      createCreditNote({
        invoice,
        previous: [first],
        lines: [{ key: 's0:base:fee', amount: '25.00' }],
        reason: 'y',
        number: 2,
        now: NOW,
      }),
    ).toThrow(/20\.00 is left/);
    const full = createCreditNote({ invoice, previous: [first], reason: 'rest', number: 2, now: NOW });
    // what is left: 15.00 + 20.00 = 35.00, and the tax left 9.00 − 2.00 = 7.00
    expect(full.totals).toEqual({ subtotal: '-35.00', tax: '-7.00', total: '-42.00' });
    expect(() =>
      createCreditNote({ invoice, previous: [first, full], reason: 'z', number: 3, now: NOW }),
    ).toThrow(/nothing left to credit/);
  });

  it('refuses a draft', () => {
    const draft = { ...invoice, status: 'draft' as const };
    expect(() => createCreditNote({ invoice: draft, reason: 'x', number: 1, now: NOW })).toThrow(
      CreditNoteError,
    );
  });
});
