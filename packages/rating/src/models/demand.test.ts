import { describe, expect, it } from 'vitest';
import { rateRecords, rec } from '../test-support.js';

const charge = { type: 'demand', id: 'demand', meterId: 'kw', intervalMinutes: 15, unitPrice: '12.5' };

describe('demand', () => {
  // https://discoverenergysys.com/component/content/article/1030-utility-15-minutes: the demand charge is
  // based on the single 15-minute interval with the highest average power in the billing period.
  it('bills the highest 15-minute average power', () => {
    const lines = rateRecords(charge, [
      rec('2026-01-05T10:00:00Z', '10'),
      rec('2026-01-05T10:05:00Z', '20'),
      rec('2026-01-05T10:10:00Z', '30'), // 10:00–10:15 average 20
      rec('2026-01-05T10:15:00Z', '50'),
      rec('2026-01-05T10:20:00Z', '10'), // 10:15–10:30 average 30
      rec('2026-01-05T11:00:00Z', '25'),
    ]);
    // 30 kW × 12.50 = 375
    expect(lines).toEqual([
      expect.objectContaining({
        key: 'demand',
        quantity: '30',
        unit: 'kW',
        amount: '375',
        dimensions: { interval: '2026-01-05T10:15:00.000Z' },
      }),
    ]);
  });

  it('converts interval energy to demand', () => {
    // 150 kWh in one 30-minute interval is 150 ÷ 0.5 h = 300 kW; × 4.25 = 1,275
    const lines = rateRecords({ ...charge, intervalMinutes: 30, measure: 'energy', unitPrice: '4.25' }, [
      rec('2026-01-05T10:00:00Z', '100'),
      rec('2026-01-05T10:10:00Z', '50'),
      rec('2026-01-05T10:30:00Z', '120'),
    ]);
    expect(lines[0]).toMatchObject({ quantity: '300', amount: '1275' });
  });

  it('counts only intervals inside the time-of-use window', () => {
    const window = {
      bands: ['peak'],
      schedule: {
        weekday: [
          { from: '00:00', to: '16:00', band: 'off' },
          { from: '16:00', to: '21:00', band: 'peak' },
          { from: '21:00', to: '24:00', band: 'off' },
        ],
        weekend: [{ from: '00:00', to: '24:00', band: 'off' }],
      },
    };
    // Berlin is UTC+1: 02:00Z is 03:00 local (off), 16:00Z is 17:00 local on Monday 5 Jan (peak)
    const lines = rateRecords(
      { ...charge, window },
      [
        rec('2026-01-05T02:00:00Z', '900'),
        rec('2026-01-05T16:00:00Z', '40'),
        rec('2026-01-10T16:00:00Z', '500'),
      ],
      { timeZone: 'Europe/Berlin' },
    );
    expect(lines[0]).toMatchObject({ quantity: '40', amount: '500' }); // Saturday's 500 is outside the window too
  });

  it('aligns intervals to the local clock of a half-hour zone', () => {
    // India is UTC+5:30: local 10:00–11:00 is 04:30Z–05:30Z; the two samples share one local hour → avg 30
    const lines = rateRecords(
      { ...charge, intervalMinutes: 60 },
      [rec('2026-01-05T04:40:00Z', '20'), rec('2026-01-05T05:20:00Z', '40')],
      { timeZone: 'Asia/Kolkata' },
    );
    expect(lines[0]?.quantity).toBe('30');
  });

  it('is zero without readings', () => {
    expect(rateRecords(charge, [])[0]).toMatchObject({ quantity: '0', amount: '0' });
  });
});
