import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findUnicodeFont } from './fonts.js';
import { renderPdf } from './pdf.js';
import { HOSTILE, sampleInvoice, sampleInvoiceFor } from './testing.js';
import { buildView } from './view.js';

const hasPoppler = existsSync('/usr/bin/pdftotext') && existsSync('/usr/bin/pdfinfo');
const dir = mkdtempSync(join(tmpdir(), 'tally-pdf-'));

function pdfText(bytes: Buffer, name: string, layout = true): string {
  const file = join(dir, name);
  writeFileSync(file, bytes);
  return execFileSync('/usr/bin/pdftotext', [...(layout ? ['-layout'] : []), file, '-'], {
    encoding: 'utf8',
  });
}

function pdfInfo(bytes: Buffer, name: string): string {
  const file = join(dir, name);
  writeFileSync(file, bytes);
  return execFileSync('/usr/bin/pdfinfo', [file], { encoding: 'utf8' });
}

describe('renderPdf', () => {
  it('renders a one-page A4 PDF for the sample invoice with the standard fonts', async () => {
    const pdf = await renderPdf(buildView(sampleInvoice(), { kind: 'invoice' }));
    expect(pdf.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.pages).toBe(1);
    expect(pdf.warnings).toEqual([]);
  });

  it('renders the same bytes for the same input (fixed creation date)', async () => {
    const v = buildView(sampleInvoice(), { kind: 'invoice' });
    const a = await renderPdf(v, { creationDate: new Date('2026-04-01T04:00:00Z') });
    const b = await renderPdf(v, { creationDate: new Date('2026-04-01T04:00:00Z') });
    expect(a.bytes.equals(b.bytes)).toBe(true);
  });

  it('renders a Japanese document to the same bytes before and after another one used the shared font', async () => {
    const at = { creationDate: new Date('2026-04-01T04:00:00Z') };
    const ja = buildView(sampleInvoiceFor({ locale: 'ja-JP', timeZone: 'Asia/Tokyo' }), { kind: 'invoice' });
    // Other glyphs than the first document's: a subset leaking from one document into the next would show.
    const other = buildView(sampleInvoiceFor({ locale: 'ja-JP', legalName: '株式会社 東京精密機器' }), {
      kind: 'invoice',
    });
    const first = await renderPdf(ja, at);
    await renderPdf(other, at);
    const again = await renderPdf(ja, at);
    expect(first.warnings).toEqual([]);
    expect(again.bytes.equals(first.bytes)).toBe(true);
  });

  it('falls back to the standard fonts with a warning when no Unicode font exists, never failing', async () => {
    const v = buildView(sampleInvoiceFor({ locale: 'ja-JP' }), { kind: 'invoice' });
    const pdf = await renderPdf(v, { unicodeFont: null });
    expect(pdf.pages).toBe(1);
    expect(pdf.warnings[0]).toMatch(/no Unicode font found for a ja document/);
  });

  it('puts an itemized appendix on its own pages with page numbers', async () => {
    // 150 call records at ~12 pt per row on ~700 pt of usable height: more than two appendix pages
    const records = Array.from({ length: 150 }, (_, i) => ({
      at: new Date(Date.UTC(2026, 2, 1, 0, i)).toISOString(),
      destination: `+49 30 ${1000 + i}`,
      durationSeconds: 60 + i,
      amount: '0.05',
    }));
    const v = buildView(sampleInvoice(), { kind: 'invoice' }, { appendix: { type: 'calls', records } });
    const pdf = await renderPdf(v);
    expect(pdf.pages).toBeGreaterThanOrEqual(3);
    if (hasPoppler) {
      const text = pdfText(pdf.bytes, 'appendix.pdf');
      expect(text).toContain(`Seite 1 von ${pdf.pages}`);
      expect(text).toContain('Einzelverbindungsnachweis');
      expect(text).toContain('+49 30 1149');
    }
  });

  it.skipIf(!hasPoppler)('shows the totals, amount due and due date as text (pdftotext)', async () => {
    const pdf = await renderPdf(buildView(sampleInvoice(), { kind: 'invoice' }));
    const text = pdfText(pdf.bytes, 'de.pdf');
    for (const s of [
      'Rechnung',
      'ACME-2026-000123',
      '59,44 €',
      '9,49 €',
      '49,95 €',
      '15. April 2026',
      'Stufe 2: über 1.000',
    ]) {
      expect(text).toContain(s);
    }
  });

  it.skipIf(!hasPoppler || findUnicodeFont() === null)('shows Japanese text with the CJK font', async () => {
    const v = buildView(sampleInvoiceFor({ locale: 'ja-JP', legalName: '株式会社サンプル' }), {
      kind: 'invoice',
    });
    const pdf = await renderPdf(v);
    expect(pdf.warnings).toEqual([]);
    const text = pdfText(pdf.bytes, 'ja.pdf');
    expect(text).toContain('請求書');
    expect(text).toContain('株式会社サンプル');
    expect(text).toContain('€59.44');
  });

  it.skipIf(!hasPoppler)(
    'prints hostile names as literal text and keeps the metadata parseable',
    async () => {
      const inv = sampleInvoice({
        issuer: { ...sampleInvoice().issuer, legalName: HOSTILE.address },
        customer: { ...sampleInvoice().customer, legalName: HOSTILE.name },
      });
      const pdf = await renderPdf(buildView(inv, { kind: 'invoice' }));
      // the long name wraps in its column: read in drawing order, whitespace collapsed
      const text = pdfText(pdf.bytes, 'hostile.pdf', false).replace(/\s+/g, ' ');
      expect(text).toContain('Evil <script>alert(1)</script> & "Co" Bcc: victim@example.org');
      // The issuer name went into /Author: pdfinfo must read it back as the same string, not as PDF syntax.
      expect(pdfInfo(pdf.bytes, 'hostile.pdf')).toContain(`Author:          ${HOSTILE.address}`);
    },
  );
});
