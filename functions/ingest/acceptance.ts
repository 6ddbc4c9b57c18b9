import { SubscriptionAcceptance, type SubscriptionTermsView } from '@tally/ingest';
import { PlanTermsSchema } from '@tally/rating';
import { type DocumentSender, PlanStore, SubscriptionStore } from '@tally/store';
import { z } from 'zod';

/** What acceptance reads of a stored subscription; other fields pass untouched (billing owns them). */
const SubscriptionViewSchema = z.object({
  id: z.string().min(1),
  interval: z.enum(['week', 'month', 'quarter', 'year']),
  phases: z.array(z.object({ planId: z.string().min(1), planVersion: z.int().min(1) })),
});

/** What acceptance reads of a stored plan version: its terms, with the rating package's defaults. */
const PlanViewSchema = z.object({ terms: PlanTermsSchema.prefault({}) });

/**
 * The customers' acceptance windows from the billing table: a customer's subscriptions (Query gsi2
 * `CUSTSUB#<customerId>`) and the plan versions they name (GetItem `PLAN#<id>` / `V#<version>`), cached
 * (customers 30 s like the catalog, plan versions for the container's life: they never change). Shared by
 * the ingest and http-ingest functions.
 */
export function subscriptionAcceptance(
  client: DocumentSender,
  tableName: string,
  options: { ttlMs?: number; now?: () => number } = {},
): SubscriptionAcceptance {
  const subscriptions = new SubscriptionStore<SubscriptionTermsView & { customerId: string; start: string }>({
    client,
    tableName,
    parse: (data) => ({
      ...(data as { customerId: string; start: string }),
      ...SubscriptionViewSchema.parse(data),
    }),
  });
  const plans = new PlanStore({
    client,
    tableName,
    parse: (data) => ({ ...(data as { id: string; version: number }), ...PlanViewSchema.parse(data) }),
  });
  return new SubscriptionAcceptance(
    {
      subscriptionsOf: async (customerId) =>
        (await subscriptions.listByCustomer(customerId)).map((s) => s.subscription),
      lateAcceptanceDays: async (planId, version) =>
        (await plans.get(planId, version))?.terms.lateAcceptanceDays,
    },
    options,
  );
}
