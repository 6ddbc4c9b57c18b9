import type { Subscription } from '@tally/billing';
import { aggregate, type Meter, type UsageRecord } from '@tally/metering';
import { type Plan, PlanSchema, planMeters } from '@tally/rating';
import { billingTable, usageTable } from '@tally/resources';
import {
  CatalogStore,
  createDocumentClient,
  PlanStore,
  SubscriptionStore,
  tableName,
  UsageStore,
} from '@tally/store';
import type { Command } from 'commander';
import { InputError } from '../errors.js';
import type { CommandContext } from '../io.js';

/** A meter's quantity so far in a subscription's open period. */
export interface MeterUsage {
  readonly subscriptionId: string;
  readonly period: { readonly start: string; readonly end: string };
  readonly meterId: string;
  readonly aggregation: string;
  readonly quantity: string;
  readonly unit: string;
  readonly events: number;
}

export type UsageReader = (customerId: string) => Promise<MeterUsage[] | null>;

/** Reads the open period of each of the customer's subscriptions and aggregates every meter of its plan. */
async function usageFromEnv(customerId: string): Promise<MeterUsage[] | null> {
  const doc = createDocumentClient();
  const billing = tableName(billingTable);
  const catalog = new CatalogStore({ doc, tableName: billing });
  if (!(await catalog.getCustomer(customerId))) return null;
  const subscriptions = new SubscriptionStore<Subscription>({ client: doc, tableName: billing });
  const plans = new PlanStore<Plan>({ client: doc, tableName: billing, parse: (d) => PlanSchema.parse(d) });
  const usage = new UsageStore({ doc, tableName: tableName(usageTable) });
  const out: MeterUsage[] = [];
  for (const { subscription, cycle } of await subscriptions.listByCustomer(customerId)) {
    if (!cycle) continue;
    const phase =
      [...subscription.phases].reverse().find((p) => p.from <= cycle.periodEnd) ?? subscription.phases[0]!;
    const plan = await plans.get(phase.planId, phase.planVersion);
    // As billing reads them: the meters a plan file carries, else the meter registry's, for every meter a
    // charge reads (in the pipeline plans carry none: they come from the registry).
    const meters: Meter[] = Object.values(
      plan === null
        ? {}
        : await planMeters([plan], async (id) => {
            const meter = await catalog.getMeter(id);
            if (meter === undefined) {
              throw new Error(
                `plan ${phase.planId} v${phase.planVersion} reads meter ${id}, which is not registered`,
              );
            }
            return meter;
          }),
    );
    const period = { start: cycle.periodStart, end: cycle.periodEnd };
    for (const meter of meters) {
      const records: UsageRecord[] = [];
      for await (const r of usage.queryRecords({ customerId, meter, from: period.start, to: period.end }))
        records.push(r);
      out.push({
        subscriptionId: subscription.id,
        period,
        meterId: meter.id,
        aggregation: meter.aggregation,
        quantity: aggregate(meter, records, period).toFixed(),
        unit: meter.unit ?? '',
        events: records.length,
      });
    }
  }
  return out;
}

/** `tally usage <customer>`: the current period's usage so far, by meter. */
export function register(program: Command, { io }: CommandContext, read: UsageReader = usageFromEnv): void {
  program
    .command('usage <customer>')
    .description("a customer's usage so far in the current period, by meter")
    .option('--json', 'print JSON')
    .action(async (customer: string, o: { json?: boolean }) => {
      const rows = await read(customer);
      if (rows === null) throw new InputError(`customer ${customer} not found`);
      if (o.json) {
        io.out(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      if (rows.length === 0) {
        io.out(`${customer} has no open billing period\n`);
        return;
      }
      for (const r of rows) {
        io.out(
          `${r.subscriptionId}  ${r.period.start}..${r.period.end}  ${r.meterId.padEnd(12)} ${r.aggregation.padEnd(22)} ${[r.quantity, r.unit].filter(Boolean).join(' ')}  (${r.events} events)\n`,
        );
      }
    });
}
