import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A font that covers more than Latin-1: needed for Japanese documents and for names in any script.
 * `face` names the font inside a TrueType collection (.ttc).
 */
export interface PdfFont {
  readonly regular: { readonly path: string; readonly face?: string };
  readonly bold: { readonly path: string; readonly face?: string };
}

/**
 * The Unicode font tally ships: Noto Sans JP (Latin, kana, the JIS kanji; SIL Open Font License 1.1, which
 * allows bundling it) as OpenType/CFF files of the npm package `@embedpdf/fonts-jp`. The deliver-invoice
 * bundle carries the two files in `fonts/` beside its code (BillingFunction copies them), so Lambda, which
 * has no system fonts, prints Japanese instead of "?". It covers no Hangul: Korean names need
 * `TALLY_PDF_FONT` (or Debian's fonts-noto-cjk locally).
 */
export const BUNDLED_FONT = {
  package: '@embedpdf/fonts-jp',
  /** Folder of the font files, in the package and beside a bundle. */
  dir: 'fonts',
  regular: 'NotoSansJP-Regular.otf',
  bold: 'NotoSansJP-Bold.otf',
} as const;

/** Debian's fonts-noto-cjk (installed by .ci/run); covers Latin, Japanese, Chinese and Korean. */
export const NOTO_CJK: PdfFont = {
  regular: { path: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', face: 'NotoSansCJKjp-Regular' },
  bold: { path: '/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc', face: 'NotoSansCJKjp-Bold' },
};

/** The bundled font in `dir`, with the regular face standing in for a missing bold one; null if absent. */
function fontIn(dir: string): PdfFont | null {
  const regular = join(dir, BUNDLED_FONT.regular);
  if (!existsSync(regular)) return null;
  const bold = join(dir, BUNDLED_FONT.bold);
  return { regular: { path: regular }, bold: { path: existsSync(bold) ? bold : regular } };
}

/**
 * Where the bundled font is: in `fonts/` beside the running module (a Lambda bundle: `import.meta.url` is
 * the bundle's index.mjs), else in the installed npm package (development, tests). Null when neither has it.
 */
export function bundledFont(moduleUrl: string = import.meta.url): PdfFont | null {
  const beside = fontIn(join(dirname(fileURLToPath(moduleUrl)), BUNDLED_FONT.dir));
  if (beside) return beside;
  try {
    // The package exports only its index: resolve that, then go to its font folder.
    const index = createRequire(moduleUrl).resolve(BUNDLED_FONT.package);
    return fontIn(join(dirname(index), '..', BUNDLED_FONT.dir));
  } catch {
    return null;
  }
}

/**
 * The Unicode font to use: `TALLY_PDF_FONT` / `TALLY_PDF_FONT_BOLD` (paths to .ttf/.otf files) when set,
 * else the bundled Noto Sans JP ({@link bundledFont}), else Noto Sans CJK when installed, else none.
 */
export function findUnicodeFont(
  env: NodeJS.ProcessEnv = process.env,
  moduleUrl: string = import.meta.url,
): PdfFont | null {
  const custom = env.TALLY_PDF_FONT;
  if (custom && existsSync(custom)) {
    const bold =
      env.TALLY_PDF_FONT_BOLD && existsSync(env.TALLY_PDF_FONT_BOLD) ? env.TALLY_PDF_FONT_BOLD : custom;
    return { regular: { path: custom }, bold: { path: bold } };
  }
  const bundled = bundledFont(moduleUrl);
  if (bundled) return bundled;
  return existsSync(NOTO_CJK.regular.path) && existsSync(NOTO_CJK.bold.path) ? NOTO_CJK : null;
}
