import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCreditNote } from '@tally/billing';
import { describe, expect, it } from 'vitest';
import { creditNoteRequest, renderDocument } from '../packages/documents/src/index.js';
import { HOSTILE, sampleInvoice, sampleInvoiceFor } from '../packages/documents/src/testing.js';
import { CHROMIUM, chromiumForSuite, ink, VISUAL_OUT as OUT, watchPage } from './support/visual.js';

const PDFTOPPM = '/usr/bin/pdftoppm';
const PDFTOTEXT = '/usr/bin/pdftotext';
const missing = [CHROMIUM, PDFTOPPM, PDFTOTEXT].filter((p) => !existsSync(p));
if (missing.length > 0) {
  console.warn(
    `visual test skipped: ${missing.join(', ')} missing (apt-get install -y chromium poppler-utils fonts-noto-cjk; .ci/run does it)`,
  );
}

describe.skipIf(missing.length > 0)('visual check of the mail and the PDF', () => {
  const browser = chromiumForSuite();

  it.each([
    ['de', sampleInvoice()],
    ['ja', sampleInvoiceFor({ locale: 'ja-JP', legalName: '株式会社サンプル' })],
    ['hostile', sampleInvoice({ customer: { ...sampleInvoice().customer, legalName: HOSTILE.name } })],
  ])(
    'renders the %s HTML mail on desktop and phone widths with ink and no outside requests',
    async (name, inv) => {
      const doc = await renderDocument(inv, { kind: 'invoice' }, { deliveryRef: 'dlv-visual' });
      for (const [label, width] of [
        ['desktop', 800],
        ['phone', 375],
      ] as const) {
        const page = await browser().newPage({ viewport: { width, height: 800 } });
        const { requests, dialogs } = watchPage(page);
        await page.setContent(doc.html, { waitUntil: 'load' });
        const png = await page.screenshot({ fullPage: true });
        writeFileSync(join(OUT, `email-${name}-${label}.png`), png);
        const m = ink(png);
        expect(m.darkShare).toBeGreaterThan(0.01);
        expect(m.stdDev).toBeGreaterThan(10);
        // the body never overflows the phone width (no horizontal scrolling)
        // a string expression: this project's TypeScript has no DOM types
        const scrollWidth = await page.evaluate<number>('document.documentElement.scrollWidth');
        expect(scrollWidth).toBeLessThanOrEqual(width);
        expect(requests).toEqual([]);
        expect(dialogs).toEqual([]);
        if (name === 'hostile') {
          // the hostile name is shown as text, never parsed as a script element
          expect(await page.locator('script').count()).toBe(0);
          expect(await page.textContent('body')).toContain('Evil <script>alert(1)</script>');
        }
        await page.close();
      }
    },
  );

  it.each([
    ['de', sampleInvoice(), ['Rechnung', '49,95 €', '9,49 €', '59,44 €', '15. April 2026']],
    [
      'ja',
      sampleInvoiceFor({ locale: 'ja-JP', legalName: '株式会社サンプル' }),
      ['請求書', '株式会社サンプル', '€59.44', '2026年4月15日'],
    ],
  ])('renders the %s PDF to non-blank PNG pages whose text holds the totals', async (name, inv, expected) => {
    const doc = await renderDocument(inv, { kind: 'invoice' }, { deliveryRef: 'dlv-visual' });
    const pdf = doc.attachments.find((a) => a.contentType === 'application/pdf')!;
    const pdfPath = join(OUT, `invoice-${name}.pdf`);
    writeFileSync(pdfPath, pdf.content);
    execFileSync(PDFTOPPM, ['-png', '-r', '80', pdfPath, join(OUT, `invoice-${name}`)]);
    const pages = readdirSync(OUT).filter((f) => f.startsWith(`invoice-${name}-`) && f.endsWith('.png'));
    expect(pages.length).toBeGreaterThanOrEqual(1);
    for (const p of pages) {
      const m = ink(readFileSync(join(OUT, p)));
      // A4 at 80 dpi: 8.27 in × 80 ≈ 661 px wide
      expect(m.width).toBeGreaterThan(600);
      expect(m.darkShare).toBeGreaterThan(0.005);
      expect(m.stdDev).toBeGreaterThan(10);
    }
    const text = execFileSync(PDFTOTEXT, ['-layout', pdfPath, '-'], { encoding: 'utf8' });
    for (const s of expected) expect(text).toContain(s);
    expect(doc.warnings).toEqual([]);
  });

  it('renders a credit note with its lines and an invoice with a call appendix to non-blank PNG pages', async () => {
    const inv = sampleInvoice();
    const note = createCreditNote({
      invoice: inv,
      reason: 'Service outage',
      lines: [{ key: 'api:usage:t1', amount: '6.25' }],
      number: 4,
      now: '2026-04-20T09:00:00Z',
    });
    const records = Array.from({ length: 80 }, (_, i) => ({
      at: new Date(Date.UTC(2026, 2, 2, 8, i * 7)).toISOString(),
      destination: `4930${100000 + i}`,
      durationSeconds: 30 + i,
    }));
    const cases = [
      // 6.25 credited + 19 % VAT 1.1875 → 1.19 = 7.44
      ['credit-note', await renderDocument(inv, creditNoteRequest(note)), ['Gutschrift gesamt', '-7,44 €']],
      [
        'appendix',
        await renderDocument(inv, { kind: 'invoice' }, { appendix: { type: 'calls', records, total: 80 } }),
        ['Einzelverbindungsnachweis', '80 Einträge', '4930100079'],
      ],
    ] as const;
    for (const [name, doc, expected] of cases) {
      const pdfPath = join(OUT, `${name}.pdf`);
      writeFileSync(pdfPath, doc.attachments[0]!.content);
      execFileSync(PDFTOPPM, ['-png', '-r', '80', pdfPath, join(OUT, name)]);
      const pages = readdirSync(OUT).filter((f) => f.startsWith(`${name}-`) && f.endsWith('.png'));
      // the appendix starts on its own page: 80 rows fill the second page and part of a third
      expect(pages.length).toBe(name === 'appendix' ? 3 : 1);
      for (const p of pages) expect(ink(readFileSync(join(OUT, p))).darkShare).toBeGreaterThan(0.005);
      const text = execFileSync(PDFTOTEXT, ['-layout', pdfPath, '-'], { encoding: 'utf8' });
      for (const s of expected) expect(text).toContain(s);
    }
  });
});
