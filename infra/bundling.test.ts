import { existsSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { BillingFunction } from './constructs/billing-function.js';

// The one test that really bundles (the others skip esbuild): deliver-invoice, the function with the
// most dependencies, built exactly as `cdk synth` builds it, with the local esbuild and no Docker.
describe('BillingFunction bundling', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'tally-bundle-'));
  const app = new App({ outdir });
  const stack = new Stack(app, 'Bundle');
  new BillingFunction(stack, 'Deliver', { name: 'deliver-invoice', pdfkitStandardFonts: true });
  const assembly = app.synth();
  const assetDirs = readdirSync(assembly.directory)
    .filter((d) => d.startsWith('asset.'))
    .map((d) => join(assembly.directory, d))
    .filter((d) => statSync(d).isDirectory());

  it('bundles the handler into one ESM file for Node.js 22', () => {
    expect(assetDirs).toHaveLength(1);
    const bundle = join(assetDirs[0]!, 'index.mjs');
    expect(existsSync(bundle)).toBe(true);
    // The AWS SDK stays out of the bundle: Lambda's runtime provides it.
    expect(statSync(bundle).size).toBeLessThan(8 * 1024 * 1024);
  });

  it('lets pdfkit resolve its standard fonts from beside the bundle', () => {
    const require = createRequire(join(assetDirs[0]!, 'index.mjs'));
    const helvetica = require('#standard-fonts/Helvetica') as { name?: string; default?: { name: string } };
    expect(helvetica.name ?? helvetica.default?.name).toBe('Helvetica');
  });

  it('ships a Japanese font beside the bundle (Lambda has no system fonts)', () => {
    const fonts = readdirSync(join(assetDirs[0]!, 'fonts'));
    expect(fonts).toEqual(expect.arrayContaining(['NotoSansJP_400Regular.ttf', 'NotoSansJP_700Bold.ttf']));
  });
}, 120_000);
