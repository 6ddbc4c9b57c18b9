export { CURRENCY_CODES, currencyExponent, isCurrency } from './currencies.js';
export { Decimal, type DecimalInput, sum, toDecimalString, ZERO } from './decimal.js';
export { CurrencyMismatchError, UnknownCurrencyError } from './errors.js';
export {
  addAmounts,
  allocate,
  CurrencyCodeSchema,
  DecimalStringSchema,
  type LineAmount,
  lineAmount,
  NonNegativeDecimalStringSchema,
} from './money.js';
export {
  DEFAULT_ROUNDING,
  formatMinor,
  fromMinorUnits,
  type RoundingMode,
  RoundingModeSchema,
  roundTo,
  roundToMinor,
  toMinorUnits,
} from './rounding.js';
