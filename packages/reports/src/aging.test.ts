import { Decimal } from '@tally/money';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AGING_BUCKETS, type AgingBucket, agingBucket, agingReport, sumBuckets } from './aging.js';
import { ReportInputError } from './errors.js';
import { data, invoice, payment } from './testing.js';

const due = (asOf: string, over: Parameters<typeof invoice>[0] = { id: 'i1' }) =>
  agingReport(
    data({
      invoices: [
        invoice({ amountDue: '100.00', finalizedAt: '2026-03-17T00:00:00Z', dueDate: '2026-03-31', ...over }),
      ],
    }),
    asOf,
  );

function bucketsOf(report: ReturnType<typeof agingReport>, currency = 'EUR'): Record<string, string> {
  const c = report.currencies.find((x) => x.currency === currency);
  if (!c) return {};
  return Object.fromEntries(AGING_BUCKETS.map((b) => [b, c.buckets[b].toFixed(2)]));
}

describe('agingBucket', () => {
  it.each<[number, AgingBucket]>([
    [-5, 'current'],
    [0, 'current'],
    [1, '1-30'],
    [30, '1-30'],
    [31, '31-60'],
    [60, '31-60'],
    [61, '61-90'],
    [90, '61-90'],
    [91, '90+'],
    [400, '90+'],
  ])('puts %i days past due in %s', (days, bucket) => {
    expect(agingBucket(days)).toBe(bucket);
  });
});

describe('agingReport: days past due', () => {
  // Due 2026-03-31. March has 31 days, April 30, May 31, June 30.
  it.each([
    ['2026-03-20T00:00:00Z', 0, 'current'], // before the due date
    ['2026-03-31T23:59:59Z', 0, 'current'], // due today is not late
    ['2026-04-01T00:00:00Z', 1, '1-30'],
    ['2026-04-30T12:00:00Z', 30, '1-30'], // Mar 31 + 30 days = Apr 30
    ['2026-05-01T00:00:00Z', 31, '31-60'],
    ['2026-05-30T00:00:00Z', 60, '31-60'], // Apr 30 + 30 = May 30
    ['2026-05-31T00:00:00Z', 61, '61-90'],
    ['2026-06-29T00:00:00Z', 90, '61-90'], // May 30 + 30 = Jun 29
    ['2026-06-30T00:00:00Z', 91, '90+'],
  ])('as of %s the invoice is %i days past due (%s)', (asOf, days, bucket) => {
    const report = due(asOf);
    const [row] = report.currencies[0]!.invoices;
    expect(row).toMatchObject({ daysPastDue: days, bucket });
    expect(bucketsOf(report)[bucket]).toBe('100.00');
  });

  it("counts days in the customer's time zone", () => {
    // 2026-04-01T03:00Z is 2026-03-31 23:00 in New York (EDT, UTC−4): still the due date, so current.
    const ny = due('2026-04-01T03:00:00Z', { id: 'i1', timeZone: 'America/New_York' });
    expect(ny.currencies[0]!.invoices[0]).toMatchObject({ daysPastDue: 0, bucket: 'current' });
    // The same instant is already 2026-04-01 in UTC: 1 day late.
    const utc = due('2026-04-01T03:00:00Z', { id: 'i1', timeZone: 'UTC' });
    expect(utc.currencies[0]!.invoices[0]).toMatchObject({ daysPastDue: 1, bucket: '1-30' });
  });
});

describe('agingReport: open amounts', () => {
  const asOf = '2026-04-20T00:00:00Z'; // 20 days after the due date 2026-03-31 → bucket 1-30
  it.each([
    ['nothing paid', [], [], '100.00'],
    // 100.00 − 30.00 (the 50.00 comes after asOf and does not count)
    [
      'a partial payment before asOf',
      [
        payment({ invoiceId: 'i1', amount: '30.00', receivedAt: '2026-04-10T00:00:00Z' }),
        payment({ invoiceId: 'i1', amount: '50.00', receivedAt: '2026-04-21T00:00:00Z' }),
      ],
      [],
      '70.00',
    ],
    // 100.00 − 30.00 + 10.00 (refund) − 25.00 (credit note) = 55.00
    [
      'payment, refund and credit note',
      [
        payment({ invoiceId: 'i1', amount: '30.00', receivedAt: '2026-04-10T00:00:00Z' }),
        payment({ invoiceId: 'i1', amount: '10.00', receivedAt: '2026-04-11T00:00:00Z', kind: 'refund' }),
      ],
      [{ invoiceId: 'i1', amount: '25.00', issuedAt: '2026-04-12T00:00:00Z' }],
      '55.00',
    ],
    // a payment at exactly asOf counts: 100.00 − 100.00 = 0, so the invoice drops out
    ['a full payment at asOf', [payment({ invoiceId: 'i1', amount: '100.00', receivedAt: asOf })], [], null],
    // 100.00 − 150.00 would be −50.00: an overpayment is not a negative receivable
    [
      'an overpayment',
      [payment({ invoiceId: 'i1', amount: '150.00', receivedAt: '2026-04-10T00:00:00Z' })],
      [],
      null,
    ],
  ])('with %s the open amount is %s', (_, payments, creditNotes, open) => {
    const report = agingReport(
      data({
        invoices: [invoice({ id: 'i1', amountDue: '100.00', dueDate: '2026-03-31' })],
        payments,
        creditNotes,
      }),
      asOf,
    );
    const row = report.currencies[0]?.invoices[0];
    expect(row?.open.toFixed(2) ?? null).toBe(open);
    if (open !== null) expect(bucketsOf(report)['1-30']).toBe(open);
  });

  it.each([
    ['a draft', { finalizedAt: null }],
    ['an invoice finalized after asOf', { finalizedAt: '2026-04-21T00:00:00Z' }],
    ['an invoice paid before asOf', { status: 'paid' as const, paidAt: '2026-04-05T00:00:00Z' }],
    ['a void invoice', { status: 'void' as const, voidedAt: '2026-04-05T00:00:00Z' }],
  ])('leaves out %s', (_, over) => {
    const report = due(asOf, { id: 'i1', ...over });
    expect(report.currencies).toEqual([]);
  });

  it('keeps an invoice paid after asOf open as of asOf', () => {
    const report = due(asOf, { id: 'i1', status: 'paid', paidAt: '2026-04-25T00:00:00Z' });
    expect(bucketsOf(report)['1-30']).toBe('100.00');
  });

  it('never adds amounts of different currencies', () => {
    const report = agingReport(
      data({
        invoices: [
          invoice({ id: 'e1', amountDue: '100.00', dueDate: '2026-04-30' }),
          invoice({ id: 'u1', currency: 'USD', amountDue: '50.00', dueDate: '2026-02-28' }),
          invoice({ id: 'j1', currency: 'JPY', amountDue: '7000', dueDate: '2025-12-01' }),
        ],
        payments: [payment({ amount: '40.00', currency: 'USD', receivedAt: '2026-04-01T00:00:00Z' })],
      }),
      asOf,
    );
    // EUR due Apr 30: current. USD due Feb 28: Feb 28 → Apr 20 = 51 days. JPY due Dec 1: 31 + 31 + 28 + 31 + 19 = 140 days.
    expect(report.currencies.map((c) => [c.currency, c.total.toFixed(), c.unapplied.toFixed()])).toEqual([
      ['EUR', '100', '0'],
      ['JPY', '7000', '0'],
      ['USD', '50', '40'],
    ]);
    expect(bucketsOf(report, 'USD')['31-60']).toBe('50.00');
    expect(bucketsOf(report, 'JPY')['90+']).toBe('7000.00');
  });

  it('groups by customer, largest balance first', () => {
    const report = agingReport(
      data({
        invoices: [
          invoice({ id: 'a1', customerId: 'a', amountDue: '10.00', dueDate: '2026-04-19' }),
          invoice({ id: 'b1', customerId: 'b', amountDue: '20.00', dueDate: '2026-03-01' }),
          invoice({ id: 'b2', customerId: 'b', amountDue: '5.00', dueDate: '2026-04-25' }),
        ],
      }),
      asOf,
    );
    // b: 20.00 (50 days: Mar 1 → Apr 20) + 5.00 current = 25.00; a: 10.00 (1 day)
    expect(
      report.currencies[0]!.customers.map((c) => [
        c.customerId,
        c.total.toFixed(2),
        c.buckets['31-60'].toFixed(2),
      ]),
    ).toEqual([
      ['b', '25.00', '20.00'],
      ['a', '10.00', '0.00'],
    ]);
  });

  it('fails when a payment is in another currency than its invoice', () => {
    expect(() =>
      agingReport(
        data({
          invoices: [invoice({ id: 'i1', amountDue: '100.00' })],
          payments: [payment({ invoiceId: 'i1', amount: '1.00', currency: 'USD', receivedAt: asOf })],
        }),
        asOf,
      ),
    ).toThrow(ReportInputError);
  });

  it('fails when a payment names an unknown invoice', () => {
    expect(() =>
      agingReport(
        data({ payments: [payment({ invoiceId: 'nope', amount: '1.00', receivedAt: asOf })] }),
        asOf,
      ),
    ).toThrow(/invoice nope, which is not in the input/);
  });
});

describe('agingReport: properties', () => {
  const cents = fc.integer({ min: 0, max: 1_000_000 }).map((n) => new Decimal(n).div(100).toFixed(2));
  const day = fc.integer({ min: 0, max: 200 });
  const base = Date.parse('2026-01-01T00:00:00Z');
  const dateOf = (d: number) => new Date(base + d * 86_400_000).toISOString().slice(0, 10);
  const instantOf = (d: number) => new Date(base + d * 86_400_000).toISOString();

  const scenario = fc.record({
    invoices: fc.array(
      fc.record({
        amount: cents,
        due: day,
        currency: fc.constantFrom('EUR', 'USD'),
        customer: fc.constantFrom('a', 'b'),
      }),
      { maxLength: 12 },
    ),
    payments: fc.array(fc.record({ index: fc.nat(), amount: cents, at: day, refund: fc.boolean() }), {
      maxLength: 12,
    }),
    asOf: day,
  });

  it('partitions the open balance exactly: Σ buckets = Σ open amounts, every invoice in one bucket', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const invoices = s.invoices.map((x, i) =>
          invoice({
            id: `i${i}`,
            currency: x.currency,
            customerId: x.customer,
            amountDue: x.amount,
            finalizedAt: '2025-12-31T00:00:00Z',
            dueDate: dateOf(x.due),
          }),
        );
        const payments = invoices.length
          ? s.payments.map((p) => {
              const target = invoices[p.index % invoices.length]!;
              return payment({
                invoiceId: target.id,
                currency: target.currency,
                amount: p.amount,
                receivedAt: instantOf(p.at),
                kind: p.refund ? 'refund' : 'payment',
              });
            })
          : [];
        const report = agingReport(data({ invoices, payments }), instantOf(s.asOf));
        for (const c of report.currencies) {
          const openSum = c.invoices.reduce((a, i) => a.plus(i.open), new Decimal(0));
          expect(sumBuckets(c.buckets).eq(openSum)).toBe(true);
          expect(c.total.eq(openSum)).toBe(true);
          const customers = c.customers.reduce((a, x) => a.plus(x.total), new Decimal(0));
          expect(customers.eq(openSum)).toBe(true);
          for (const b of AGING_BUCKETS) {
            const inBucket = c.invoices
              .filter((i) => i.bucket === b)
              .reduce((a, i) => a.plus(i.open), new Decimal(0));
            expect(inBucket.eq(c.buckets[b])).toBe(true);
          }
          // independent reference: clamp(amountDue − payments + refunds up to asOf, 0, amountDue), per invoice
          const asOfMs = Date.parse(instantOf(s.asOf));
          const expected = invoices
            .filter((i) => i.currency === c.currency)
            .map((i) => {
              let open = new Decimal(i.totals.amountDue);
              for (const p of payments) {
                if (p.invoiceId !== i.id || Date.parse(p.receivedAt) > asOfMs) continue;
                open = p.kind === 'payment' ? open.minus(p.amount) : open.plus(p.amount);
              }
              return Decimal.min(i.totals.amountDue, Decimal.max(0, open));
            })
            .reduce((a, b) => a.plus(b), new Decimal(0));
          expect(c.total.eq(expected)).toBe(true);
        }
      }),
    );
  });
});
