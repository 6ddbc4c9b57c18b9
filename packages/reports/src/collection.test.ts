import { describe, expect, it } from 'vitest';
import { ceiReport, dsoReport, receivablesFlow } from './collection.js';
import { data, invoice, payment } from './testing.js';

// March 2026: [03-01, 04-01), 31 days.
const march = { from: '2026-03-01T00:00:00Z', to: '2026-04-01T00:00:00Z' };

const book = data({
  invoices: [
    // A: open at the start (finalized in February), paid in full in March
    invoice({ id: 'A', amountDue: '1000.00', finalizedAt: '2026-02-05T00:00:00Z', dueDate: '2026-03-07' }),
    // B: sold in March, 4000.00 of 6000.00 collected, past due at the end (due Mar 19 < Mar 31)
    invoice({ id: 'B', amountDue: '6000.00', finalizedAt: '2026-03-05T00:00:00Z', dueDate: '2026-03-19' }),
    // C: sold in March, not yet due at the end (due Apr 3)
    invoice({ id: 'C', amountDue: '3000.00', finalizedAt: '2026-03-20T00:00:00Z', dueDate: '2026-04-03' }),
    // D: sold after the window: in nothing
    invoice({ id: 'D', amountDue: '500.00', finalizedAt: '2026-04-02T00:00:00Z', dueDate: '2026-04-16' }),
    // V: sold and voided in March: not a credit sale, not a receivable
    invoice({
      id: 'V',
      amountDue: '700.00',
      finalizedAt: '2026-03-03T00:00:00Z',
      voidedAt: '2026-03-04T00:00:00Z',
    }),
    // U: a USD sale, unpaid and not yet due
    invoice({
      id: 'U',
      currency: 'USD',
      amountDue: '200.00',
      finalizedAt: '2026-03-10T00:00:00Z',
      dueDate: '2026-04-09',
    }),
  ],
  payments: [
    payment({ invoiceId: 'A', amount: '1000.00', receivedAt: '2026-03-10T00:00:00Z' }),
    payment({ invoiceId: 'B', amount: '4000.00', receivedAt: '2026-03-25T00:00:00Z' }),
  ],
});

describe('receivablesFlow', () => {
  it('takes beginning and ending receivables, credit sales and current receivables per currency', () => {
    // EUR: beginning = A 1000.00; sales = B 6000.00 + C 3000.00 = 9000.00;
    // ending = B (6000.00 − 4000.00) + C 3000.00 = 5000.00; ending current = C 3000.00.
    // USD: 0 / 200.00 / 200.00 / 200.00.
    expect(
      receivablesFlow(book, march).map((f) => [
        f.currency,
        f.beginningReceivables.toFixed(2),
        f.creditSales.toFixed(2),
        f.endingReceivables.toFixed(2),
        f.endingCurrentReceivables.toFixed(2),
      ]),
    ).toEqual([
      ['EUR', '1000.00', '9000.00', '5000.00', '3000.00'],
      ['USD', '0.00', '200.00', '200.00', '200.00'],
    ]);
  });
});

describe('dsoReport', () => {
  it('divides ending receivables by credit sales times the days of the window', () => {
    const rows = dsoReport(book, march).rows;
    // EUR: 5000 / 9000 × 31 = 155000 / 9000 = 17.2222…  USD: 200 / 200 × 31 = 31
    expect(rows.map((r) => [r.currency, r.days.toFixed(), r.dso?.toFixed(4)])).toEqual([
      ['EUR', '31', '17.2222'],
      ['USD', '31', '31.0000'],
    ]);
  });

  it('is undefined (null) without credit sales', () => {
    // April: A, B, C are receivables but only D (500.00) was sold; in May nothing was sold.
    const may = dsoReport(book, { from: '2026-05-01T00:00:00Z', to: '2026-06-01T00:00:00Z' });
    expect(may.rows.find((r) => r.currency === 'EUR')?.dso).toBeNull();
  });
});

describe('ceiReport', () => {
  it('compares what was collected with what was collectable', () => {
    const rows = ceiReport(book, march).rows;
    // EUR: (1000 + 9000 − 5000) / (1000 + 9000 − 3000) × 100 = 5000 / 7000 × 100 = 71.4285714…
    // USD: (0 + 200 − 200) / (0 + 200 − 200): the denominator is 0, so null.
    expect(rows.map((r) => [r.currency, r.cei?.toFixed(4) ?? null])).toEqual([
      ['EUR', '71.4286'],
      ['USD', null],
    ]);
  });

  it('is 100 when everything collectable was collected', () => {
    // Only A: 1000.00 open at the start, paid in March → (1000 + 0 − 0) / (1000 + 0 − 0) × 100 = 100
    const onlyA = data({ invoices: [book.invoices[0]!], payments: [book.payments[0]!] });
    expect(ceiReport(onlyA, march).rows[0]!.cei?.toFixed()).toBe('100');
  });
});
