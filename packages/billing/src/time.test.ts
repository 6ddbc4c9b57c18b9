import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { BillingInputError } from './errors.js';
import { ms, normalizeInstant, parseInstant, toInstant } from './time.js';

describe('ms', () => {
  it('reads any stored instant as luxon does (property over years 1970–2200, with and without milliseconds)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 7_258_118_400_000 }), fc.boolean(), (t, whole) => {
        const x = whole ? Math.floor(t / 1000) * 1000 : t;
        const iso = new Date(x).toISOString();
        const stored = whole ? iso.replace('.000Z', 'Z') : iso;
        expect(ms(stored)).toBe(x);
        expect(ms(stored)).toBe(DateTime.fromISO(stored, { setZone: true }).toMillis());
      }),
    );
  });

  it.each([
    // 2026-03-01T01:00+01:00 is midnight UTC: 1,772,323,200,000 ms
    ['2026-03-01T01:00:00+01:00', 1_772_323_200_000],
    ['2026-03-01T00:00:00.5Z', 1_772_323_200_500],
    ['2026-03-01T00:00:00Z', 1_772_323_200_000],
    // ISO 8601's end-of-day 24:00 is the next midnight (luxon reads it so; the fast path defers to luxon)
    ['2026-03-01T24:00:00Z', 1_772_409_600_000],
  ])('reads %s as %d', (iso, expected) => {
    expect(ms(iso)).toBe(expected);
  });

  // Date.parse accepts 30 February (it rolls over to 2 March); luxon does not.
  it.each(['2026-02-30T00:00:00Z', '2026-13-01T00:00:00Z', 'yesterday'])('refuses %s', (iso) => {
    expect(() => ms(iso)).toThrow(BillingInputError);
  });
});

describe('normalizeInstant', () => {
  it('writes any instant as luxon writes it (property: UTC with and without fractions, and other offsets)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 7_258_118_400_000 }),
        fc.constantFrom('whole', 'millis', 'tenths', 'offset'),
        (t, form) => {
          const iso = new Date(form === 'millis' ? t : Math.floor(t / 1000) * 1000).toISOString();
          const input =
            form === 'whole'
              ? iso.replace('.000Z', 'Z')
              : form === 'tenths'
                ? iso.replace('.000Z', '.5Z')
                : form === 'offset'
                  ? (DateTime.fromISO(iso).setZone('UTC+5:30').toISO() as string)
                  : iso;
          expect(normalizeInstant(input)).toBe(toInstant(parseInstant(input)));
        },
      ),
    );
  });

  it.each([
    ['2026-03-01T00:00:00.000Z', '2026-03-01T00:00:00Z'],
    ['2026-03-01T00:00:00.5Z', '2026-03-01T00:00:00.500Z'],
    ['2026-03-01T01:00:00+01:00', '2026-03-01T00:00:00Z'],
    ['2026-03-01T24:00:00Z', '2026-03-02T00:00:00Z'],
  ])('writes %s as %s', (iso, expected) => {
    expect(normalizeInstant(iso)).toBe(expected);
  });

  it('refuses 30 February as luxon does', () => {
    expect(() => normalizeInstant('2026-02-30T00:00:00Z')).toThrow(BillingInputError);
  });
});
