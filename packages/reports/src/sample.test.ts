import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildReport } from './build.js';
import type { ReportDocument } from './document.js';
import { ReportInputSchema } from './inputs.js';

// events/reports/sample-input.json: three customers, EUR (19 % VAT) and USD (no tax), January to April 2026.
const sample = ReportInputSchema.parse(
  JSON.parse(readFileSync(new URL('../../../events/reports/sample-input.json', import.meta.url), 'utf8')),
);
const options = {
  asOf: '2026-05-01T00:00:00Z',
  window: { from: '2026-04-01T00:00:00Z', to: '2026-05-01T00:00:00Z' },
};

function rows(doc: ReportDocument, section: string, ...keys: string[]): (string | null)[][] {
  const s = doc.sections.find((x) => x.id === section);
  if (!s) throw new Error(`no section ${section}`);
  return s.rows.map((r) => keys.map((k) => r.cells[k] ?? null));
}

describe('the sample input (events/reports/sample-input.json)', () => {
  const doc = buildReport('summary', sample, options);

  it('parses with the report input schema', () => {
    expect([
      sample.invoices.length,
      sample.payments.length,
      sample.creditNotes.length,
      sample.usage.length,
    ]).toEqual([10, 5, 1, 20]);
  });

  it('ages the receivables per currency', () => {
    // EUR as of May 1 (UTC):
    //   acme Jan 1190.00, due Feb 15: 14 (Feb 15 → Mar 1) + 31 + 30 = 75 days → 61–90
    //   acme Mar 1428.00 − 428.00 paid = 1000.00, due Apr 15: 16 days → 1–30
    //   globex Dec 238.00, due Jan 15: 17 (→ Feb 1) + 28 + 31 + 30 = 106 days → over 90
    //   globex Feb 238.00, due Mar 15: 17 (→ Apr 1) + 30 = 47 days → 31–60
    //   globex Mar 357.00 − 57.00 credit note = 300.00, due Apr 16: 15 days → 1–30
    //   1–30 = 1000.00 + 300.00 = 1300.00; total 1300.00 + 238.00 + 1190.00 + 238.00 = 2966.00
    // USD (New York; May 1 00:00Z is Apr 30 20:00 there):
    //   initech Mar 920.00, due Apr 15: 15 days → 1–30; add-on 300.00 due May 12 → current; 50.00 unapplied
    expect(
      rows(
        doc,
        'aging-summary',
        'currency',
        'current',
        '1-30',
        '31-60',
        '61-90',
        '90+',
        'total',
        'unapplied',
      ),
    ).toEqual([
      ['EUR', '0.00', '1300.00', '238.00', '1190.00', '238.00', '2966.00', '0.00'],
      ['USD', '300.00', '920.00', '0.00', '0.00', '0.00', '1220.00', '50.00'],
    ]);
    expect(rows(doc, 'aging-invoices', 'invoice', 'daysPastDue', 'open')).toEqual([
      ['TB-2026-00004', '106', '238.00'],
      ['TB-2026-00001', '75', '1190.00'],
      ['TB-2026-00006', '47', '238.00'],
      ['TB-2026-00003', '16', '1000.00'],
      ['TB-2026-00007', '15', '300.00'],
      ['TB-2026-00009', '15', '920.00'],
      ['TB-2026-00010', '0', '300.00'],
    ]);
  });

  it('computes DSO and CEI for April', () => {
    // EUR: credit sales in April = acme Mar 1428.00 + globex Mar 357.00 = 1785.00; ending 2966.00
    //   DSO = 2966 / 1785 × 30 = 49.848… → 49.8
    //   B (before Apr 1) = acme Jan 1190.00 + globex Dec 238.00 + globex Feb 238.00 = 1666.00; Ecurrent = 0
    //   CEI = (1666 + 1785 − 2966) / (1666 + 1785 − 0) × 100 = 485 / 3451 × 100 = 14.05… → 14.1
    // USD: sales = 920.00 + 300.00 = 1220.00 = ending → DSO = 30.0; B = 0, Ecurrent = 300.00
    //   CEI = (0 + 1220 − 1220) / (0 + 1220 − 300) × 100 = 0.0
    expect(rows(doc, 'dso', 'currency', 'ending', 'sales', 'dso')).toEqual([
      ['EUR', '2966.00', '1785.00', '49.8'],
      ['USD', '1220.00', '1220.00', '30.0'],
    ]);
    expect(rows(doc, 'cei', 'currency', 'beginning', 'endingCurrent', 'cei')).toEqual([
      ['EUR', '1666.00', '0.00', '14.1'],
      ['USD', '0.00', '300.00', '0.0'],
    ]);
  });

  it('measures timeliness and accuracy', () => {
    // March periods closing in April: acme 5 h, initech 6 h (close Apr 1 04:00Z, finalized 10:00Z), globex 34 h
    // → 2 of 3 on time = 66.7 %. Finalized in April: acme Mar, globex Mar, initech Mar, initech add-on = 4;
    // globex Mar corrected by a credit note → 3 / 4 = 75.0 %.
    expect(rows(doc, 'timeliness', 'counted', 'onTime', 'late', 'share')).toEqual([['3', '2', '1', '66.7']]);
    expect(rows(doc, 'accuracy', 'finalized', 'corrected', 'share')).toEqual([['4', '1', '75.0']]);
  });

  it('breaks April revenue down by currency, plan and meter', () => {
    // EUR: acme 500 + 600 + 100 = 1200.00, globex 200 + 100 = 300.00 → 1500.00; credit note 57.00 → 1443.00
    // USD: initech 400 + 320 + 200 = 920.00, add-on 300.00 → 1220.00
    expect(rows(doc, 'revenue-currency', 'currency', 'invoices', 'billed', 'creditNotes', 'net')).toEqual([
      ['EUR', '2', '1500.00', '57.00', '1443.00'],
      ['USD', '2', '1220.00', '0.00', '1220.00'],
    ]);
    // pro 1200.00 / 1500.00 = 80.0 %, basic 20.0 %
    expect(rows(doc, 'revenue-plan', 'currency', 'key', 'amount', 'share')).toEqual([
      ['EUR', 'pro', '1200.00', '80.0'],
      ['EUR', 'basic', '300.00', '20.0'],
      ['EUR', 'Total', '1500.00', null],
      ['USD', 'pro', '1220.00', '100.0'],
      ['USD', 'Total', '1220.00', null],
    ]);
    // EUR fixed 500 + 200 = 700.00 and api-calls 600 + 100 = 700.00 (tie: by name); USD fixed 400 + 300 = 700.00
    expect(rows(doc, 'revenue-meter', 'currency', 'key', 'amount')).toEqual([
      ['EUR', '(fixed)', '700.00'],
      ['EUR', 'api-calls', '700.00'],
      ['EUR', 'storage-gb', '100.00'],
      ['EUR', 'Total', '1500.00'],
      ['USD', '(fixed)', '700.00'],
      ['USD', 'api-calls', '320.00'],
      ['USD', 'sms', '200.00'],
      ['USD', 'Total', '1220.00'],
    ]);
  });

  it('shows usage trends per meter across time zones', () => {
    // api-calls: Jan 400000 + 50000 + 200000 = 650000; Feb 750000 (+15.4 %: 100000 / 650000);
    // Mar 1020000 (+36.0 %: 270000 / 750000); Apr 970000 (−4.9 %: −50000 / 1020000)
    expect(rows(doc, 'usage', 'meter', 'periodStart', 'quantity', 'customers', 'change').slice(0, 4)).toEqual(
      [
        ['api-calls', '2026-01-01', '650000', '3', null],
        ['api-calls', '2026-02-01', '750000', '3', '15.4'],
        ['api-calls', '2026-03-01', '1020000', '3', '36.0'],
        ['api-calls', '2026-04-01', '970000', '3', '-4.9'],
      ],
    );
  });
});
