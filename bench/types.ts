/** One measured figure. `baseline`, `ratio`, `goal` and `pass` are set when the figure has a goal. */
export interface BenchRow {
  /** What is measured, e.g. "rating". */
  readonly area: string;
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** The reference figure measured in the same run, in the same unit. */
  readonly baseline?: number;
  /** How many times slower than the baseline (baseline ÷ value for rates). */
  readonly ratio?: number;
  /** The largest acceptable ratio. */
  readonly goal?: number;
  readonly pass?: boolean;
}

/** A bench module: bench/<name>.bench.ts exports `run`. */
export interface BenchModule {
  run(): Promise<BenchRow[]>;
}

/**
 * The size multiplier: BENCH_SCALE=0.01 runs 1 % of the full size (a quick smoke run); default 1.
 */
export function benchScale(): number {
  const raw = process.env.BENCH_SCALE;
  if (raw === undefined || raw === '') return 1;
  const scale = Number(raw);
  if (!(scale > 0)) throw new Error(`BENCH_SCALE must be a positive number, got "${raw}"`);
  return scale;
}
