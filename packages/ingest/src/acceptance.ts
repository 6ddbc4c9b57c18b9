import type { UsageEvent } from '@tally/metering';
import type { IngestPolicy } from './policy.js';
import type { Rejection } from './reasons.js';

const DAY_MS = 86_400_000;

/**
 * The longest billing period of each subscription interval, in days: 31 for a month, 92 for a quarter
 * (Jul–Sep), 366 for a leap year.
 */
export const LONGEST_PERIOD_DAYS = { week: 7, month: 31, quarter: 92, year: 366 } as const;
export type BillingInterval = keyof typeof LONGEST_PERIOD_DAYS;

/**
 * How late an event of one customer may arrive. Billing bills late usage of a period, as an adjustment, until
 * the plan's `lateAcceptanceDays` after the period's end (`classifyLateEvent` in @tally/billing). An event at
 * time `t` belongs to a period that ends at most `periodDays` after `t`, so its window closes at most
 * `periodDays + lateAcceptanceDays` days after `t`, plus one day for the customer's time zone and DST. Ingestion
 * accepts every event inside that bound: it never refuses an event billing would still bill, and billing
 * decides whether an accepted event is current or an adjustment.
 */
export interface AcceptanceTerms {
  /** Longest billing period the customer's events can belong to, in days. */
  readonly periodDays: number;
  /** The plan term: days after a period's end during which late events of it are still billed. */
  readonly lateAcceptanceDays: number;
  /** Where the figures come from, for messages (e.g. `subscription sub-1 (month), plan basic v2`). */
  readonly basis: string;
  /**
   * The most days the window may span whatever the plans say: the usage retention minus one day
   * (`withinRetention`), so every copy of an event that can still be accepted finds the stored one, even
   * when a plan change widens the window after the event was stored (its TTL was set from the retention).
   */
  readonly maxWindowDays?: number;
}

type WindowTerms = Pick<AcceptanceTerms, 'periodDays' | 'lateAcceptanceDays' | 'maxWindowDays'>;

/**
 * Days between an event's time and the last instant it is accepted: period + late acceptance + 1, at most
 * `maxWindowDays`.
 */
export function acceptanceWindowDays(terms: WindowTerms): number {
  const days = terms.periodDays + terms.lateAcceptanceDays + 1;
  return terms.maxWindowDays !== undefined ? Math.min(days, terms.maxWindowDays) : days;
}

/** The acceptance window in milliseconds. */
export function acceptanceWindowMs(terms: WindowTerms): number {
  return acceptanceWindowDays(terms) * DAY_MS;
}

/**
 * The terms with the window capped at the usage retention minus one day. An event is stored with a TTL of
 * at least its time + `retentionDays`; accepting it only while it is younger than `retentionDays - 1` days
 * means any later copy that is accepted still finds the stored one (no double count), however the
 * customer's plans change after the write. A window longer than that (a yearly plan with more than 32 late
 * days at the default 400-day retention) needs a longer retention (`TALLY_USAGE_RETENTION_DAYS`).
 */
export function withinRetention(terms: AcceptanceTerms, retentionDays: number): AcceptanceTerms {
  return { ...terms, maxWindowDays: retentionDays - 1 };
}

/**
 * The documented default, for a customer without subscriptions (nothing bills its events, so only the
 * dedupe window matters): the policy's `maxPeriodDays` (31) and `lateAcceptanceDays` (35, the plan default),
 * 67 days in all.
 */
export function defaultTerms(policy: IngestPolicy): AcceptanceTerms {
  return {
    periodDays: policy.maxPeriodDays,
    lateAcceptanceDays: policy.lateAcceptanceDays,
    basis: 'the default for customers without subscriptions',
  };
}

/**
 * Rejects an event older than its customer's acceptance window at `now` (`too-late`), naming the terms
 * the window came from; undefined when it is inside.
 */
export function checkLateness(event: UsageEvent, now: Date, terms: AcceptanceTerms): Rejection | undefined {
  const oldest = now.getTime() - acceptanceWindowMs(terms);
  if (Date.parse(event.time) >= oldest) return undefined;
  return {
    reason: 'too-late',
    path: 'time',
    message:
      `event ${event.source}#${event.id}: time ${event.time} is before ${new Date(oldest).toISOString()}, ` +
      `the start of the acceptance window (period ${terms.periodDays} d + late acceptance ` +
      `${terms.lateAcceptanceDays} d + 1 d, from ${terms.basis}` +
      (acceptanceWindowDays(terms) < terms.periodDays + terms.lateAcceptanceDays + 1
        ? `; capped at ${terms.maxWindowDays} d, the usage retention less a day, so a redelivery always finds the stored copy`
        : '') +
      ')',
  };
}

/** What acceptance reads of a subscription (`Subscription` of @tally/billing satisfies it). */
export interface SubscriptionTermsView {
  readonly id: string;
  readonly interval: BillingInterval;
  readonly phases: readonly { readonly planId: string; readonly planVersion: number }[];
}

/**
 * The most generous terms over every subscription and plan phase of a customer (an event is refused only
 * when no subscription could still bill it), or undefined without subscriptions. A phase whose plan version
 * is unknown (`lateDays` undefined) is skipped: nothing can bill it.
 */
export function termsOfSubscriptions(
  subscriptions: readonly SubscriptionTermsView[],
  lateDays: (planId: string, version: number) => number | undefined,
): AcceptanceTerms | undefined {
  let best: AcceptanceTerms | undefined;
  for (const s of subscriptions) {
    const periodDays = LONGEST_PERIOD_DAYS[s.interval];
    for (const p of s.phases) {
      const late = lateDays(p.planId, p.planVersion);
      if (late === undefined) continue;
      if (best === undefined || periodDays + late > best.periodDays + best.lateAcceptanceDays) {
        best = {
          periodDays,
          lateAcceptanceDays: late,
          basis: `subscription ${s.id} (${s.interval}), plan ${p.planId} v${p.planVersion}`,
        };
      }
    }
  }
  return best;
}

/** The acceptance terms of customers; a customer missing from the answer has no subscription. */
export interface AcceptanceReader {
  termsOf(customerIds: readonly string[]): Promise<ReadonlyMap<string, AcceptanceTerms>>;
}

/** Where subscription acceptance reads from (the subscription and plan stores of @tally/store). */
export interface SubscriptionSource {
  subscriptionsOf(customerId: string): Promise<readonly SubscriptionTermsView[]>;
  /** The plan version's `terms.lateAcceptanceDays`, or undefined when the version does not exist. */
  lateAcceptanceDays(planId: string, version: number): Promise<number | undefined>;
}

/**
 * Acceptance terms from each customer's subscriptions and their plan versions, cached per Lambda container:
 * a customer's terms for `ttlMs` (default 30 s, like the catalog: a new subscription is seen within that
 * time), plan versions for as long as the container lives (a used version never changes).
 *
 * @example
 * const acceptance = new SubscriptionAcceptance({
 *   subscriptionsOf: async (id) => (await subscriptions.listByCustomer(id)).map((s) => s.subscription),
 *   lateAcceptanceDays: async (id, v) => (await plans.get(id, v))?.terms.lateAcceptanceDays,
 * });
 */
export class SubscriptionAcceptance implements AcceptanceReader {
  readonly #source: SubscriptionSource;
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #customers = new Map<string, { terms: AcceptanceTerms | undefined; until: number }>();
  readonly #plans = new Map<string, number | undefined>();

  constructor(source: SubscriptionSource, options: { ttlMs?: number; now?: () => number } = {}) {
    this.#source = source;
    this.#ttlMs = options.ttlMs ?? 30_000;
    this.#now = options.now ?? Date.now;
  }

  async termsOf(customerIds: readonly string[]): Promise<ReadonlyMap<string, AcceptanceTerms>> {
    const now = this.#now();
    const out = new Map<string, AcceptanceTerms>();
    const missing: string[] = [];
    for (const id of customerIds) {
      const cached = this.#customers.get(id);
      if (cached === undefined || cached.until <= now) missing.push(id);
      else if (cached.terms !== undefined) out.set(id, cached.terms);
    }
    await Promise.all(
      missing.map(async (id) => {
        const subscriptions = await this.#source.subscriptionsOf(id);
        await Promise.all(
          subscriptions.flatMap((s) => s.phases.map((p) => this.#plan(p.planId, p.planVersion))),
        );
        const terms = termsOfSubscriptions(subscriptions, (planId, v) => this.#plans.get(planKey(planId, v)));
        this.#customers.set(id, { terms, until: now + this.#ttlMs });
        if (terms !== undefined) out.set(id, terms);
      }),
    );
    return out;
  }

  async #plan(planId: string, version: number): Promise<void> {
    const key = planKey(planId, version);
    if (this.#plans.has(key)) return;
    const late = await this.#source.lateAcceptanceDays(planId, version);
    // A missing version is not cached: it may be published after the subscription that names it.
    if (late !== undefined) this.#plans.set(key, late);
  }
}

function planKey(planId: string, version: number): string {
  return `${planId}\u0000${version}`;
}
