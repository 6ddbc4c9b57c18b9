import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type AppendixQuery, type AppendixSource, appendixSpecOf, loadAppendix } from './appendix.js';
import { renderAppendixCsv } from './csv.js';
import { renderPdf } from './pdf.js';
import { renderDocument } from './render.js';
import type { CallRecord, IntervalRecord } from './request.js';
import { HOSTILE, sampleInvoice, sampleInvoiceFor } from './testing.js';
import { buildView } from './view.js';

const hasPoppler = existsSync('/usr/bin/pdftotext');

function calls(n: number): CallRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    at: new Date(Date.UTC(2026, 2, 1, 8, i)).toISOString(),
    destination: `4930${100000 + i}`,
    durationSeconds: 60 + i,
  }));
}

/** A source that records its queries and holds `n` calls and 3 readings. */
function fakeSource(n: number) {
  const queries: AppendixQuery[] = [];
  const source: AppendixSource = {
    async callRecords(q) {
      queries.push(q);
      return { records: calls(n).slice(0, q.limit), total: n };
    },
    async intervals(q) {
      queries.push(q);
      const start = Date.parse('2026-03-01T00:00:00Z');
      const records: IntervalRecord[] = [0, 1, 2].map((i) => ({
        start: new Date(start + i * q.intervalMinutes * 60_000).toISOString(),
        end: new Date(start + (i + 1) * q.intervalMinutes * 60_000).toISOString(),
        quantity: '0.25',
      }));
      return { records, total: 3, unit: 'kWh' };
    },
  };
  return { source, queries };
}

describe('appendixSpecOf', () => {
  it.each([
    ['no terms', {}, null],
    ['no appendix', { terms: { interval: 'month' } }, null],
    [
      'calls',
      { terms: { appendix: { type: 'calls', meterId: 'calls' } } },
      { type: 'calls', meterId: 'calls' },
    ],
    [
      'intervals with the default 15 minutes',
      { terms: { appendix: { type: 'intervals', meterId: 'energy' } } },
      { type: 'intervals', meterId: 'energy', intervalMinutes: 15 },
    ],
  ])('reads %s', (_, plan, spec) => {
    expect(appendixSpecOf(plan)).toEqual(spec === null ? null : { spec });
  });

  it('reports an invalid request instead of throwing', () => {
    expect(appendixSpecOf({ terms: { appendix: { type: 'faxes', meterId: 'x' } } })).toMatchObject({
      error: expect.stringContaining('type'),
    });
  });
});

describe('loadAppendix', () => {
  it("asks the source for the invoice customer's calls of the invoice period, at most `limit`", async () => {
    const { source, queries } = fakeSource(10);
    const inv = sampleInvoice();
    const a = await loadAppendix(source, { type: 'calls', meterId: 'calls' }, inv, 4);
    expect(queries).toEqual([{ customerId: 'cus-7', meterId: 'calls', period: inv.period, limit: 4 }]);
    expect(a).toMatchObject({ type: 'calls', total: 10 });
    expect(a.records).toHaveLength(4);
  });

  it('passes the interval length and keeps the meter and its unit', async () => {
    const { source, queries } = fakeSource(0);
    const a = await loadAppendix(
      source,
      { type: 'intervals', meterId: 'energy', intervalMinutes: 30 },
      sampleInvoice(),
    );
    expect(queries[0]).toMatchObject({ meterId: 'energy', intervalMinutes: 30 });
    expect(a).toMatchObject({ type: 'intervals', meterId: 'energy', unit: 'kWh', total: 3 });
    expect(a.records[1]).toEqual({
      start: '2026-03-01T00:30:00.000Z',
      end: '2026-03-01T01:00:00.000Z',
      quantity: '0.25',
    });
  });
});

describe('the appendix in the document', () => {
  it('says how many records were left out when the rows were cut', () => {
    const v = buildView(
      sampleInvoiceFor({ locale: 'en-US' }),
      { kind: 'invoice' },
      {
        appendix: { type: 'calls', records: calls(3), total: 12_345 },
      },
    );
    expect(v.appendix?.summary).toBe(
      'The first 3 of 12,345 records are listed; the complete list is available on request.',
    );
  });

  it('counts the records when none were cut', () => {
    const v = buildView(
      sampleInvoiceFor({ locale: 'en-US' }),
      { kind: 'invoice' },
      {
        appendix: { type: 'calls', records: calls(3), total: 3 },
      },
    );
    expect(v.appendix?.summary).toBe('3 records');
  });

  it('leaves out the amount column when no call has an amount, also in the CSV', () => {
    const v = buildView(
      sampleInvoiceFor({ locale: 'en-US' }),
      { kind: 'invoice' },
      {
        appendix: { type: 'calls', records: calls(1) },
      },
    );
    expect(v.appendix?.headers).toEqual(['Time', 'Destination', 'Duration (s)']);
    // 08:00 UTC on 1 March is 09:00 in Berlin (CET); 60 s
    expect(v.appendix?.rows).toEqual([[expect.stringContaining('9:00'), '4930100000', '60']]);
    expect(renderAppendixCsv(v.appendix!)).toBe(
      '\uFEFFTime,Destination,Duration (s)\r\n2026-03-01T08:00:00.000Z,4930100000,60\r\n',
    );
  });

  it('attaches the appendix to a reminder, whose PDF is the invoice again', async () => {
    const doc = await renderDocument(
      sampleInvoice(),
      { kind: 'reminder', asOf: '2026-04-25' },
      {
        appendix: { type: 'calls', records: calls(2), total: 2 },
        pdf: { unicodeFont: null },
      },
    );
    expect(doc.attachments.map((a) => a.filename)).toEqual([
      'invoice-ACME-2026-000123.pdf',
      'invoice-ACME-2026-000123-items.csv',
    ]);
  });

  it.skipIf(!hasPoppler)('prints the call records and the cut note in the PDF (pdftotext)', async () => {
    const records = [...calls(120), { ...calls(1)[0]!, destination: HOSTILE.description }];
    const v = buildView(
      sampleInvoice(),
      { kind: 'invoice' },
      {
        appendix: { type: 'calls', records, total: 9_000 },
      },
    );
    const pdf = await renderPdf(v);
    const file = join(mkdtempSync(join(tmpdir(), 'tally-appendix-')), 'a.pdf');
    writeFileSync(file, pdf.bytes);
    const layout = execFileSync('/usr/bin/pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    const text = layout.replace(/\s+/g, ' ');
    // 121 rows at 60 a page after the heading: 3 appendix pages after the invoice page
    expect(pdf.pages).toBe(4);
    expect(text).toContain('die ersten 121 von 9.000 Einträgen');
    expect(text).toContain('4930100000');
    expect(text).toContain('4930100119');
    // the hostile destination is cut to its column with an ellipsis, never spilling into the next one
    expect(layout).toMatch(/=HYPERLINK\("http:\/\/evil\.[^\n]*…/);
    expect(text).toContain(`Seite 4 von 4`);
  });
});
