import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Meter, toUsageRecord, UsageEventSchema, type UsageRecord } from '@tally/metering';
import { describe, expect, it } from 'vitest';
import { metersOf, PlanSchema } from './plan.js';
import { rate } from './rate.js';
import { totals } from './totals.js';

// The example plans and sample events in events/ are used by the docs, the demo and `tally quote`:
// every file must parse, and each plan must rate its sample month to the totals worked out by hand below.
const EVENTS = fileURLToPath(new URL('../../../events/', import.meta.url));
const json = (path: string): unknown => JSON.parse(readFileSync(join(EVENTS, path), 'utf8'));

describe('events/usage samples', () => {
  const files = readdirSync(join(EVENTS, 'usage')).filter((f) => f.endsWith('.json'));

  it('has samples', () => expect(files.length).toBeGreaterThanOrEqual(3));

  it.each(files)('%s holds CloudEvents that parse', (file) => {
    const events = json(`usage/${file}`) as unknown[];
    expect(Array.isArray(events)).toBe(true);
    for (const [i, e] of events.entries()) {
      const result = UsageEventSchema.safeParse(e);
      expect(result.success, `${file}[${i}]: ${result.error?.message}`).toBe(true);
    }
  });
});

describe('events/plans examples', () => {
  const files = readdirSync(join(EVENTS, 'plans')).filter((f) => f.endsWith('.json'));

  it.each(files)('%s parses', (file) => {
    const result = PlanSchema.safeParse(json(`plans/${file}`));
    expect(result.success, result.error?.message).toBe(true);
  });

  function rateSample(
    planFile: string,
    usageFile: string,
    timeZone: string,
    month: { start: string; end: string },
  ) {
    const plan = PlanSchema.parse(json(`plans/${planFile}`));
    const meters = metersOf(plan);
    const usage: Record<string, UsageRecord[]> = {};
    for (const raw of json(`usage/${usageFile}`) as unknown[]) {
      const event = UsageEventSchema.parse(raw);
      for (const m of Object.values(meters) as Meter[]) {
        if (m.eventType !== event.type) continue;
        usage[m.id] = [...(usage[m.id] ?? []), toUsageRecord(m, event)];
      }
    }
    const lines = rate({ plan, meters, period: month, timeZone, usage });
    return {
      lines,
      amounts: Object.fromEntries(lines.map((l) => [l.key, l.amount])),
      total: totals(lines, plan.currency).total,
    };
  }

  it('rates the telecom sample month to 56.75 EUR', () => {
    const { amounts, total } = rateSample('telecom-mobile.json', 'telecom-january.json', 'Europe/Berlin', {
      start: '2025-12-31T23:00:00Z', // January in Berlin
      end: '2026-01-31T23:00:00Z',
    });
    expect(amounts).toEqual({
      base: '15',
      // 100 included minutes: 59 + 40 min peak calls to Germany fixed, then 1 of the 3 billed off-peak minutes to 4915
      'voice:included': '0',
      'voice:1:offpeak': '0.25', // 61 s on 1/1 = 61/60 min × 0.15 + 0.10 connect = 0.2525
      'voice:44:offpeak': '0.4', // 95 s on 30/6 → 96 s = 1.6 min × 0.25 = 0.40
      'voice:44:peak': '0.3', // 10 s on 30/6 → 30 s = 0.125, below the 0.30 minimum
      'voice:4915:offpeak': '0.24', // 125 s → 180 s = 3 min, 1 included, 2 × 0.12
      'voice:4917:peak': '0.38', // 61 s → 2 min × 0.19
      'voice:49:peak': '0', // covered by the allowance, plus one unanswered call; the 1 Feb call is outside
      'sms:included': '0',
      sms: '0.18', // 5 SMS, 3 included → 2 × 0.09
      'data:tier:1': '0', // 30.75 GB: 5 GB free
      'data:tier:2': '30', // 15 GB × 2.00
      'data:tier:3': '10.75', // 10.75 GB × 1.00
      'data:maximum': '-0.75', // capped at 40.00
    });
    expect(total).toBe('56.75'); // 15 + 1.57 + 0.18 + 40
  });

  it('rates the electricity sample month to 166.78 USD', () => {
    const { amounts, total } = rateSample(
      'electricity-tou.json',
      'electricity-january.json',
      'America/Los_Angeles',
      {
        start: '2026-01-01T08:00:00Z', // January in Los Angeles
        end: '2026-02-01T08:00:00Z',
      },
    );
    expect(amounts).toEqual({
      standing: '10.85', // 31 days × 0.35
      'energy:band:summer:peak': '0',
      'energy:band:peak': '2', // (3.0 Fri 17:00 + 1.75 Tue 20:45) × 0.42 = 1.995 → 2.00
      'energy:band:off': '3.18', // (2.5 New Year + 1.25 + 4 Sat + 2 MLK day + 0.5 at 21:00) × 0.31 = 3.1775
      demand: '148', // peak-window 15-min averages 7.0 (Fri) and 8.0 (Tue); Sat's 20 kW and 03:00's 15 kW are outside → 8 × 18.50
      levy: '3.38', // reads 99850 → 99980 (actual replaces the 99990 estimate) → 120 after rollover: 130 + 140 = 270 × 0.0125 = 3.375
      export: '-0.63', // 5 × −0.08 + 3.5 × −0.065 = −0.6275
    });
    expect(total).toBe('166.78');
  });

  it('rates the IoT sample month to 55.69 EUR with half-even rounding', () => {
    const { amounts, total, lines } = rateSample('iot-fleet.json', 'iot-january.json', 'UTC', {
      start: '2026-01-01T00:00:00Z',
      end: '2026-02-01T00:00:00Z',
    });
    expect(amounts).toEqual({
      platform: '49',
      'devices:tier:1': '3', // dev-a, dev-b, dev-c (dev-d reports in February): 2 × 1.50
      'devices:tier:2': '1', // 1 × 1.00
      messages: '0.25', // 6 messages → 1 started package of 1,000
      'payload:included': '0',
      payload: '0.04', // 2,505,000 bytes = 2.505 MB, rounded up to 3 MB, 1 included: 2 × 0.0225 = 0.045 → half-even 0.04
      storage: '2.4', // (10 GB × 10 d + 40 × 10 + 4 × 11) ÷ 31 d = 17.548… GB-month, tier 2: × 0.08 + 1.00 = 2.4039
    });
    expect(lines.every((l) => l.rounding === 'half-even')).toBe(true);
    expect(total).toBe('55.69');
  });
});
