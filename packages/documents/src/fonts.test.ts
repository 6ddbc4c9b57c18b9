import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BUNDLED_FONT, bundledFont, findUnicodeFont } from './fonts.js';
import { renderPdf } from './pdf.js';
import { sampleInvoiceFor } from './testing.js';
import { buildView } from './view.js';

const hasPoppler = existsSync('/usr/bin/pdffonts') && existsSync('/usr/bin/pdftotext');
const fromPackage = bundledFont();

/** A folder laid out like the Lambda bundle: index.mjs with the font files in fonts/ beside it. */
function fakeBundle(files: readonly string[]): string {
  const root = mkdtempSync(join(tmpdir(), 'tally-bundle-'));
  mkdirSync(join(root, BUNDLED_FONT.dir));
  for (const f of files) {
    const source = f === BUNDLED_FONT.bold ? fromPackage!.bold.path : fromPackage!.regular.path;
    copyFileSync(source, join(root, BUNDLED_FONT.dir, f));
  }
  writeFileSync(join(root, 'index.mjs'), '');
  return pathToFileURL(join(root, 'index.mjs')).href;
}

describe('the bundled Unicode font', () => {
  it('is found in the npm package during development', () => {
    expect(fromPackage?.regular.path).toMatch(
      /@expo-google-fonts\/noto-sans-jp\/400Regular\/NotoSansJP_400Regular\.ttf$/,
    );
    expect(fromPackage?.bold.path).toMatch(/700Bold\/NotoSansJP_700Bold\.ttf$/);
  });

  it('is taken from fonts/ beside the running bundle first (Lambda, where no package is installed)', () => {
    const url = fakeBundle([BUNDLED_FONT.regular, BUNDLED_FONT.bold]);
    const font = bundledFont(url);
    expect(font?.regular.path).toBe(join(new URL('.', url).pathname, 'fonts', BUNDLED_FONT.regular));
    expect(font?.bold.path).toBe(join(new URL('.', url).pathname, 'fonts', BUNDLED_FONT.bold));
  });

  it('prints bold text with the regular face when only that was shipped', () => {
    const font = bundledFont(fakeBundle([BUNDLED_FONT.regular]));
    expect(font?.bold.path).toBe(font?.regular.path);
  });

  it('gives way to TALLY_PDF_FONT when that names a file', () => {
    const font = findUnicodeFont({ TALLY_PDF_FONT: fromPackage!.bold.path });
    expect(font).toEqual({
      regular: { path: fromPackage!.bold.path },
      bold: { path: fromPackage!.bold.path },
    });
  });

  it.skipIf(!hasPoppler)('embeds Noto Sans JP, not a system font, in a Japanese PDF', async () => {
    const v = buildView(sampleInvoiceFor({ locale: 'ja-JP', legalName: '株式会社サンプル' }), {
      kind: 'invoice',
    });
    const pdf = await renderPdf(v, { unicodeFont: findUnicodeFont({}) });
    expect(pdf.warnings).toEqual([]);
    const file = join(mkdtempSync(join(tmpdir(), 'tally-ja-')), 'ja.pdf');
    writeFileSync(file, pdf.bytes);
    const fonts = execFileSync('/usr/bin/pdffonts', [file], { encoding: 'utf8' });
    // TrueType outlines (subset by copying glyphs), not the CFF edition (subset by re-encoding subroutines).
    expect(fonts).toMatch(/\+NotoSansJP-Regular\s+CID TrueType/);
    expect(fonts).toMatch(/\+NotoSansJP-Bold\s+CID TrueType/);
    const text = execFileSync('/usr/bin/pdftotext', [file, '-'], { encoding: 'utf8' });
    expect(text).toContain('請求書');
    expect(text).toContain('株式会社サンプル');
  });
});
