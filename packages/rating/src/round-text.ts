import type { RoundingMode } from '@tally/money';

/**
 * Rounds a plain decimal string (as `Decimal#toFixed()` prints it: no exponent, no trailing fraction
 * zeros) to `places` decimals and prints it the same way. It gives exactly what
 * `roundTo(text, places, mode).toFixed()` of @tally/money gives (a property test holds it to that), at a
 * fraction of the cost: rating rounds every line it makes, and decimal.js's rounding copies the number
 * first, which is the single largest cost of a simple line.
 */
export function roundText(text: string, places: number, mode: RoundingMode): string {
  const negative = text.charCodeAt(0) === 45; // '-'
  const body = negative ? text.slice(1) : text;
  const dot = body.indexOf('.');
  if (dot < 0 || body.length - dot - 1 <= places) return text;
  const rest = body.slice(dot + 1 + places); // non-empty, ends in a non-zero digit
  const digits = body.slice(0, dot) + body.slice(dot + 1, dot + 1 + places);
  let away: boolean;
  if (mode === 'down') away = false;
  else if (mode === 'up') away = true;
  else if (rest.charCodeAt(0) !== 53 /* '5' */ || rest.length > 1 || mode === 'half-up') away = rest >= '5';
  else away = (digits.charCodeAt(digits.length - 1) - 48) % 2 === 1; // an exact half, to even
  let out = away ? increment(digits) : digits;
  let int = out.slice(0, out.length - places);
  let frac = places === 0 ? '' : out.slice(out.length - places);
  let end = frac.length;
  while (end > 0 && frac.charCodeAt(end - 1) === 48) end -= 1;
  frac = frac.slice(0, end);
  let start = 0;
  while (start < int.length - 1 && int.charCodeAt(start) === 48) start += 1;
  int = int.slice(start);
  out = frac === '' ? int : `${int}.${frac}`;
  return negative && out !== '0' ? `-${out}` : out;
}

/** Adds one to a string of decimal digits. */
function increment(digits: string): string {
  let i = digits.length - 1;
  while (i >= 0 && digits.charCodeAt(i) === 57) i -= 1; // trailing 9s become 0s
  const zeros = '0'.repeat(digits.length - 1 - i);
  return i < 0
    ? `1${zeros}`
    : `${digits.slice(0, i)}${String.fromCharCode(digits.charCodeAt(i) + 1)}${zeros}`;
}
