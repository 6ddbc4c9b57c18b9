import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { arch, cpus, platform, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { costRows } from './cost.js';
import { type BenchModule, type BenchRow, benchScale } from './types.js';

// The single bench entry (npm run bench): runs every bench/*.bench.ts, prints one table and writes
// bench/results/latest.json. Benchmarks are not timed tests: they report, they do not fail the build.
const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv[2];
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts') && (only === undefined || f.startsWith(only)))
  .sort();

const rows: BenchRow[] = [];
for (const file of files) {
  const mod = (await import(pathToFileURL(join(here, file)).href)) as BenchModule;
  process.stderr.write(`running ${file} (BENCH_SCALE=${benchScale()})…\n`);
  rows.push(...(await mod.run()));
}
// The cost model reads the figures above (empty when a filtered run lacks one).
rows.push(...costRows(rows));

const fmt = (n: number | undefined) =>
  n === undefined
    ? ''
    : n >= 100
      ? Math.round(n).toLocaleString('en-US')
      : n >= 0.1 || n === 0
        ? n.toFixed(2)
        : n.toPrecision(2);
const table = [
  ['area', 'name', 'value', 'unit', 'baseline', 'ratio', 'goal', 'pass'],
  ...rows.map((r) => [
    r.area,
    r.name,
    fmt(r.value),
    r.unit,
    fmt(r.baseline),
    r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}×`,
    r.goal === undefined ? '' : `≤ ${r.goal}×`,
    r.pass === undefined ? '' : r.pass ? 'yes' : 'NO',
  ]),
];
const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
const numeric = new Set([2, 4, 5]);
for (const r of table) {
  process.stdout.write(
    `${r
      .map((c, i) => (numeric.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd()}\n`,
  );
}

const out = join(here, 'results');
mkdirSync(out, { recursive: true });
const result = {
  scale: benchScale(),
  node: process.version,
  machine: {
    cpus: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    platform: `${platform()} ${arch()}`,
  },
  at: new Date().toISOString(),
  rows,
};
writeFileSync(join(out, 'latest.json'), `${JSON.stringify(result, null, 2)}\n`);
process.stderr.write(`wrote ${join('bench', 'results', 'latest.json')}\n`);
