import { currencyExponent } from '@tally/money';
import { describe, expect, it } from 'vitest';
import { Formatter } from './format.js';

// Intl output uses non-breaking spaces: U+00A0 (NBSP) and U+202F (narrow NBSP, French grouping).
const NBSP = '\u00A0';
const NNBSP = '\u202F';

describe('Formatter.money', () => {
  it.each([
    // locale, currency, amount, expected (CLDR patterns; decimals from ISO 4217)
    ['en-US', 'USD', '1234.5', '$1,234.50'],
    ['de-DE', 'EUR', '1234.5', `1.234,50${NBSP}€`],
    ['fr-FR', 'EUR', '1234.5', `1${NNBSP}234,50${NBSP}€`],
    ['ja-JP', 'JPY', '1235', '￥1,235'],
    ['en-US', 'JPY', '1235', '¥1,235'],
    ['en-US', 'KWD', '1.234', `KWD${NBSP}1.234`],
    ['de-DE', 'KWD', '-1234.5', `-1.234,500${NBSP}KWD`],
    // ISO 4217 has 3 decimals for IQD and 2 for HUF; CLDR (Intl's default) has 0 for both.
    ['en-US', 'IQD', '1234.5', `IQD${NBSP}1,234.500`],
    ['en-US', 'HUF', '1234.5', `HUF${NBSP}1,234.50`],
  ])('formats %s %s %s as %s', (locale, currency, amount, expected) => {
    expect(new Formatter(locale, 'UTC').money(amount, currency)).toBe(expected);
  });

  it.each(['EUR', 'JPY', 'KWD', 'IQD', 'HUF', 'CLF', 'BHD', 'ISK'])(
    'shows exactly the ISO 4217 decimals of %s',
    (currency) => {
      const shown = new Formatter('en-US', 'UTC').money('1', currency);
      const decimals = shown.includes('.') ? (shown.split('.')[1] ?? '').replace(/\D/g, '').length : 0;
      expect(decimals).toBe(currencyExponent(currency));
    },
  );

  it('keeps every digit of an amount beyond 2^53', () => {
    // 2^53 = 9,007,199,254,740,992; a float would print ...740,992.00 for ...740,993.01
    expect(new Formatter('en-US', 'UTC').money('9007199254740993.01', 'USD')).toBe(
      '$9,007,199,254,740,993.01',
    );
  });
});

describe('Formatter numbers', () => {
  it('shows a sub-cent unit price with all its decimals and at least the currency decimals', () => {
    const f = new Formatter('en-US', 'UTC');
    expect(f.unitPrice('0.0025', 'EUR')).toBe('€0.0025');
    expect(f.unitPrice('49', 'EUR')).toBe('€49.00');
  });

  it.each([
    ['en-US', '1234.5', '1,234.5'],
    ['de-DE', '1234.5', '1.234,5'],
    ['fr-FR', '1234.5', `1${NNBSP}234,5`],
    ['ja-JP', '1000000', '1,000,000'],
  ])('formats quantity in %s: %s → %s', (locale, q, expected) => {
    expect(new Formatter(locale, 'UTC').quantity(q)).toBe(expected);
  });

  it('formats a tax rate as a percentage in the locale', () => {
    expect(new Formatter('de-DE', 'UTC').percent('0.19')).toBe(`19${NBSP}%`);
    expect(new Formatter('en-US', 'UTC').percent('0.075')).toBe('7.5%');
  });
});

describe('Formatter dates', () => {
  it.each([
    ['en-US', 'April 15, 2026'],
    ['de-DE', '15. April 2026'],
    ['fr-FR', '15 avril 2026'],
    ['ja-JP', '2026年4月15日'],
  ])('formats a local date in %s as %s, whatever the zone', (locale, expected) => {
    // Pacific/Kiritimati is UTC+14: a naive Date in that zone would move the day.
    expect(new Formatter(locale, 'Pacific/Kiritimati').date('2026-04-15')).toBe(expected);
  });

  it('shows a period of whole local days with its last day inclusive, across a DST change', () => {
    // March 2026 in Berlin: 2026-02-28T23:00Z (CET) to 2026-03-31T22:00Z (CEST after 29 March).
    // ICU sets the range dash between thin spaces (U+2009).
    const f = new Formatter('en-GB', 'Europe/Berlin');
    expect(f.period('2026-02-28T23:00:00Z', '2026-03-31T22:00:00Z')).toBe('1\u2009–\u200931 March 2026');
    // A naive UTC reading would show 28 February to 31 March.
    expect(new Formatter('en-GB', 'UTC').period('2026-02-28T23:00:00Z', '2026-03-31T22:00:00Z')).not.toMatch(
      /^1\D/,
    );
  });

  it('takes the local date of an instant in the customer zone', () => {
    // 2026-04-01T04:00Z is 2026-03-31 21:00 in Los Angeles (PDT, UTC−7).
    expect(new Formatter('en-US', 'America/Los_Angeles').localDateOf('2026-04-01T04:00:00Z')).toBe(
      '2026-03-31',
    );
  });

  it('fails naming the locale when it is not a locale', () => {
    expect(() => new Formatter('not a locale!', 'UTC')).toThrow(/not a locale!/);
  });
});
