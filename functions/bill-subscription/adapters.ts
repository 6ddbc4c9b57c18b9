import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { type Customer, CustomerSchema, type Issuer, IssuerSchema } from '@tally/billing';
import type { Meter } from '@tally/metering';
import type { Plan } from '@tally/rating';
import { type CatalogStore, type InvoiceStore, NotFoundError, type PlanStore } from '@tally/store';
import type { BillingCatalog, DeliveryPort } from './bill.js';
import type { Invoice } from './billing-api.js';

/**
 * The catalogue as billing reads it: customers and meters from the catalog store (ingestion's), plan versions
 * from the plan store, issuers from the invoice store. A customer's item carries ingestion's fields and
 * billing's; billing validates its own.
 */
export class StoreCatalog implements BillingCatalog {
  constructor(
    private readonly stores: {
      readonly catalog: Pick<CatalogStore, 'getCustomer' | 'getMeter'>;
      readonly plans: PlanStore<Plan>;
      readonly invoices: Pick<InvoiceStore<Invoice>, 'getIssuer'>;
    },
  ) {}

  async customer(id: string): Promise<Customer> {
    const c = await this.stores.catalog.getCustomer(id);
    if (c === undefined) throw new NotFoundError('customer', id);
    return CustomerSchema.parse(c);
  }

  async issuer(id: string): Promise<Issuer> {
    const i = await this.stores.invoices.getIssuer(id);
    if (i === null) throw new NotFoundError('issuer', id);
    return IssuerSchema.parse(i);
  }

  async planVersion(planId: string, version: number): Promise<Plan> {
    const p = await this.stores.plans.get(planId, version);
    if (p === null) throw new NotFoundError('plan', `${planId} v${version}`);
    return p;
  }

  async meter(id: string): Promise<Meter> {
    const m = await this.stores.catalog.getMeter(id);
    if (m === undefined) throw new NotFoundError('meter', id);
    return m;
  }
}

/** Hands finalized invoices to the delivery queue; the request id makes a re-send a no-op downstream. */
export class SqsDelivery implements DeliveryPort {
  constructor(
    private readonly sqs: Pick<SQSClient, 'send'>,
    private readonly queueUrl: string,
  ) {}

  async enqueueInvoice(invoiceId: string): Promise<void> {
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify({ invoiceId, requestId: `${invoiceId}:invoice`, kind: 'invoice' }),
      }),
    );
  }
}
