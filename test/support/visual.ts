import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll } from 'vitest';

/** Debian's Chromium (apt-get install chromium; .ci/run installs it). */
export const CHROMIUM = '/usr/bin/chromium';

/** Screenshots and PDF pages land here (git-ignored) for a person to look at. */
export const VISUAL_OUT = join(process.cwd(), 'test-output', 'visual');

/** Headless Chromium as this machine allows it: no sandbox (root), no GPU, no calls home. */
export function launchChromium() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/**
 * Chromium for the enclosing describe block: launched (and VISUAL_OUT created) before its tests, closed after.
 * Call it at the top of the block; the returned function gives the browser inside the tests.
 */
export function chromiumForSuite(): () => Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    mkdirSync(VISUAL_OUT, { recursive: true });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  return () => {
    if (!browser)
      throw new Error('chromiumForSuite: the browser is only there inside the tests of its block');
    return browser;
  };
}

/**
 * What a self-contained page must never do, recorded as it happens: requests for anything but data: URLs and
 * about:blank, dialogs (an injected alert(); dismissed so the page goes on) and uncaught page errors.
 */
export function watchPage(page: Page): { requests: string[]; dialogs: string[]; errors: string[] } {
  const seen = { requests: [] as string[], dialogs: [] as string[], errors: [] as string[] };
  page.on('request', (r) => {
    if (!r.url().startsWith('data:') && r.url() !== 'about:blank') seen.requests.push(r.url());
  });
  page.on('dialog', async (d) => {
    seen.dialogs.push(d.message());
    await d.dismiss();
  });
  page.on('pageerror', (e) => seen.errors.push(e.message));
  return seen;
}

/**
 * A page is "not blank" when it has ink: a share of pixels clearly darker than the background, and luminance
 * that varies (a uniform grey or white page has a standard deviation near 0).
 */
export function ink(png: Buffer): { darkShare: number; stdDev: number; width: number; height: number } {
  const img = PNG.sync.read(png);
  let n = 0;
  let sum = 0;
  let sumSq = 0;
  let dark = 0;
  for (let i = 0; i < img.data.length; i += 4) {
    const y = 0.299 * img.data[i]! + 0.587 * img.data[i + 1]! + 0.114 * img.data[i + 2]!; // Rec. 601 luma
    n++;
    sum += y;
    sumSq += y * y;
    if (y < 160) dark++;
  }
  const mean = sum / n;
  return {
    darkShare: dark / n,
    stdDev: Math.sqrt(sumSq / n - mean * mean),
    width: img.width,
    height: img.height,
  };
}
