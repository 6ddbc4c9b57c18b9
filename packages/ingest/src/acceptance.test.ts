import { describe, expect, it } from 'vitest';
import {
  type AcceptanceTerms,
  acceptanceWindowDays,
  checkLateness,
  defaultTerms,
  SubscriptionAcceptance,
  type SubscriptionSource,
  type SubscriptionTermsView,
  termsOfSubscriptions,
  withinRetention,
} from './acceptance.js';
import { ingestPolicy } from './policy.js';
import { validateEvent } from './validate.js';

const NOW = new Date('2026-01-10T12:00:00.000Z');

function event(time: string) {
  const v = validateEvent(
    { specversion: '1.0', id: 'e1', source: 'urn:s', type: 't', subject: 'c', time, data: {} },
    NOW,
    ingestPolicy(),
  );
  if (!('event' in v)) throw new Error(v.rejection.message);
  return v.event;
}

const monthly = (late: number): AcceptanceTerms => ({ periodDays: 31, lateAcceptanceDays: late, basis: 'b' });

describe('checkLateness', () => {
  it.each([
    // 40 days before 2026-01-10T12:00Z = 2025-12-01T12:00Z
    [
      'a 40-day-old event, late acceptance 10 d (window 31 + 10 + 1 = 42 d)',
      monthly(10),
      '2025-12-01T12:00:00Z',
      undefined,
    ],
    [
      'a 40-day-old event, late acceptance 5 d (window 31 + 5 + 1 = 37 d)',
      monthly(5),
      '2025-12-01T12:00:00Z',
      'too-late',
    ],
    // 37 days before = 2025-12-04T12:00Z: the first instant inside
    ['the window start itself (37 d)', monthly(5), '2025-12-04T12:00:00Z', undefined],
    ['one second before the window start', monthly(5), '2025-12-04T11:59:59Z', 'too-late'],
    // quarter: 92 + 35 + 1 = 128 d; 100 days before = 2025-10-02T12:00Z
    [
      'a 100-day-old event on a quarterly plan',
      { periodDays: 92, lateAcceptanceDays: 35, basis: 'q' },
      '2025-10-02T12:00:00Z',
      undefined,
    ],
  ])('%s → %s', (_what, terms, time, reason) => {
    expect(checkLateness(event(time), NOW, terms)?.reason).toBe(reason);
  });

  it('names the terms the window came from', () => {
    const r = checkLateness(event('2025-12-01T12:00:00Z'), NOW, {
      periodDays: 31,
      lateAcceptanceDays: 5,
      basis: 'subscription s1 (month), plan p v2',
    });
    expect(r?.message).toContain('late acceptance 5 d');
    expect(r?.message).toContain('subscription s1 (month), plan p v2');
    expect(r?.path).toBe('time');
  });

  it('caps a yearly window at the retention less a day, and says so', () => {
    // yearly, 35 late days: 366 + 35 + 1 = 402 d; retention 400 → at most 399 d.
    const yearly = withinRetention({ periodDays: 366, lateAcceptanceDays: 35, basis: 'y' }, 400);
    expect(acceptanceWindowDays(yearly)).toBe(399);
    // 399 d before 2026-01-10T12:00Z: − 365 d = 2025-01-10 (2025 is not a leap year), − 34 d = 2024-12-07.
    expect(checkLateness(event('2024-12-07T12:00:00Z'), NOW, yearly)).toBeUndefined();
    const r = checkLateness(event('2024-12-07T11:59:59Z'), NOW, yearly);
    expect(r?.reason).toBe('too-late');
    expect(r?.message).toContain('capped at 399 d');
  });

  it('leaves a window shorter than the retention as the plans make it', () => {
    expect(acceptanceWindowDays(withinRetention(monthly(35), 400))).toBe(67);
    expect(
      checkLateness(event('2025-12-01T12:00:00Z'), NOW, withinRetention(monthly(5), 400))?.message,
    ).not.toContain('capped');
  });

  it('defaults to 31 + 35 + 1 = 67 days for a customer without subscriptions', () => {
    expect(acceptanceWindowDays(defaultTerms(ingestPolicy()))).toBe(67);
  });
});

describe('termsOfSubscriptions', () => {
  const late: Record<string, number> = { 'a#1': 5, 'a#2': 20, 'b#1': 0 };
  const lookup = (id: string, v: number) => late[`${id}#${v}`];
  const sub = (id: string, interval: SubscriptionTermsView['interval'], ...phases: [string, number][]) => ({
    id,
    interval,
    phases: phases.map(([planId, planVersion]) => ({ planId, planVersion })),
  });

  it('takes the most generous period + late acceptance over subscriptions and phases', () => {
    // s1 month: 31 + 5 = 36 and 31 + 20 = 51; s2 quarter: 92 + 0 = 92 → s2 wins
    const t = termsOfSubscriptions(
      [sub('s1', 'month', ['a', 1], ['a', 2]), sub('s2', 'quarter', ['b', 1])],
      lookup,
    );
    expect(t).toEqual({
      periodDays: 92,
      lateAcceptanceDays: 0,
      basis: 'subscription s2 (quarter), plan b v1',
    });
  });

  it('uses the later phase when its plan accepts later', () => {
    expect(termsOfSubscriptions([sub('s1', 'month', ['a', 1], ['a', 2])], lookup)).toMatchObject({
      periodDays: 31,
      lateAcceptanceDays: 20,
    });
  });

  it('skips a phase whose plan version is unknown, and has no terms without subscriptions', () => {
    expect(termsOfSubscriptions([sub('s1', 'week', ['zz', 9])], lookup)).toBeUndefined();
    expect(termsOfSubscriptions([], lookup)).toBeUndefined();
  });
});

describe('SubscriptionAcceptance', () => {
  function source(subs: Record<string, SubscriptionTermsView[]>, plans: Record<string, number>) {
    const calls = { subscriptions: 0, plans: 0 };
    const src: SubscriptionSource = {
      subscriptionsOf: async (id) => {
        calls.subscriptions++;
        return subs[id] ?? [];
      },
      lateAcceptanceDays: async (id, v) => {
        calls.plans++;
        return plans[`${id}#${v}`];
      },
    };
    return { src, calls };
  }
  const s1 = { id: 's1', interval: 'month' as const, phases: [{ planId: 'p', planVersion: 1 }] };

  it('caches a customer for the TTL and a plan version for good', async () => {
    let t = 0;
    const { src, calls } = source({ a: [s1], b: [{ ...s1, id: 's2' }] }, { 'p#1': 10 });
    const acc = new SubscriptionAcceptance(src, { ttlMs: 1000, now: () => t });
    expect((await acc.termsOf(['a'])).get('a')).toMatchObject({ periodDays: 31, lateAcceptanceDays: 10 });
    await acc.termsOf(['a']);
    expect(calls).toEqual({ subscriptions: 1, plans: 1 });
    t = 1000; // expired: the subscriptions are read again, the plan version is not
    await acc.termsOf(['a', 'b']);
    expect(calls).toEqual({ subscriptions: 3, plans: 1 });
  });

  it('leaves a customer without subscriptions out of the answer (the caller uses the default)', async () => {
    const { src, calls } = source({}, {});
    const acc = new SubscriptionAcceptance(src);
    expect((await acc.termsOf(['nobody'])).size).toBe(0);
    await acc.termsOf(['nobody']);
    expect(calls.subscriptions).toBe(1); // the miss is cached too
  });
});
