import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCreditNote } from '@tally/billing';
import { describe, expect, it } from 'vitest';
import { creditNoteRequest } from './credit-note.js';
import { renderHtml } from './html.js';
import { renderPdf } from './pdf.js';
import { DocumentRequestSchema } from './request.js';
import { HOSTILE, sampleInvoice, sampleInvoiceFor } from './testing.js';
import { renderText } from './text.js';
import { buildView } from './view.js';

const hasPoppler = existsSync('/usr/bin/pdftotext');

/**
 * Billing's credit note on the sample invoice: 10.00 of the 49.00 fee (partial) and all of tier 2 of the API
 * calls, 2,500 × 0.0025 = 6.25 (full). Subtotal −10.00 − 6.25 = −16.25; VAT 19 % of −16.25 = −3.0875 →
 * −3.09 (half-up); total −16.25 − 3.09 = −19.34, so 19.34 is credited.
 */
function sampleCreditNote(locale = 'en-US') {
  const invoice = sampleInvoiceFor({ locale });
  const note = createCreditNote({
    invoice,
    reason: 'Service outage 3–5 March',
    lines: [
      { key: 'base:fee', amount: '10.00' },
      { key: 'api:usage:t1', amount: '6.25' },
    ],
    number: 4,
    now: '2026-04-20T09:00:00Z',
  });
  return { invoice, note, request: creditNoteRequest(note) };
}

describe('creditNoteRequest', () => {
  it("maps billing's credit note to a request that the delivery message schema accepts", () => {
    const { request } = sampleCreditNote();
    expect(DocumentRequestSchema.parse(request)).toEqual(request);
    expect(request.creditNote).toMatchObject({
      number: 'ACME-CN-2026-000004',
      issueDate: '2026-04-20',
      amount: '19.34',
      totals: { subtotal: '-16.25', tax: '-3.09', total: '-19.34' },
    });
    expect(request.creditNote.lines?.map((l) => [l.invoiceLineKey, l.amount])).toEqual([
      ['base:fee', '-10.00'],
      ['api:usage:t1', '-6.25'],
    ]);
  });
});

describe('credit note documents', () => {
  it('lists what is credited with the quantity and unit price of a fully credited line', () => {
    const { invoice, request } = sampleCreditNote();
    const v = buildView(invoice, request);
    expect(v.linesCaption).toBe('Credited charges');
    expect(v.lines[1]).toEqual({
      description: 'API calls',
      details: ['Tier 2: above 1,000', 'Charged on invoice ACME-2026-000123: 2,500 calls × €0.0025 = €6.25'],
      quantity: '2,500 calls',
      unitPrice: '€0.0025',
      amount: '-€6.25',
    });
  });

  it('shows only the amount of a partially credited line, with what the invoice charged for it', () => {
    const { invoice, request } = sampleCreditNote();
    expect(buildView(invoice, request).lines[0]).toEqual({
      description: 'Business plan monthly fee',
      details: ['Charged on invoice ACME-2026-000123: 1 × €49.00 = €49.00', 'Partial credit'],
      quantity: '',
      unitPrice: '',
      amount: '-€10.00',
    });
  });

  it('totals the credit note: subtotal, tax on the credited base, total credited', () => {
    const { invoice, request } = sampleCreditNote();
    expect(buildView(invoice, request).totals.map((t) => [t.label, t.value, t.strong])).toEqual([
      ['Subtotal', '-€16.25', false],
      ['VAT 19 % on -€16.25', '-€3.09', false],
      ['Total credited', '-€19.34', true],
    ]);
  });

  it('refers to the original invoice by number and date among the key facts', () => {
    const { invoice, request } = sampleCreditNote();
    const facts = buildView(invoice, request).facts.map((f) => [f.label, f.value]);
    expect(facts.slice(0, 5)).toEqual([
      ['Credit note number', 'ACME-CN-2026-000004'],
      ['Invoice number', 'ACME-2026-000123'],
      ['Invoice date', 'April 1, 2026'],
      ['Credit note date', 'April 20, 2026'],
      ['Amount credited', '€19.34'],
    ]);
  });

  it('puts the credited lines and the total in the plain text and the HTML', () => {
    const { invoice, request } = sampleCreditNote();
    const v = buildView(invoice, request);
    const text = renderText(v);
    expect(text).toContain('* API calls\n');
    expect(text).toContain('    2,500 calls × €0.0025 = -€6.25\n');
    expect(text).toContain('TOTAL CREDITED: -€19.34');
    const html = renderHtml(v);
    expect(html).toContain('Credited charges</caption>');
    expect(html).toContain('Charged on invoice ACME-2026-000123: 1 × €49.00 = €49.00');
    expect(html).toContain('-€19.34');
  });

  it('keeps rendering a summary-only request (no lines): facts and intro, no table', () => {
    const v = buildView(sampleInvoice(), {
      kind: 'credit-note',
      creditNote: { number: 'CN-1', issueDate: '2026-04-20', amount: '11.90', reason: 'Goodwill' },
    });
    expect(v.lines).toEqual([]);
    expect(v.totals).toEqual([]);
    expect(v.facts[0]).toEqual({ label: 'Gutschriftnummer', value: 'CN-1' });
  });

  it('shows a line whose invoice line is unknown by its own description and amount', () => {
    const v = buildView(sampleInvoiceFor({ locale: 'en-US' }), {
      kind: 'credit-note',
      creditNote: {
        number: 'CN-2',
        issueDate: '2026-04-20',
        amount: '1.00',
        reason: 'Goodwill',
        lines: [{ invoiceLineKey: 'gone', description: 'Goodwill', amount: '-1.00' }],
      },
    });
    expect(v.lines).toEqual([
      { description: 'Goodwill', details: [], quantity: '', unitPrice: '', amount: '-€1.00' },
    ]);
  });

  it('escapes a hostile credited description in the HTML', () => {
    const v = buildView(sampleInvoice(), {
      kind: 'credit-note',
      creditNote: {
        number: 'CN-3',
        issueDate: '2026-04-20',
        amount: '1.00',
        reason: 'x',
        lines: [{ invoiceLineKey: 'base:fee', description: HOSTILE.description, amount: '-1.00' }],
      },
    });
    const html = renderHtml(v);
    expect(html).not.toMatch(/<img|\u202E/);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it.skipIf(!hasPoppler)('prints the credited lines and totals in the PDF (pdftotext)', async () => {
    const { invoice, request } = sampleCreditNote('de-DE');
    const pdf = await renderPdf(buildView(invoice, request));
    const file = join(mkdtempSync(join(tmpdir(), 'tally-cn-')), 'cn.pdf');
    writeFileSync(file, pdf.bytes);
    // read in drawing order, whitespace collapsed: the details wrap in their column
    const text = execFileSync('/usr/bin/pdftotext', [file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    for (const s of [
      'Gutschrift',
      'ACME-CN-2026-000004',
      'Gutgeschriebene Positionen',
      'Business plan monthly fee',
      'Teilgutschrift',
      'Berechnet mit Rechnung ACME-2026-000123: 2.500 calls × 0,0025 € = 6,25 €',
      '-6,25 €',
      '-3,09 €',
      'Gutschrift gesamt',
      '-19,34 €',
      'Gutschriftsdatum',
    ]) {
      expect(text).toContain(s);
    }
  });
});
