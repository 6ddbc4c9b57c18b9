import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { billingTable } from '@tally/resources';
import { createDocumentClient, type StorableInvoice } from '@tally/store';
import { tableInput, untilTable } from '../../packages/local-stack/src/index.js';
import { localClients, uniquePrefix } from './aws.js';

/** A document client on the local stack's DynamoDB (dynalite). */
export function localDocumentClient() {
  return createDocumentClient({ endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB });
}

/** Creates a billing table of this test's own, from the definition infra and the local stack use; returns its name. */
export async function createBillingTable(label: string): Promise<string> {
  const table = `${uniquePrefix(label)}Billing`;
  const { ddb } = localClients();
  await ddb.send(new CreateTableCommand(tableInput(billingTable, table)));
  await untilTable(ddb, table, 'ACTIVE');
  return table;
}

/** A January 2026 draft with the fields the invoice store reads; tests spread their own fields on top. */
export function storableDraft(
  id: string,
  o: { issuer?: string; customer?: string; start?: string } = {},
): StorableInvoice & { number: string | null; dueDate: string | null } {
  return {
    id,
    status: 'draft',
    number: null,
    subscriptionId: `sub-${id}`,
    dueDate: null,
    issuer: { id: o.issuer ?? 'acme' },
    customer: { id: o.customer ?? 'cus-1' },
    period: { start: o.start ?? '2026-01-01T00:00:00Z', end: '2026-02-01T00:00:00Z' },
  };
}
