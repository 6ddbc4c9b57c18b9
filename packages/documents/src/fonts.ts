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
 * allows bundling it) as the TrueType files Google Fonts serves, from the npm package
 * `@expo-google-fonts/noto-sans-jp`. TrueType on purpose: pdfkit embeds a subset of the glyphs a document
 * uses, and fontkit subsets TrueType outlines by copying those glyphs, where it re-encodes all ~30,000
 * subroutines of the OpenType/CFF edition for every document: a Japanese invoice renders in 10.7 ms instead
 * of 22.7 ms, and its PDF is 36 KB instead of 79 KB. The deliver-invoice bundle carries the two files in
 * `fonts/` beside its code (BillingFunction copies them), so Lambda, which has no system fonts, prints
 * Japanese instead of "?". It covers no Hangul: Korean names need `TALLY_PDF_FONT` (or Debian's
 * fonts-noto-cjk locally).
 */
export const BUNDLED_FONT = {
  package: '@expo-google-fonts/noto-sans-jp',
  /** Folder of the font files beside a bundle. */
  dir: 'fonts',
  /** File names, beside a bundle and in the package (under {@link BUNDLED_FONT.packageDirs}). */
  regular: 'NotoSansJP_400Regular.ttf',
  bold: 'NotoSansJP_700Bold.ttf',
  /** The package keeps each weight in a folder of its own. */
  packageDirs: { regular: '400Regular', bold: '700Bold' },
} as const;

/** Debian's fonts-noto-cjk (installed by .ci/run); covers Latin, Japanese, Chinese and Korean. */
export const NOTO_CJK: PdfFont = {
  regular: { path: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', face: 'NotoSansCJKjp-Regular' },
  bold: { path: '/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc', face: 'NotoSansCJKjp-Bold' },
};

/** The bundled font at these paths, with the regular face standing in for a missing bold one; null if absent. */
function fontAt(regular: string, bold: string): PdfFont | null {
  if (!existsSync(regular)) return null;
  return { regular: { path: regular }, bold: { path: existsSync(bold) ? bold : regular } };
}

/** Where the font files are in the installed npm package (development, tests, bundling); null if absent. */
export function packagedFontPaths(
  moduleUrl: string = import.meta.url,
): { regular: string; bold: string } | null {
  try {
    const root = dirname(createRequire(moduleUrl).resolve(`${BUNDLED_FONT.package}/package.json`));
    return {
      regular: join(root, BUNDLED_FONT.packageDirs.regular, BUNDLED_FONT.regular),
      bold: join(root, BUNDLED_FONT.packageDirs.bold, BUNDLED_FONT.bold),
    };
  } catch {
    return null;
  }
}

/**
 * Where the bundled font is: in `fonts/` beside the running module (a Lambda bundle: `import.meta.url` is
 * the bundle's index.mjs), else in the installed npm package (development, tests). Null when neither has it.
 */
export function bundledFont(moduleUrl: string = import.meta.url): PdfFont | null {
  const beside = join(dirname(fileURLToPath(moduleUrl)), BUNDLED_FONT.dir);
  const found = fontAt(join(beside, BUNDLED_FONT.regular), join(beside, BUNDLED_FONT.bold));
  if (found) return found;
  const packaged = packagedFontPaths(moduleUrl);
  return packaged ? fontAt(packaged.regular, packaged.bold) : null;
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
