import type { RoundingMode } from '@tally/money';
import type { RatedLine } from '@tally/rating';
import type { Interval } from './time.js';

/**
 * What billing reads from a plan version. `Plan` of @tally/rating satisfies it structurally (see the contract:
 * `PlanTermsSchema` there owns the defaults); billing keeps its own view so it depends only on the fields it uses.
 */
export interface BillingPlanTerms {
  /** The period the plan's fixed fees are priced for; must equal the subscription's interval when given. */
  readonly interval?: 'week' | 'month' | 'quarter' | 'year' | undefined;
  readonly fixedFeeTiming: 'advance' | 'arrears';
  /** How fixed fees (and the minimum commitment) of a partial period are prorated; see README. */
  readonly proration: 'by-day' | 'by-second' | 'none';
  /** Per full period, decimal string; the invoice is topped up to it (a `commitment` line). */
  readonly minimumCommitment?: string | undefined;
  readonly draftGraceHours: number;
  /** Days after a period's end during which an event for it is still billed (as an adjustment). */
  readonly lateAcceptanceDays: number;
  readonly rounding: RoundingMode;
  readonly paymentTermsDays?: number | undefined;
}

export interface BillingPlan {
  readonly id: string;
  readonly version: number;
  readonly name: string;
  readonly currency: string;
  readonly terms: BillingPlanTerms;
}

/** The fields of a usage record billing reads (`UsageRecord` of @tally/metering satisfies it). */
export interface BillingUsageRecord {
  readonly id: string;
  readonly time: string;
}

/**
 * The rating function, `rate` of @tally/rating, as billing calls it: lines for every charge of one plan version
 * over one period, fixed fees unprorated for the period given. Injected so tests can hand in lines they built.
 */
export type RateFn<P extends BillingPlan, M, U extends BillingUsageRecord> = (input: {
  plan: P;
  meters: Readonly<Record<string, M>>;
  period: Interval;
  timeZone: string;
  usage: Readonly<Record<string, readonly U[]>>;
  /**
   * The whole chargeable part of the billing period when `period` is one segment of it (a plan change cut
   * it): rating then prorates included units (allowances) over it.
   */
  nominalPeriod?: Interval;
  /**
   * The billing period `period` is a part of, when a plan change or a trial end cuts it: time-weighted meters
   * give the part's share of the period's value (level × seconds in the part ÷ the period's seconds), so the
   * parts add up to the period's quantity, each priced on its own plan version.
   */
  wholePeriod?: Interval;
  /**
   * Every record of the period being rated (all its segments), per meter, as `usage` holds those of `period`
   * only: a rater that carries state across a plan change (the last register read, the level in force before
   * the segment) reads the records before the segment here, from the same usage it is rating (the billed or
   * the late-corrected one). `rate` of @tally/rating ignores it.
   */
  periodUsage?: Readonly<Record<string, readonly U[]>>;
}) => RatedLine[];
