import { describe, expect, it } from 'vitest';
import { compileSchedule, TouScheduleSchema } from '../schedule.js';
import { rateRecords, rec } from '../test-support.js';
import { TimeOfUseChargeSchema } from './time-of-use.js';

// A residential evening-peak tariff shaped like PG&E's E-TOU-C (peak 4–9 p.m.; see
// https://www.pge.com/en/account/rate-plans/find-your-best-rate-plan/time-of-use-base-plan.html), simplified to
// weekday peaks with weekends and holidays off-peak; prices are ours.
const schedule = {
  weekday: [
    { from: '00:00', to: '16:00', band: 'off' },
    { from: '16:00', to: '21:00', band: 'peak' },
    { from: '21:00', to: '24:00', band: 'off' },
  ],
  weekend: [{ from: '00:00', to: '24:00', band: 'off' }],
  holidays: ['2026-01-01'],
};
const charge = {
  type: 'time-of-use',
  id: 'energy',
  meterId: 'kwh',
  schedule,
  prices: [
    { band: 'peak', unitPrice: '0.40' },
    { band: 'off', unitPrice: '0.30' },
  ],
};

// Los Angeles is UTC−8 in January.
const records = () => [
  rec('2026-01-02T01:00:00Z', '1'), // Thu 1 Jan 17:00, a holiday → off
  rec('2026-01-03T01:00:00Z', '2'), // Fri 2 Jan 17:00 → peak
  rec('2026-01-02T20:00:00Z', '4'), // Fri 2 Jan 12:00 → off
  rec('2026-01-04T01:00:00Z', '8'), // Sat 3 Jan 17:00 → off
  rec('2026-01-06T05:00:00Z', '16'), // Mon 5 Jan 21:00, the end bound is exclusive → off
  rec('2026-01-06T04:59:00Z', '32'), // Mon 5 Jan 20:59 → peak
];

describe('time-of-use', () => {
  it('prices each record by its band in the customer time zone', () => {
    // peak 2 + 32 = 34 × 0.40 = 13.60; off 1 + 4 + 8 + 16 = 29 × 0.30 = 8.70
    const lines = rateRecords(charge, records(), { timeZone: 'America/Los_Angeles' });
    expect(lines.map((l) => [l.key, l.quantity, l.amount])).toEqual([
      ['energy:band:peak', '34', '13.6'],
      ['energy:band:off', '29', '8.7'],
    ]);
  });

  it('bands the same instants differently in another time zone', () => {
    // In UTC: Fri 2 Jan 01:00 off(1), Sat 3 Jan 01:00 off(2), Fri 2 Jan 20:00 peak(4), Sun 4 Jan off(8),
    // Tue 6 Jan 05:00 off(16), 04:59 off(32) → peak 4, off 59
    const lines = rateRecords(charge, records(), { timeZone: 'UTC' });
    expect(lines.map((l) => l.quantity)).toEqual(['4', '59']);
  });

  it('uses season prices inside a season that wraps the year end', () => {
    const seasonal = {
      ...charge,
      schedule: { ...schedule, seasons: [{ name: 'winter', from: '12-15', to: '01-02' }] },
      prices: [{ band: 'peak', season: 'winter', unitPrice: '0.45' }, ...charge.prices],
    };
    // winter peak: Fri 2 Jan 17:00 (2) × 0.45 = 0.90; peak: Mon 5 Jan (32) × 0.40 = 12.80; off 29 × 0.30 = 8.70
    const lines = rateRecords(seasonal, records(), { timeZone: 'America/Los_Angeles' });
    expect(lines.map((l) => [l.key, l.quantity, l.amount])).toEqual([
      ['energy:band:winter:peak', '2', '0.9'],
      ['energy:band:peak', '32', '12.8'],
      ['energy:band:off', '29', '8.7'],
    ]);
  });

  it('draws included units from the earliest records first', () => {
    // included 3: takes Thu 1 Jan off (1) and 2 of Fri 2 Jan 12:00 off (4)... in time order: 1 (Jan 1 17:00),
    // then 4 (Jan 2 12:00) → off loses 1 + 2 = 3; peak keeps 34; off 29 − 3 = 26
    const lines = rateRecords({ ...charge, included: '3' }, records(), { timeZone: 'America/Los_Angeles' });
    expect(lines.map((l) => [l.key, l.quantity])).toEqual([
      ['energy:included', '3'],
      ['energy:band:peak', '34'],
      ['energy:band:off', '26'],
    ]);
  });

  it.each([
    [{ weekday: [{ from: '00:00', to: '12:00', band: 'a' }] }, 'weekday.0.to', 'must end at 24:00'],
    [
      {
        weekday: [
          { from: '00:00', to: '12:00', band: 'a' },
          { from: '13:00', to: '24:00', band: 'b' },
        ],
      },
      'weekday.1.from',
      'must be 12:00',
    ],
    [{ weekday: [{ from: '00:00', to: '25:00', band: 'a' }] }, 'weekday.0.to', 'HH:MM'],
  ])('rejects a schedule with gaps or bad clocks (%#)', (bad, path, message) => {
    const result = TouScheduleSchema.safeParse(bad);
    expect(result.success).toBe(false);
    const issue = result.error?.issues.find((i) => i.path.join('.') === path);
    expect(issue?.message).toContain(message);
  });

  it('rejects a charge whose schedule uses a band without a price', () => {
    const result = TimeOfUseChargeSchema.safeParse({
      ...charge,
      prices: [{ band: 'off', unitPrice: '0.3' }],
    });
    expect(result.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['schedule.weekday.1.band', 'band "peak" has no price: add it to prices'],
    ]);
  });

  it('resolves a band across the DST change in the local clock', () => {
    const at = compileSchedule(TouScheduleSchema.parse(schedule), 'Europe/Berlin');
    // Sun 29 Mar 2026 clocks go 02:00 → 03:00 CEST; Mon 30 Mar 16:30 CEST = 14:30Z → peak
    expect(at(Date.parse('2026-03-30T14:30:00Z')).band).toBe('peak');
    expect(at(Date.parse('2026-03-30T13:59:00Z')).band).toBe('off'); // 15:59 local
  });
});
