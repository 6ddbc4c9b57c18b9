import { type Meter, type MeterInput, MeterSchema, type UsageRecord } from '@tally/metering';
import type { Charge } from './charge.js';
import type { RatedLine } from './line.js';
import { type Plan, PlanSchema } from './plan.js';
import { rate } from './rate.js';

/** Shared by the model tests: a January 2026 period and a one-charge plan around a charge config. */
export const JANUARY = { start: '2026-01-01T00:00:00.000Z', end: '2026-02-01T00:00:00.000Z' } as const;

export function planWith(charges: unknown[], currency = 'EUR', terms: Record<string, unknown> = {}): Plan {
  return PlanSchema.parse({
    id: 'test-plan',
    version: 3,
    name: 'Test plan',
    currency,
    effectiveFrom: '2026-01-01T00:00:00Z',
    terms,
    charges,
  });
}

export function meter(input: Partial<MeterInput> & { id: string }): Meter {
  return MeterSchema.parse({ eventType: 'usage', aggregation: 'sum', valuePath: 'value', ...input });
}

/** Rates one charge with an aggregated quantity and returns its lines. */
export function rateQuantity(
  charge: Record<string, unknown>,
  quantity: string,
  currency = 'EUR',
): RatedLine[] {
  const plan = planWith([charge], currency);
  const m = meter({ id: (charge.meterId as string | undefined) ?? 'm' });
  return rate({
    plan,
    meters: { [m.id]: m },
    period: JANUARY,
    timeZone: 'UTC',
    usage: {},
    quantities: { [m.id]: quantity },
  });
}

/** Rates one charge with records. */
export function rateRecords(
  charge: Record<string, unknown>,
  records: UsageRecord[],
  opts: { timeZone?: string; currency?: string; meter?: Partial<MeterInput> } = {},
): RatedLine[] {
  const plan = planWith([charge], opts.currency ?? 'EUR');
  const m = meter({ id: (charge.meterId as string | undefined) ?? 'm', ...opts.meter });
  return rate({
    plan,
    meters: { [m.id]: m },
    period: JANUARY,
    timeZone: opts.timeZone ?? 'UTC',
    usage: { [m.id]: records },
  });
}

let seq = 0;
export function rec(time: string, value: string, extra: Partial<UsageRecord> = {}): UsageRecord {
  seq += 1;
  return { id: `r${String(seq).padStart(6, '0')}`, time: new Date(time).toISOString(), value, ...extra };
}

export function total(lines: readonly RatedLine[]): string {
  let cents = 0n;
  let scale = 0;
  for (const l of lines) scale = Math.max(scale, (l.amount.split('.')[1] ?? '').length);
  for (const l of lines) {
    const [i = '0', f = ''] = l.amount.split('.');
    const neg = i.startsWith('-');
    const v = BigInt(i.replace('-', '') + f.padEnd(scale, '0'));
    cents += neg ? -v : v;
  }
  const s = (cents < 0n ? -cents : cents).toString().padStart(scale + 1, '0');
  const out = scale === 0 ? s : `${s.slice(0, -scale)}.${s.slice(-scale)}`;
  return (cents < 0n ? '-' : '') + out.replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
}

export type { Charge };
