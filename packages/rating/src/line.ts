import type { RoundingMode } from '@tally/money';

/**
 * A priced line: the output of every pricing model, and what an invoice is made of.
 *
 * This is the contract between rating (`@tally/rating`) and invoicing (`@tally/billing`): models return
 * lines, never totals. `key` is deterministic (the same charge, tier or band and period give the same
 * key), so a re-run upserts a line instead of adding a second one.
 */
export interface RatedLine {
  /** Deterministic id within one invoice, e.g. `voice:tier:1` or `energy:band:peak`. */
  readonly key: string;
  /** The plan charge that produced the line. */
  readonly chargeId: string;
  /** usage: from metered usage; fixed: recurring fee; minimum: a charge's minimum/true-up. */
  readonly kind: 'usage' | 'fixed' | 'minimum' | 'allowance';
  readonly description: string;
  /** The meter the quantity comes from (absent for fixed fees). */
  readonly meterId?: string;
  readonly planId: string;
  readonly planVersion: number;
  /** The service period the line covers, UTC ISO instants, end exclusive. */
  readonly period: { readonly start: string; readonly end: string };
  /** Quantity billed on this line, decimal string. */
  readonly quantity: string;
  /** Unit of the quantity, e.g. "min", "kWh", "GB". */
  readonly unit?: string;
  /** Price per unit, decimal string, when the line is quantity × unit price. */
  readonly unitPrice?: string;
  /** A flat amount included in the line (tier flat fee, connect fees), decimal string. */
  readonly flatAmount?: string;
  /** Tier breakdown for tiered models: bounds are decimal strings, `upTo` null for the last tier. */
  readonly tier?: { readonly index: number; readonly from: string; readonly upTo: string | null };
  /** Group-by dimension values the line was priced for (time-of-use band, destination zone). */
  readonly dimensions?: Readonly<Record<string, string>>;
  readonly currency: string;
  /** Unrounded amount, decimal string. */
  readonly precise: string;
  /** `precise` rounded once to the currency's minor unit with `rounding`. */
  readonly amount: string;
  readonly rounding: RoundingMode;
}
