import { describe, expect, it } from 'vitest';
import { renderAppendixCsv } from './csv.js';
import { DocumentInputError } from './errors.js';
import { renderHtml } from './html.js';
import { LANGUAGES } from './messages.js';
import { DOCUMENT_KINDS, type DocumentKind, type DocumentRequest } from './request.js';
import { HOSTILE, sampleInvoice, sampleInvoiceFor } from './testing.js';
import { renderText } from './text.js';
import { buildView } from './view.js';

const LOCALE = { en: 'en-US', de: 'de-DE', fr: 'fr-FR', ja: 'ja-JP' } as const;

function requestFor(kind: DocumentKind): DocumentRequest {
  switch (kind) {
    case 'invoice':
      return { kind };
    case 'credit-note':
      return {
        kind,
        creditNote: {
          number: 'CN-2026-000004',
          issueDate: '2026-04-20',
          amount: '11.90',
          reason: 'Service outage',
        },
      };
    case 'receipt':
      return { kind, payment: { amount: '59.44', paidAt: '2026-04-10T09:30:00Z', reference: 'pay_123' } };
    case 'reminder':
      return { kind, asOf: '2026-04-25' };
    case 'final-notice':
      return { kind, asOf: '2026-05-05', suspendOn: '2026-05-12' };
    case 'suspended':
    case 'restored':
      return { kind, effectiveAt: '2026-05-12T08:00:00Z' };
  }
}

describe('buildView: the invoice', () => {
  it.each([
    ['en-US', 'Invoice ACME-2026-000123 from ACME Billing Ltd: €59.44 due April 15, 2026'],
    // Subjects are one line: the NBSP Intl puts before € becomes a plain space.
    ['de-DE', 'Rechnung ACME-2026-000123 von ACME Billing Ltd: 59,44 € fällig am 15. April 2026'],
    ['fr-FR', 'Facture ACME-2026-000123 de ACME Billing Ltd : 59,44 € à régler avant le 15 avril 2026'],
    ['ja-JP', 'ACME Billing Ltdより請求書 ACME-2026-000123 のご案内（€59.44、お支払期限 2026年4月15日）'],
  ])('writes the %s subject with number, amount due and due date', (locale, subject) => {
    expect(buildView(sampleInvoiceFor({ locale }), { kind: 'invoice' }).subject).toBe(subject);
  });

  it('lists charges, discounts, subtotal, tax, total and amount due that add up', () => {
    // 55.50 − 5.55 = 49.95; 49.95 + 9.49 = 59.44
    const v = buildView(sampleInvoiceFor({ locale: 'en-US' }), { kind: 'invoice' });
    expect(v.totals.map((t) => [t.label, t.value])).toEqual([
      ['Charges', '€55.50'],
      ['Discounts', '-€5.55'],
      ['Subtotal', '€49.95'],
      ['VAT 19 % on €49.95', '€9.49'],
      ['Total', '€59.44'],
      ['Amount due', '€59.44'],
    ]);
  });

  it('explains each line: tiers, unit prices with their decimals, late-usage adjustments, coupons', () => {
    const v = buildView(sampleInvoiceFor({ locale: 'en-US' }), { kind: 'invoice' });
    expect(v.lines).toHaveLength(5);
    expect(v.lines[2]).toEqual({
      description: 'API calls',
      details: ['Tier 2: above 1,000'],
      quantity: '2,500 calls',
      unitPrice: '€0.0025',
      amount: '€6.25',
    });
    expect(v.lines[3]?.details).toEqual([
      'Late usage for February 1\u2009–\u200928, 2026 (corrects invoice ACME-2026-000077)',
    ]);
    expect(v.lines[4]).toMatchObject({ quantity: '', amount: '-€5.55', details: ['Coupon WELCOME10: 10%'] });
  });

  it('states nothing is due instead of a due amount when the amount due is zero', () => {
    const inv = sampleInvoice();
    const v = buildView({ ...inv, totals: { ...inv.totals, amountDue: '0.00' } }, { kind: 'invoice' });
    expect(v.subject).toBe('Rechnung ACME-2026-000123 von ACME Billing Ltd');
    expect(v.payment?.lines).toEqual(['Es ist nichts zu zahlen.']);
  });

  it('prints the tax exemption reason and no tax row', () => {
    const inv = sampleInvoiceFor({ locale: 'en-US' });
    const v = buildView(
      { ...inv, tax: { ...inv.tax, lines: [], exemption: { reason: 'Reverse charge' } } },
      { kind: 'invoice' },
    );
    expect(v.notes[0]).toBe('No tax charged: Reverse charge');
    expect(v.totals.some((t) => t.label.startsWith('VAT'))).toBe(false);
  });

  it('refuses a draft: only finalized invoices have a number and dates', () => {
    const draft = sampleInvoice({ status: 'draft', number: null, issueDate: null, dueDate: null });
    expect(() => buildView(draft, { kind: 'invoice' })).toThrow(DocumentInputError);
  });

  it('counts days overdue from the due date to the as-of date', () => {
    // due 2026-04-15, as of 2026-04-25 → 10 days
    const v = buildView(sampleInvoiceFor({ locale: 'en-US' }), { kind: 'reminder', asOf: '2026-04-25' });
    expect(v.subject).toBe('Reminder: invoice ACME-2026-000123 is overdue');
    expect(v.intro).toContain('is now 10 days overdue');
  });

  it('falls back to English templates for a language without templates, keeping its number format', () => {
    const v = buildView(sampleInvoiceFor({ locale: 'nl-NL' }), { kind: 'invoice' });
    expect(v.title).toBe('Invoice');
    expect(v.subject).toContain('€ 59,44');
  });
});

describe.each(LANGUAGES)('every kind of mail in %s', (lang) => {
  it.each(DOCUMENT_KINDS)('renders %s with the invoice number in both bodies', (kind) => {
    const v = buildView(sampleInvoiceFor({ locale: LOCALE[lang] }), requestFor(kind), {
      deliveryRef: 'dlv-1',
    });
    const text = renderText(v);
    const html = renderHtml(v);
    expect(v.subject.length).toBeGreaterThan(10);
    for (const body of [text, html]) {
      expect(body).toContain('ACME-2026-000123');
      expect(body).toContain('dlv-1');
    }
    if (kind === 'credit-note') expect(text).toContain('CN-2026-000004');
    expect(html).toContain(`lang="${LOCALE[lang]}"`);
  });
});

describe('hostile customer strings', () => {
  const inv = sampleInvoice({
    customer: {
      ...sampleInvoice().customer,
      legalName: HOSTILE.name,
      address: { lines: [HOSTILE.address], city: 'X', country: 'DE' },
    },
  });
  const hostile = { ...inv, lines: inv.lines.map((l) => ({ ...l, description: HOSTILE.description })) };
  const v = buildView(
    hostile,
    { kind: 'invoice' },
    {
      appendix: {
        type: 'calls',
        records: [
          {
            at: '2026-03-02T10:00:00Z',
            destination: HOSTILE.description,
            durationSeconds: 61,
            amount: '0.12',
          },
        ],
      },
    },
  );

  it('escapes names and descriptions in the HTML: no tag, handler or bidi override survives', () => {
    const html = renderHtml(v);
    // "onerror=" may appear, but only as text inside an escaped "&lt;img": never as an attribute.
    expect(html).not.toMatch(/<script|<img|\u202E/);
    expect(html).toContain('Evil &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Co&quot;');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('keeps the subject and the plain text free of CR and bidi controls', () => {
    expect(v.subject).not.toMatch(/[\r\n]/);
    expect(renderText(v)).not.toMatch(/[\r\u202E\u202C]/);
    // The name is one line in the greeting: "Bcc:" can never start a line of its own.
    expect(renderText(v)).not.toMatch(/^Bcc:/m);
  });

  it('neutralises formulas in the appendix CSV', () => {
    const csv = renderAppendixCsv(v.appendix!);
    const row = csv.split('\r\n')[1]!;
    // the destination cell starts with an apostrophe inside its quotes: "'=HYPERLINK(...)"
    expect(row).toMatch(/^2026-03-02T10:00:00Z,"'=HYPERLINK\(""http:\/\/evil.example"",""click""\)/);
    expect(row.endsWith(',61,0.12')).toBe(true);
  });
});

describe('HTML mail structure', () => {
  const html = renderHtml(buildView(sampleInvoice(), { kind: 'invoice' }));

  it('loads nothing from outside: no images, links to stylesheets, fonts or scripts', () => {
    expect(html).not.toMatch(/<img|<link|<script|src=|url\(|@import/i);
  });

  it('marks layout tables as presentation and gives the lines table column headers', () => {
    expect(html).toContain('role="presentation"');
    expect(html.match(/<th scope="col"/g)).toHaveLength(4);
    expect(html).toContain('<caption');
  });
});
