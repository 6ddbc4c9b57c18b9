import { Decimal } from '@tally/money';
import { describe, expect, it } from 'vitest';
import { RatingError } from '../errors.js';
import { rateRecords, rec } from '../test-support.js';
import { billedSeconds } from './call.js';

describe('billedSeconds', () => {
  it.each([
    // seconds, initial, subsequent, billed
    // http://vaasconsumer.com/call-billing-increment/: on 30/6 a 10 s call bills 30 s and a 31 s call 36 s
    ['10', 30, 6, '30'],
    ['31', 30, 6, '36'],
    // https://www.go360host.com/knowledgebase.php?action=displayarticle&id=6: on 60 s increments 5 s and 50 s
    // both bill a full minute; on 6 s increments 5 s bills 6 s
    ['5', 60, 60, '60'],
    ['50', 60, 60, '60'],
    ['5', 6, 6, '6'],
    ['60', 60, 60, '60'],
    ['61', 60, 60, '120'],
    ['61', 1, 1, '61'],
    ['61.2', 1, 1, '62'],
    ['0', 60, 60, '0'], // unanswered
  ])('bills a %s s call on %i/%i as %s s', (seconds, initial, subsequent, billed) => {
    expect(billedSeconds(new Decimal(seconds), initial, subsequent).toFixed()).toBe(billed);
  });
});

const charge = {
  type: 'call',
  id: 'voice',
  meterId: 'calls',
  connectFee: '0.05',
  destinations: [
    { prefix: '49', name: 'Germany fixed', perMinute: '0.10' },
    { prefix: '4915', name: 'Germany mobile', perMinute: '0.20' },
    { prefix: '1', name: 'North America', perMinute: '0.02', initialIncrement: 1, subsequentIncrement: 1 },
  ],
};
const call = (time: string, seconds: string, destination: string) =>
  rec(time, seconds, { dimensions: { destination } });

describe('call', () => {
  it('rates by the longest matching prefix with increments and connect fee', () => {
    const lines = rateRecords(charge, [
      call('2026-01-05T09:00:00Z', '61', '4930123456'), // 120 s = 2 min × 0.10 + 0.05 = 0.25
      call('2026-01-05T10:00:00Z', '30', '+4915112345678'), // 60 s = 1 min × 0.20 + 0.05 = 0.25
      call('2026-01-05T11:00:00Z', '90', '4915112345678'), // 120 s = 2 × 0.20 + 0.05 = 0.45
      call('2026-01-05T12:00:00Z', '61', '12125551234'), // 61 s on 1/1 = 61/60 × 0.02 + 0.05 = 0.0703333…
      call('2026-01-05T13:00:00Z', '0', '4930123456'), // unanswered: free
    ]);
    expect(lines.map((l) => [l.key, l.quantity, l.flatAmount, l.amount])).toEqual([
      ['voice:1:all', '1.016666666666666666666666666666666666667', '0.05', '0.07'],
      ['voice:4915:all', '3', '0.1', '0.7'],
      ['voice:49:all', '2', '0.05', '0.25'],
    ]);
    expect(lines[1]?.description).toBe('voice, Germany mobile, 2 calls');
  });

  it('applies the minimum charge per call', () => {
    // 1 s to the US on 1/1: 1/60 × 0.02 + 0.05 = 0.0503… < 0.15 → 0.15 per call; two calls 0.30
    const lines = rateRecords({ ...charge, minimumCharge: '0.15' }, [
      call('2026-01-05T09:00:00Z', '1', '15551234567'),
      call('2026-01-05T09:01:00Z', '1', '15551234567'),
    ]);
    expect(lines[0]).toMatchObject({ precise: '0.3', amount: '0.3' });
  });

  it('prices by time-of-day band in the customer zone', () => {
    const banded = {
      ...charge,
      connectFee: '0',
      bands: {
        weekday: [
          { from: '00:00', to: '08:00', band: 'offpeak' },
          { from: '08:00', to: '18:00', band: 'peak' },
          { from: '18:00', to: '24:00', band: 'offpeak' },
        ],
        weekend: [{ from: '00:00', to: '24:00', band: 'offpeak' }],
      },
      destinations: [{ prefix: '49', name: 'Germany', perMinute: { peak: '0.12', offpeak: '0.04' } }],
    };
    // Berlin UTC+1: 07:30Z = 08:30 local peak (3 min × 0.12 = 0.36); 17:30Z = 18:30 local offpeak (3 × 0.04)
    const lines = rateRecords(
      banded,
      [call('2026-01-05T07:30:00Z', '180', '4930'), call('2026-01-05T17:30:00Z', '180', '4930')],
      { timeZone: 'Europe/Berlin' },
    );
    expect(lines.map((l) => [l.key, l.amount])).toEqual([
      ['voice:49:offpeak', '0.12'],
      ['voice:49:peak', '0.36'],
    ]);
  });

  it('draws included minutes down in call order before rating', () => {
    // 3 included minutes: the first call (2 billed min) is covered, the second (2 min) half covered;
    // 1 min × 0.10 + 0.05 connect = 0.15
    const lines = rateRecords({ ...charge, includedMinutes: '3' }, [
      call('2026-01-05T09:00:00Z', '100', '4930'),
      call('2026-01-05T10:00:00Z', '100', '4930'),
    ]);
    expect(lines.map((l) => [l.key, l.kind, l.quantity, l.amount])).toEqual([
      ['voice:included', 'allowance', '3', '0'],
      ['voice:49:all', 'usage', '1', '0.15'],
    ]);
  });

  it('fails for a destination without a rate, naming the call and number', () => {
    const c = call('2026-01-05T09:00:00Z', '60', '33123456789');
    expect(() => rateRecords(charge, [c])).toThrow(RatingError);
    expect(() => rateRecords(charge, [c])).toThrow(/"33123456789" matches no destination prefix/);
  });

  it('gives one zero line without calls', () => {
    expect(rateRecords(charge, []).map((l) => [l.key, l.amount])).toEqual([['voice', '0']]);
  });
});
