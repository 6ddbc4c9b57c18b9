import { describe, expect, it } from 'vitest';
import { ChargeSchema } from './charge.js';
import { PlanSchema } from './plan.js';
import { rate } from './rate.js';
import { JANUARY, meter, planWith, rateRecords, rec, total } from './test-support.js';

const byRegion = { meter: { dimensions: { region: 'region' } } };
const at = (day: number, value: string, dimensions: Record<string, string>) =>
  rec(`2026-01-${String(day).padStart(2, '0')}T12:00:00Z`, value, { dimensions });

describe('charges priced per group', () => {
  it('prices each region at its own unit price, one line per group showing its region', () => {
    const charge = {
      type: 'per-unit',
      id: 'data',
      name: 'Mobile data',
      meterId: 'm',
      unitPrice: '0.10',
      groupBy: ['region'],
      groups: [{ match: { region: 'eu' }, name: 'Data EU', unitPrice: '0.08' }],
    };
    const records = [
      at(2, '10', { region: 'eu' }),
      at(3, '20', { region: 'us' }),
      at(4, '5', { region: 'eu' }),
      at(5, '2.5', { region: 'ap' }),
    ];
    const lines = rateRecords(charge, records, byRegion);
    // groups in order of their values: ap 2.5 × 0.10 = 0.25; eu (10 + 5) × 0.08 = 1.20; us 20 × 0.10 = 2.00
    expect(lines.map((l) => [l.key, l.description, l.quantity, l.unitPrice, l.amount, l.dimensions])).toEqual(
      [
        ['data:region=ap', 'Mobile data (region ap)', '2.5', '0.1', '0.25', { region: 'ap' }],
        ['data:region=eu', 'Data EU', '15', '0.08', '1.2', { region: 'eu' }],
        ['data:region=us', 'Mobile data (region us)', '20', '0.1', '2', { region: 'us' }],
      ],
    );
    expect(total(lines)).toBe('3.45');
    for (const l of lines) expect(l.chargeId).toBe('data');
  });

  it('runs each group up its own tiers', () => {
    const charge = {
      type: 'graduated',
      id: 'msgs',
      meterId: 'm',
      groupBy: ['device'],
      tiers: [
        { upTo: '100', unitPrice: '0.01' },
        { upTo: null, unitPrice: '0.005' },
      ],
    };
    const records = [at(2, '150', { device: 'a' }), at(3, '80', { device: 'b' })];
    const lines = rateRecords(charge, records, { meter: { dimensions: { device: 'device' } } });
    // a: 100 × 0.01 + 50 × 0.005 = 1.25; b: 80 × 0.01 = 0.80. Ungrouped, 230 units would cost 1.65.
    expect(lines.map((l) => [l.key, l.quantity, l.amount])).toEqual([
      ['msgs:device=a:tier:1', '100', '1'],
      ['msgs:device=a:tier:2', '50', '0.25'],
      ['msgs:device=b:tier:1', '80', '0.8'],
    ]);
    expect(total(lines)).toBe('2.05');
  });

  it('draws included units and applies the minimum per group, with a group price changing them', () => {
    const charge = {
      type: 'per-unit',
      id: 'api',
      meterId: 'm',
      unitPrice: '0.05',
      included: '10',
      minimum: '1',
      groupBy: ['region'],
      groups: [{ match: { region: 'y' }, included: '0', minimum: '0.5' }],
    };
    const records = [at(2, '25', { region: 'x' }), at(3, '5', { region: 'y' })];
    const lines = rateRecords(charge, records, byRegion);
    // x: 10 included, 15 × 0.05 = 0.75, topped up to the minimum 1 (+0.25)
    // y: nothing included, 5 × 0.05 = 0.25, topped up to its own minimum 0.5 (+0.25)
    expect(lines.map((l) => [l.key, l.kind, l.quantity, l.amount])).toEqual([
      ['api:region=x:included', 'allowance', '10', '0'],
      ['api:region=x', 'usage', '15', '0.75'],
      ['api:region=x:minimum', 'minimum', '1', '0.25'],
      ['api:region=y:included', 'allowance', '0', '0'],
      ['api:region=y', 'usage', '5', '0.25'],
      ['api:region=y:minimum', 'minimum', '1', '0.25'],
    ]);
    expect(total(lines)).toBe('1.5');
  });

  it('groups by several dimensions, keyed in groupBy order, "" for a record without one', () => {
    const charge = {
      type: 'per-unit',
      id: 'sms',
      meterId: 'm',
      unitPrice: '0.02',
      groupBy: ['zone', 'kind'],
    };
    const records = [
      at(2, '3', { zone: 'eu', kind: 'mt' }),
      at(3, '4', { zone: 'eu' }),
      at(4, '5', { zone: 'eu', kind: 'mt' }),
    ];
    const lines = rateRecords(charge, records, { meter: { dimensions: { zone: 'zone', kind: 'kind' } } });
    // eu/"": 4 × 0.02 = 0.08; eu/mt: (3 + 5) × 0.02 = 0.16
    expect(lines.map((l) => [l.key, l.amount, l.dimensions])).toEqual([
      ['sms:zone=eu,kind=', '0.08', { zone: 'eu', kind: '' }],
      ['sms:zone=eu,kind=mt', '0.16', { zone: 'eu', kind: 'mt' }],
    ]);
  });

  it('prices record models per group too, adding the group to the model’s own dimensions', () => {
    const charge = {
      type: 'time-of-use',
      id: 'energy',
      meterId: 'm',
      groupBy: ['site'],
      schedule: {
        weekday: [
          { from: '00:00', to: '08:00', band: 'night' },
          { from: '08:00', to: '24:00', band: 'day' },
        ],
      },
      prices: [
        { band: 'day', unitPrice: '0.30' },
        { band: 'night', unitPrice: '0.20' },
      ],
      groups: [
        {
          match: { site: 'b' },
          prices: [
            { band: 'day', unitPrice: '0.25' },
            { band: 'night', unitPrice: '0.15' },
          ],
        },
      ],
    };
    // Tuesday 6 Jan 2026, UTC: 07:00 is night, 12:00 is day.
    const records = [
      rec('2026-01-06T07:00:00Z', '10', { dimensions: { site: 'a' } }),
      rec('2026-01-06T12:00:00Z', '4', { dimensions: { site: 'a' } }),
      rec('2026-01-06T12:00:00Z', '8', { dimensions: { site: 'b' } }),
    ];
    const lines = rateRecords(charge, records, { meter: { dimensions: { site: 'site' } } });
    // a: day 4 × 0.30 = 1.20, night 10 × 0.20 = 2.00; b: day 8 × 0.25 = 2.00, night 0
    expect(lines.map((l) => [l.key, l.amount, l.dimensions])).toEqual([
      ['energy:site=a:band:day', '1.2', { site: 'a', band: 'day' }],
      ['energy:site=a:band:night', '2', { site: 'a', band: 'night' }],
      ['energy:site=b:band:day', '2', { site: 'b', band: 'day' }],
      ['energy:site=b:band:night', '0', { site: 'b', band: 'night' }],
    ]);
    expect(total(lines)).toBe('5.2');
  });

  it('prices a charge without usage once, for no group, so it shows and its minimum applies', () => {
    const charge = {
      type: 'per-unit',
      id: 'data',
      meterId: 'm',
      unitPrice: '0.1',
      minimum: '2',
      groupBy: ['region'],
    };
    const lines = rateRecords(charge, [], byRegion);
    expect(lines.map((l) => [l.key, l.amount, l.dimensions])).toEqual([
      ['data', '0', undefined],
      ['data:minimum', '2', undefined],
    ]);
  });

  it('fails for an aggregated quantity: groups need the events', () => {
    const plan = planWith([
      { type: 'per-unit', id: 'data', meterId: 'm', unitPrice: '1', groupBy: ['region'] },
    ]);
    const m = meter({ id: 'm', dimensions: { region: 'region' } });
    expect(() =>
      rate({ plan, meters: { m }, period: JANUARY, timeZone: 'UTC', usage: {}, quantities: { m: '5' } }),
    ).toThrow(/prices each group of region separately: give the raw events of meter m/);
  });
});

describe('grouped charge schema', () => {
  const base = { type: 'per-unit', id: 'data', meterId: 'm', unitPrice: '0.1' };
  const issues = (charge: Record<string, unknown>) =>
    ChargeSchema.safeParse(charge).error?.issues.map((i) => [i.path.join('.'), i.message]) ?? [];

  it.each([
    [{ groups: [{ match: { region: 'eu' }, unitPrice: '1' }] }, 'groups', /needs groupBy/],
    [
      { groupBy: ['region'], groups: [{ match: { zone: 'eu' } }] },
      'groups.0.match.zone',
      /not one of the charge's groupBy/,
    ],
    [{ groupBy: ['region'], groups: [{ match: {} }] }, 'groups.0.match', /at least one dimension value/],
    [
      { groupBy: ['region'], groups: [{ match: { region: 'eu' }, meterId: 'x' }] },
      'groups.0.meterId',
      /cannot change the charge's meterId/,
    ],
    [
      { groupBy: ['region'], groups: [{ match: { region: 'eu' }, unitPrice: '1e3' }] },
      'groups.0.unitPrice',
      /plain decimal/,
    ],
    [{ groupBy: ['region', 'region'] }, 'groupBy', /twice/],
  ])('rejects %j at %s', (extra, path, message) => {
    const found = issues({ ...base, ...extra });
    expect(found).toContainEqual([path, expect.stringMatching(message)]);
  });

  it('rejects grouping by a dimension the plan’s meter does not carry', () => {
    const result = PlanSchema.safeParse({
      id: 'p',
      version: 1,
      name: 'P',
      currency: 'EUR',
      effectiveFrom: '2026-01-01',
      charges: [{ ...base, groupBy: ['region'] }],
      meters: [{ id: 'm', eventType: 'u', aggregation: 'sum', valuePath: 'v', dimensions: { zone: 'zone' } }],
    });
    expect(result.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['charges.0.groupBy.0', expect.stringContaining('does not carry dimension "region"')],
    ]);
  });
});
