import { Decimal } from '@tally/money';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { revenueReport } from './revenue.js';
import { data, invoice } from './testing.js';

const april = { from: '2026-04-01T00:00:00Z', to: '2026-05-01T00:00:00Z' };
const asOf = '2026-05-10T00:00:00Z';

describe('revenueReport', () => {
  const invoices = [
    invoice({
      id: 'R1',
      finalizedAt: '2026-04-02T00:00:00Z',
      lines: [
        { planId: 'pro', meterId: 'api-calls', amount: '120.00' },
        { planId: 'pro', amount: '50.00' },
        { planId: 'pro', kind: 'discount', amount: '-17.00' },
      ],
    }),
    invoice({
      id: 'R2',
      finalizedAt: '2026-04-03T00:00:00Z',
      lines: [
        { planId: 'basic', meterId: 'storage', amount: '30.50' },
        { planId: 'basic', amount: '10.00' },
      ],
    }),
    invoice({
      id: 'R3',
      currency: 'USD',
      finalizedAt: '2026-04-04T00:00:00Z',
      lines: [{ planId: 'pro', meterId: 'api-calls', amount: '99.99' }],
    }),
    invoice({
      id: 'R4',
      finalizedAt: '2026-04-05T00:00:00Z',
      voidedAt: '2026-04-06T00:00:00Z',
      status: 'void',
      lines: [{ planId: 'pro', amount: '1000.00' }],
    }),
    invoice({ id: 'R5', finalizedAt: '2026-05-02T00:00:00Z', lines: [{ planId: 'pro', amount: '1000.00' }] }),
    invoice({ id: 'R6', finalizedAt: null, lines: [{ planId: 'pro', amount: '1000.00' }] }),
  ];
  const creditNotes = [{ invoiceId: 'R2', amount: '5.00', issuedAt: '2026-04-20T00:00:00Z' }];

  it('breaks revenue down by plan and meter per currency', () => {
    const r = revenueReport(data({ invoices, creditNotes }), april, asOf);
    const eur = r.currencies.find((c) => c.currency === 'EUR')!;
    // R1 120.00 + 50.00 − 17.00 = 153.00; R2 30.50 + 10.00 = 40.50; total 193.50 (R4 void, R5 May, R6 draft)
    expect([eur.total.toFixed(2), eur.invoices, eur.creditNotes.toFixed(2)]).toEqual(['193.50', 2, '5.00']);
    expect(eur.byPlan.map((e) => [e.key, e.amount.toFixed(2)])).toEqual([
      ['pro', '153.00'],
      ['basic', '40.50'],
    ]);
    // api-calls 120.00; fixed 50.00 + 10.00 = 60.00; storage 30.50; discount −17.00 (Σ = 193.50)
    expect(eur.byMeter.map((e) => [e.key, e.amount.toFixed(2)])).toEqual([
      ['api-calls', '120.00'],
      ['(fixed)', '60.00'],
      ['storage', '30.50'],
      ['(discount)', '-17.00'],
    ]);
    const usd = r.currencies.find((c) => c.currency === 'USD')!;
    expect([usd.total.toFixed(2), usd.byPlan.map((e) => e.key)]).toEqual(['99.99', ['pro']]);
  });

  it('sums by plan and by meter to the revenue of the currency (property)', () => {
    const amount = fc
      .integer({ min: -100_000, max: 1_000_000 })
      .map((n) => new Decimal(n).div(100).toFixed(2));
    const lineArb = fc.record({
      planId: fc.constantFrom('a', 'b', 'c'),
      meterId: fc.option(fc.constantFrom('m1', 'm2'), { nil: undefined }),
      amount,
    });
    const invoiceArb = fc.record({
      currency: fc.constantFrom('EUR', 'USD', 'JPY'),
      lines: fc.array(lineArb, { maxLength: 6 }),
    });
    fc.assert(
      fc.property(fc.array(invoiceArb, { maxLength: 8 }), (specs) => {
        const all = specs.map((s, i) =>
          invoice({
            id: `i${i}`,
            currency: s.currency,
            finalizedAt: '2026-04-10T00:00:00Z',
            lines: s.lines.map((l) => ({
              planId: l.planId,
              amount: s.currency === 'JPY' ? new Decimal(l.amount).round().toFixed() : l.amount,
              ...(l.meterId ? { meterId: l.meterId } : {}),
            })),
          }),
        );
        const r = revenueReport(data({ invoices: all }), april, asOf);
        for (const c of r.currencies) {
          const byPlan = c.byPlan.reduce((a, e) => a.plus(e.amount), new Decimal(0));
          const byMeter = c.byMeter.reduce((a, e) => a.plus(e.amount), new Decimal(0));
          // reference: Σ of the subtotals of this currency's invoices
          const subtotals = all
            .filter((i) => i.currency === c.currency)
            .reduce((a, i) => a.plus(i.totals.subtotal), new Decimal(0));
          expect([byPlan.eq(c.total), byMeter.eq(c.total), c.total.eq(subtotals)]).toEqual([
            true,
            true,
            true,
          ]);
        }
      }),
    );
  });
});
