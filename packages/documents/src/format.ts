import { currencyExponent, Decimal } from '@tally/money';
import { DocumentInputError } from './errors.js';

/** A decimal string as Intl formats it without going through a float (ES2023 Intl.NumberFormat v3). */
type Numeric = Intl.StringNumericLiteral;

const asNumeric = (value: string | Decimal): Numeric => new Decimal(value as string).toFixed() as Numeric;

/**
 * Intl formatters by locale and options. Building one costs ICU tens of microseconds (more than formatting
 * with it), and a document formats hundreds of values with a handful of distinct formats; they are immutable,
 * so one instance per (locale, options) serves every document of the process. Each cache starts over past
 * `FORMATS_KEPT` entries (locales × zones × decimals stay far below it in practice).
 */
const FORMATS_KEPT = 2_000;
const numberFormats = new Map<string, Intl.NumberFormat>();
const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();

function cached<F, O>(formats: Map<string, F>, locale: string, options: O, make: () => F): F {
  const key = `${locale}\u0000${JSON.stringify(options)}`;
  let f = formats.get(key);
  if (f === undefined) {
    f = make();
    if (formats.size >= FORMATS_KEPT) formats.clear();
    formats.set(key, f);
  }
  return f;
}

const numberFormat = (locale: string, options: Intl.NumberFormatOptions): Intl.NumberFormat =>
  cached(numberFormats, locale, options, () => new Intl.NumberFormat(locale, options));

const dateTimeFormat = (locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat =>
  cached(dateTimeFormats, locale, options, () => new Intl.DateTimeFormat(locale, options));

/**
 * Intl formatting for one customer: numbers, money and dates in their locale, instants in their time zone.
 *
 * Money shows exactly the currency's ISO 4217 minor-unit decimals from @tally/money, not Intl's defaults:
 * ICU follows CLDR, which differs for several currencies (on Node 20 Intl gives IQD 0 decimals where ISO 4217
 * has 3, and HUF, IDR and COP 0 where ISO has 2), and an invoice must show the amount that is owed to the
 * minor unit. Values are passed as decimal strings, so amounts beyond 2^53 keep every digit.
 */
export class Formatter {
  readonly locale: string;
  readonly timeZone: string;
  private readonly dateFormat: Intl.DateTimeFormat;
  private readonly dateTimeFormat: Intl.DateTimeFormat;

  constructor(locale: string, timeZone: string) {
    try {
      this.locale = Intl.getCanonicalLocales(locale)[0] ?? 'en';
      this.dateFormat = dateTimeFormat(this.locale, { dateStyle: 'long', timeZone: 'UTC' });
      this.dateTimeFormat = dateTimeFormat(this.locale, {
        dateStyle: 'medium',
        timeStyle: 'short',
        timeZone,
      });
    } catch (err) {
      throw new DocumentInputError(`cannot format for locale "${locale}" and time zone "${timeZone}"`, {
        cause: err,
      });
    }
    this.timeZone = timeZone;
  }

  /** An amount in the currency with exactly its minor-unit decimals: "1.234,50 €" (de), "￥1,235" (ja, JPY). */
  money(amount: string | Decimal, currency: string): string {
    return this.moneyFormat(currency, currencyExponent(currency)).format(asNumeric(amount));
  }

  /**
   * A unit price: at least the currency's decimals, more when the price has them (0.0025 EUR per SMS stays
   * "€0.0025"), up to 20 (Intl's limit).
   */
  unitPrice(price: string | Decimal, currency: string): string {
    const exponent = currencyExponent(currency);
    const places = Math.min(20, Math.max(exponent, new Decimal(price as string).decimalPlaces()));
    return this.moneyFormat(currency, exponent, places).format(asNumeric(price));
  }

  /** A quantity with every decimal it has (no rounding): "1,234.5" (en), "1 234,5" (fr). */
  quantity(value: string | Decimal): string {
    const places = Math.min(20, new Decimal(value as string).decimalPlaces());
    return numberFormat(this.locale, { maximumFractionDigits: places }).format(asNumeric(value));
  }

  /** A percentage from a fraction: "0.19" → "19 %" (de), "19%" (en). */
  percent(fraction: string | Decimal): string {
    const places = Math.max(0, new Decimal(fraction as string).decimalPlaces() - 2);
    return numberFormat(this.locale, {
      style: 'percent',
      maximumFractionDigits: Math.min(20, places),
    }).format(asNumeric(fraction));
  }

  /** A local calendar date (YYYY-MM-DD, already in the customer's zone), never shifted by a zone. */
  date(localDate: string): string {
    const d = new Date(`${localDate}T00:00:00Z`);
    if (Number.isNaN(d.getTime())) throw new DocumentInputError(`"${localDate}" is not a date (YYYY-MM-DD)`);
    return this.dateFormat.format(d);
  }

  /** The local date of an instant in the customer's time zone (YYYY-MM-DD). */
  localDateOf(instant: string | Date): string {
    const d = typeof instant === 'string' ? new Date(instant) : instant;
    const parts = dateTimeFormat('en-CA', {
      timeZone: this.timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    }).formatToParts(d);
    const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
    return `${get('year')}-${get('month')}-${get('day')}`;
  }

  /** Whether an instant is at 00:00 local time in the customer's zone. */
  private isLocalMidnight(instant: string): boolean {
    const parts = dateTimeFormat('en-GB', {
      timeZone: this.timeZone,
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    }).format(new Date(instant));
    return parts === '00:00:00';
  }

  /** An instant as a date and time in the customer's zone. */
  dateTime(instant: string): string {
    return this.dateTimeFormat.format(new Date(instant));
  }

  /**
   * A half-open period [start, end) as the reader expects it: whole local days show the last day inclusive
   * ("1 – 31 March 2026"); periods that start or end inside a day show date and time.
   */
  period(start: string, end: string): string {
    if (this.isLocalMidnight(start) && this.isLocalMidnight(end)) {
      const first = new Date(`${this.localDateOf(start)}T00:00:00Z`);
      const last = new Date(`${this.localDateOf(new Date(new Date(end).getTime() - 1))}T00:00:00Z`);
      return this.dateFormat.formatRange(first, last);
    }
    return this.dateTimeFormat.formatRange(new Date(start), new Date(end));
  }

  private moneyFormat(currency: string, exponent: number, maxPlaces = exponent): Intl.NumberFormat {
    return numberFormat(this.locale, {
      style: 'currency',
      currency,
      minimumFractionDigits: exponent,
      maximumFractionDigits: maxPlaces,
    });
  }
}
