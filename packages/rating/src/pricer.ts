import type { PeriodMs, UsageRecord } from '@tally/metering';
import { currencyExponent, type Decimal, type RoundingMode } from '@tally/money';
import type { RatedLine } from './line.js';
import { textOf } from './prepare.js';
import type { PeriodShare } from './proration.js';
import { roundText } from './round-text.js';

/** What a line needs beyond the charge: filled in by {@link LineFactory}. */
export interface LineDraft {
  /** Appended to the charge id to form the key, e.g. "tier:2" → "voice:tier:2". */
  readonly suffix?: string;
  readonly kind?: RatedLine['kind'];
  readonly description: string;
  readonly quantity: Decimal;
  readonly unit?: string;
  readonly unitPrice?: Decimal;
  readonly flatAmount?: Decimal;
  readonly tier?: RatedLine['tier'];
  readonly dimensions?: Readonly<Record<string, string>>;
  /** The unrounded amount; rounded once here with the plan's rule. */
  readonly precise: Decimal;
  /** `quantity.toFixed()`, when the model has it prepared (a fully used tier): saves printing it per line. */
  readonly quantityText?: string;
  /** `precise.toFixed()`, when the model has it prepared. */
  readonly preciseText?: string;
}

export type LineFactory = (draft: LineDraft) => RatedLine;

/** What every pricing model receives. */
export interface PricingInput<C> {
  readonly charge: C;
  /** The meter aggregate after included units were drawn down; 0 for charges without a meter. */
  readonly quantity: Decimal;
  /** The meter's records inside the period, chronological, after included units were drawn down. */
  readonly records: readonly UsageRecord[];
  readonly period: PeriodMs;
  /** The customer's IANA time zone (time-of-use, call bands, daily charges). */
  readonly timeZone: string;
  /** Unit of the quantity (charge unit, else meter unit). */
  readonly unit: string | undefined;
  /** Builds a line of this charge: key, plan, period, currency and rounding filled in. */
  readonly line: LineFactory;
  /**
   * The share of its allowances the period gets when it is a part of a billing period (a plan change cut it);
   * undefined for the full allowances. `rate` prorates `included` itself; models with their own allowance
   * (`call`'s `includedMinutes`) prorate it with `prorateAllowance`.
   */
  readonly allowanceShare?: PeriodShare;
}

/** A pricing model: a pure function from usage to lines (never a total). */
export type Pricer<C> = (input: PricingInput<C>) => RatedLine[];

export interface LineContext {
  readonly chargeId: string;
  readonly meterId: string | undefined;
  readonly planId: string;
  readonly planVersion: number;
  readonly period: { readonly start: string; readonly end: string };
  readonly currency: string;
  readonly rounding: RoundingMode;
  readonly unit: string | undefined;
  /** Starts every key instead of the charge id: a grouped charge's group ("<chargeId>:region=eu"). */
  readonly keyPrefix?: string;
  /** Dimension values of every line (a grouped charge's group), before the model's own. */
  readonly dimensions?: Readonly<Record<string, string>>;
}

/** The line factory of one charge. Built once per charge; each line is rounded once, here. */
export function lineFactory(ctx: LineContext): LineFactory {
  const exponent = currencyExponent(ctx.currency);
  const prefix = ctx.keyPrefix ?? ctx.chargeId;
  const group = ctx.dimensions;
  return (d) => {
    const precise = d.preciseText ?? d.precise.toFixed();
    // One object shape for every line (optional fields added after) keeps this hot path monomorphic.
    const line: Mutable<RatedLine> = {
      key: d.suffix === undefined ? prefix : `${prefix}:${d.suffix}`,
      chargeId: ctx.chargeId,
      kind: d.kind ?? 'usage',
      description: d.description,
      planId: ctx.planId,
      planVersion: ctx.planVersion,
      period: ctx.period,
      quantity: d.quantityText ?? d.quantity.toFixed(),
      currency: ctx.currency,
      precise,
      amount: roundText(precise, exponent, ctx.rounding),
      rounding: ctx.rounding,
    };
    if (ctx.meterId !== undefined) line.meterId = ctx.meterId;
    const unit = d.unit ?? ctx.unit;
    if (unit !== undefined) line.unit = unit;
    if (d.unitPrice !== undefined) line.unitPrice = textOf(d.unitPrice);
    if (d.flatAmount !== undefined) line.flatAmount = textOf(d.flatAmount);
    if (d.tier !== undefined) line.tier = d.tier;
    if (group !== undefined)
      line.dimensions = d.dimensions === undefined ? group : { ...group, ...d.dimensions };
    else if (d.dimensions !== undefined) line.dimensions = d.dimensions;
    return line;
  };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The charge's display name. */
export function label(charge: { id: string; name?: string | undefined }): string {
  return charge.name ?? charge.id;
}
