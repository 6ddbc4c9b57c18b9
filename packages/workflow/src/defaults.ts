import { SQSClient } from '@aws-sdk/client-sqs';
import { finalizeInvoice, type Invoice, InvoiceSchema, markInvoicePaid } from '@tally/billing';
import { DEFAULT_POLICIES, type DunningPolicies, DunningPoliciesSchema } from '@tally/dunning';
import { AccountSchema } from '@tally/payments';
import { billingJobsQueue, billingTable, deliveryQueue } from '@tally/resources';
import {
  createDocumentClient,
  type DocumentSender,
  InvoiceStore,
  MissingConfigurationError,
  PaymentStore,
  SubscriptionStore,
  tableName,
} from '@tally/store';
import { EventBridgePublisher, SfnDunningStarter, SqsMailSender, withoutSdkLogger } from './adapters.js';
import type { ClosePeriodsDeps } from './close-periods.js';
import { WORKFLOW_ENV } from './env.js';
import { invoiceSourceFromStore } from './invoice-source.js';
import type { Clock } from './ports.js';
import { Receivables } from './receivables.js';

function required(env: NodeJS.ProcessEnv, name: string, what: string): string {
  const v = env[name];
  if (!v) throw new MissingConfigurationError(name, what);
  return v;
}

/** The dunning policies from TALLY_DUNNING_POLICIES (JSON), or the built-in ones. */
export function policiesFromEnv(env: NodeJS.ProcessEnv = process.env): DunningPolicies {
  const raw = env[WORKFLOW_ENV.dunningPolicies];
  return raw ? DunningPoliciesSchema.parse(JSON.parse(raw)) : DEFAULT_POLICIES;
}

/**
 * Billing's invoices in the billing table: the InvoiceStore with @tally/billing's schema and its finalization
 * (the transition every finalizer applies). @tally/store stays free of domain code and takes both as options;
 * this is the one place that binds them.
 *
 * @example
 * const invoices = billingInvoiceStore(createDocumentClient(), tableName(billingTable));
 */
export function billingInvoiceStore(client: DocumentSender, table: string): InvoiceStore<Invoice> {
  return new InvoiceStore<Invoice>({
    client,
    tableName: table,
    parse: (d) => InvoiceSchema.parse(d),
    finalizeDraft: finalizeInvoice,
  });
}

/** {@link billingInvoiceStore} over the billing table named in the environment. */
export function invoiceStoreFromEnv(env: NodeJS.ProcessEnv = process.env): InvoiceStore<Invoice> {
  return billingInvoiceStore(createDocumentClient(), tableName(billingTable, env));
}

/** The stores of the receivables flow over the billing table named in the environment. */
export function storesFromEnv(env: NodeJS.ProcessEnv = process.env) {
  const doc = createDocumentClient();
  const table = tableName(billingTable, env);
  return {
    payments: new PaymentStore({ client: doc, tableName: table, parseAccount: AccountSchema.parse }),
    invoices: invoiceSourceFromStore(billingInvoiceStore(doc, table), markInvoicePaid),
  };
}

/**
 * Period close wired from the environment: the subscriptions of the billing table, the billing-jobs queue
 * (TALLY_BILLING_JOBS_QUEUE_URL) and the system clock. The close-periods Lambda and `tally bill` run it.
 */
export function closePeriodsDepsFromEnv(env: NodeJS.ProcessEnv = process.env): ClosePeriodsDeps {
  const jobsQueueUrl = required(env, billingJobsQueue.envVar, 'the URL of the billing-jobs queue');
  return {
    subscriptions: new SubscriptionStore({
      client: createDocumentClient(),
      tableName: tableName(billingTable, env),
    }),
    sqs: withoutSdkLogger(new SQSClient({ cacheMiddleware: true })),
    jobsQueueUrl,
    clock: { now: () => new Date() },
  };
}

/** The receivables flow wired to AWS (or the local stack) from the environment. */
export function receivablesFromEnv(env: NodeJS.ProcessEnv = process.env, clock?: Clock): Receivables {
  return new Receivables({
    ...storesFromEnv(env),
    mail: new SqsMailSender({
      queueUrl: required(env, deliveryQueue.envVar, 'the URL of the delivery queue'),
    }),
    events: new EventBridgePublisher({
      eventBusName: required(env, WORKFLOW_ENV.eventBusName, 'the name of the EventBridge bus'),
    }),
    policies: policiesFromEnv(env),
    clock: clock ?? { now: () => new Date() },
  });
}

/** `startDunning(invoiceId)` wired from TALLY_DUNNING_STATE_MACHINE_ARN. */
export function dunningStarterFromEnv(env: NodeJS.ProcessEnv = process.env): SfnDunningStarter {
  return new SfnDunningStarter({
    stateMachineArn: required(
      env,
      WORKFLOW_ENV.dunningStateMachineArn,
      'the ARN of the dunning state machine',
    ),
  });
}
