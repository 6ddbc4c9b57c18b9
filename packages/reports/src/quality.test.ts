import { describe, expect, it } from 'vitest';
import { accuracyReport, timelinessReport } from './quality.js';
import { data, invoice } from './testing.js';

const april = { from: '2026-04-01T00:00:00Z', to: '2026-05-01T00:00:00Z' };
const period = (end: string) => ({ start: '2026-03-01T00:00:00Z', end });

describe('timelinessReport', () => {
  const asOf = '2026-05-01T06:00:00Z';
  const invoices = [
    invoice({ id: 'P1', period: period('2026-04-01T00:00:00Z'), finalizedAt: '2026-04-01T06:00:00Z' }), // 6 h
    invoice({ id: 'P2', period: period('2026-04-15T00:00:00Z'), finalizedAt: '2026-04-16T00:00:00Z' }), // 24 h
    invoice({ id: 'P3', period: period('2026-04-20T00:00:00Z'), finalizedAt: '2026-04-21T01:00:00Z' }), // 25 h
    invoice({ id: 'P4', period: period('2026-04-30T00:00:00Z'), finalizedAt: null }), // draft, 30 h by asOf
    invoice({ id: 'P5', period: period('2026-04-30T12:00:00Z'), finalizedAt: null }), // draft, 18 h by asOf
    invoice({ id: 'P6', period: period('2026-03-31T00:00:00Z'), finalizedAt: '2026-04-05T00:00:00Z' }), // closed in March
    invoice({
      id: 'O1',
      kind: 'opening',
      period: period('2026-04-10T00:00:00Z'),
      finalizedAt: '2026-03-01T00:00:00Z',
    }),
  ];

  it.each([
    ['P1', 'on-time', '6'],
    ['P2', 'on-time', '24'], // exactly N hours is on time
    ['P3', 'late', '25'],
    ['P4', 'late', '30'], // still draft 30 h after the close
    ['P5', 'pending', '18'], // still draft, but only 18 h after the close
  ])('judges %s %s (%s h)', (id, outcome, lag) => {
    const row = timelinessReport(data({ invoices }), april, asOf, 24).invoices.find(
      (i) => i.invoiceId === id,
    );
    expect([row?.outcome, row?.lagHours.toFixed()]).toEqual([outcome, lag]);
  });

  it('reports the share of invoices on time among those judged', () => {
    const r = timelinessReport(data({ invoices }), april, asOf, 24);
    // P6 closed outside the window, O1 is an opening invoice: left out.
    // on time P1, P2; late P3, P4 → 2 / 4 × 100 = 50; P5 pending
    expect([r.counted, r.onTime, r.late, r.pending, r.sharePercent?.toFixed()]).toEqual([4, 2, 2, 1, '50']);
  });

  it('is null with nothing to judge', () => {
    expect(timelinessReport(data({}), april, asOf, 24).sharePercent).toBeNull();
  });
});

describe('accuracyReport', () => {
  const asOf = '2026-05-10T00:00:00Z';
  const invoices = [
    invoice({ id: 'X1', finalizedAt: '2026-04-02T00:00:00Z' }),
    invoice({ id: 'X2', finalizedAt: '2026-04-10T00:00:00Z' }),
    invoice({ id: 'X3', finalizedAt: '2026-04-20T00:00:00Z' }),
    invoice({
      id: 'X4',
      finalizedAt: '2026-04-25T00:00:00Z',
      lines: [{ planId: 'p', amount: '1.00', adjustsInvoiceId: 'X1' }],
    }),
    invoice({ id: 'X5', finalizedAt: null }),
    invoice({ id: 'X6', finalizedAt: '2026-05-03T00:00:00Z' }),
  ];
  const creditNotes = [
    { invoiceId: 'X2', amount: '5.00', issuedAt: '2026-04-15T00:00:00Z' },
    { invoiceId: 'X2', amount: '1.00', issuedAt: '2026-04-16T00:00:00Z' },
    { invoiceId: 'X3', amount: '5.00', issuedAt: '2026-05-11T00:00:00Z' }, // after asOf
    { invoiceId: 'X6', amount: '5.00', issuedAt: '2026-05-04T00:00:00Z' }, // invoice outside the window
  ];

  it('counts invoices finalized in the window not referenced by a credit note', () => {
    const r = accuracyReport(data({ invoices, creditNotes }), april, asOf);
    // finalized in April: X1, X2, X3, X4 = 4; corrected by a credit note up to asOf: X2 = 1 → 3 / 4 × 100 = 75
    expect([r.finalized, r.corrected, r.sharePercent?.toFixed()]).toEqual([4, 1, '75']);
    expect(r.invoices.map((i) => [i.invoiceId, i.creditNotes, i.lateUsageAdjustments])).toEqual([
      ['X1', 0, 1], // adjusted by late usage on X4: listed, not a correction
      ['X2', 2, 0],
    ]);
  });
});
