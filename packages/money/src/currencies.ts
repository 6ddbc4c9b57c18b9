import { UnknownCurrencyError } from './errors.js';

/**
 * ISO 4217 active codes and their minor-unit exponent (the "E" column of the ISO 4217 list, as published
 * by the maintenance agency SIX: https://www.six-group.com/en/products-services/financial-information/data-standards.html).
 * Most currencies have two decimals; the exceptions are listed explicitly below.
 */
const TWO_DECIMALS =
  'AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN BZD CAD CDF CHE CHF CHW ' +
  'CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS ' +
  'INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN ' +
  'NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC ' +
  'SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG';
const ZERO_DECIMALS = 'BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF';
const THREE_DECIMALS = 'BHD IQD JOD KWD LYD OMR TND';
const FOUR_DECIMALS = 'CLF UYW';

const EXPONENTS: ReadonlyMap<string, number> = new Map([
  ...TWO_DECIMALS.split(' ').map((c) => [c, 2] as const),
  ...ZERO_DECIMALS.split(' ').map((c) => [c, 0] as const),
  ...THREE_DECIMALS.split(' ').map((c) => [c, 3] as const),
  ...FOUR_DECIMALS.split(' ').map((c) => [c, 4] as const),
]);

/** All currency codes tally knows, sorted. */
export const CURRENCY_CODES: readonly string[] = [...EXPONENTS.keys()].sort();

export function isCurrency(code: string): boolean {
  return EXPONENTS.has(code);
}

/**
 * The number of decimals of the currency's minor unit: 2 for USD, 0 for JPY, 3 for KWD.
 * @throws UnknownCurrencyError for a code that is not an active ISO 4217 code.
 */
export function currencyExponent(code: string): number {
  const exponent = EXPONENTS.get(code);
  if (exponent === undefined) throw new UnknownCurrencyError(code);
  return exponent;
}
