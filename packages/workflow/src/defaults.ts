import { finalizeInvoice, type Invoice, InvoiceSchema, markInvoicePaid } from '@tally/billing';
import { DEFAULT_POLICIES, type DunningPolicies, DunningPoliciesSchema } from '@tally/dunning';
import { AccountSchema } from '@tally/payments';
import { billingTable, deliveryQueue } from '@tally/resources';
import {
  createDocumentClient,
  InvoiceStore,
  MissingConfigurationError,
  PaymentStore,
  tableName,
} from '@tally/store';
import { EventBridgePublisher, SfnDunningStarter, SqsMailSender } from './adapters.js';
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

/** The stores of the receivables flow over the billing table named in the environment. */
export function storesFromEnv(env: NodeJS.ProcessEnv = process.env) {
  const doc = createDocumentClient();
  const table = tableName(billingTable, env);
  const invoiceStore = new InvoiceStore<Invoice>({
    client: doc,
    tableName: table,
    parse: InvoiceSchema.parse,
    finalizeDraft: finalizeInvoice,
  });
  return {
    payments: new PaymentStore({ client: doc, tableName: table, parseAccount: AccountSchema.parse }),
    invoices: invoiceSourceFromStore(invoiceStore, markInvoicePaid),
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
