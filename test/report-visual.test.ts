import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildReport, ReportInputSchema, renderHtml } from '../packages/reports/src/index.js';
import { CHROMIUM, chromiumForSuite, ink, VISUAL_OUT as OUT, watchPage } from './support/visual.js';

const missing = !existsSync(CHROMIUM);
if (missing) {
  console.warn(
    `report visual test skipped: ${CHROMIUM} missing (apt-get install -y chromium; .ci/run does it)`,
  );
}

const sample = ReportInputSchema.parse(
  JSON.parse(readFileSync(join(process.cwd(), 'events', 'reports', 'sample-input.json'), 'utf8')),
);
const options = {
  asOf: '2026-05-01T00:00:00Z',
  window: { from: '2026-04-01T00:00:00Z', to: '2026-05-01T00:00:00Z' },
};

describe.skipIf(missing)('visual check of the HTML billing report', () => {
  const browser = chromiumForSuite();

  it('renders the summary report with charts, ink, the expected totals and no outside requests', async () => {
    const html = await renderHtml(buildReport('summary', sample, options));
    writeFileSync(join(OUT, 'report-summary.html'), html);
    const page = await browser().newPage({ viewport: { width: 1280, height: 900 } });
    const { requests, errors } = watchPage(page);
    await page.setContent(html, { waitUntil: 'load' });

    const png = await page.screenshot({ fullPage: true });
    writeFileSync(join(OUT, 'report-summary.png'), png);
    const m = ink(png);
    expect(m.darkShare).toBeGreaterThan(0.01);
    expect(m.stdDev).toBeGreaterThan(10);

    // Every chart is drawn: a visible SVG with bars or lines, and the first chart alone has ink.
    const charts = page.locator('figure svg');
    // aging EUR + USD, revenue by plan EUR + USD, by meter EUR + USD, usage api-calls, sms, storage-gb = 9
    expect(await charts.count()).toBe(9);
    for (const svg of await charts.all()) {
      const box = await svg.boundingBox();
      expect(box?.width).toBeGreaterThan(150);
      expect(box?.height).toBeGreaterThan(150);
    }
    const chartPng = await page.locator('figure').first().screenshot();
    writeFileSync(join(OUT, 'report-aging-chart.png'), chartPng);
    expect(ink(chartPng).darkShare).toBeGreaterThan(0.01);

    // The totals worked out by hand in packages/reports/src/sample.test.ts, as a reader sees them.
    const text = (await page.textContent('body')) ?? '';
    for (const expected of [
      '2966.00', // EUR open receivables
      '1220.00', // USD open receivables and April USD revenue
      '49.8', // EUR DSO
      '14.1', // EUR CEI
      '66.7', // timeliness
      '75.0', // accuracy
      '1500.00', // April EUR revenue
      '1443.00', // net of the 57.00 credit note
      'Globex & Söhne "KG"', // escaped in the source, shown as written
    ]) {
      expect(text).toContain(expected);
    }
    expect(requests).toEqual([]);
    expect(errors).toEqual([]);
    expect(await page.locator('script').count()).toBe(0);
    await page.close();
  });

  it('shows hostile customer, plan and meter names as text on a phone-width page', async () => {
    const hostile = '<img src=x onerror=alert(1)><script>alert(2)</script>';
    const input = structuredClone(sample);
    const acmeMar = input.invoices.find((i) => i.id === 'inv_acme_mar')!;
    acmeMar.customer.legalName = hostile;
    for (const line of acmeMar.lines) line.planId = `${hostile}-plan`;
    input.usage[0]!.meterId = `${hostile}-meter`;
    const html = await renderHtml(buildReport('summary', input, options));
    const page = await browser().newPage({ viewport: { width: 375, height: 800 } });
    const { requests, dialogs } = watchPage(page);
    await page.setContent(html, { waitUntil: 'load' });
    writeFileSync(join(OUT, 'report-hostile-phone.png'), await page.screenshot({ fullPage: true }));
    expect(await page.locator('script, img').count()).toBe(0);
    expect(await page.textContent('body')).toContain(hostile);
    // wide tables and charts scroll inside their section; the page itself never scrolls sideways
    const scrollWidth = await page.evaluate<number>('document.documentElement.scrollWidth');
    expect(scrollWidth).toBeLessThanOrEqual(375);
    expect(requests).toEqual([]);
    expect(dialogs).toEqual([]);
    await page.close();
  });
});
