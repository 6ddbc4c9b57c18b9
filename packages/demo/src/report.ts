import { finalizeInvoice, type Invoice, InvoiceSchema } from '@tally/billing';
import { AccountSchema } from '@tally/payments';
import { buildReport, type ReportData, type ReportPayment, renderHtml } from '@tally/reports';
import { billingTable } from '@tally/resources';
import { createDocumentClient, InvoiceStore, PaymentStore, tableName } from '@tally/store';

/**
 * Reads what the billing report needs from the billing table: every customer's invoices, and the
 * payments as the receivables ledger allocated them (one report payment per invoice allocation, so
 * aging sees what each invoice received).
 */
export async function loadReportData(customerIds: readonly string[]): Promise<ReportData> {
  const client = createDocumentClient();
  const table = tableName(billingTable);
  const invoices = new InvoiceStore<Invoice>({
    client,
    tableName: table,
    parse: InvoiceSchema.parse,
    finalizeDraft: finalizeInvoice,
  });
  const payments = new PaymentStore({ client, tableName: table, parseAccount: AccountSchema.parse });
  const allInvoices: Invoice[] = [];
  const allPayments: ReportPayment[] = [];
  for (const id of customerIds) {
    for (const { invoice } of await invoices.listByCustomer(id)) {
      if (invoice.status !== 'draft') allInvoices.push(invoice);
    }
    const account = await payments.getAccount(id);
    for (const [paymentId, entry] of Object.entries(account?.payments ?? {})) {
      for (const [i, a] of entry.allocations.entries()) {
        const negative = a.amount.startsWith('-');
        allPayments.push({
          id: `${paymentId}#${i}`,
          customerId: id,
          invoiceId: a.invoiceId,
          amount: negative ? a.amount.slice(1) : a.amount,
          currency: account!.currency,
          receivedAt: entry.at,
          kind: entry.kind,
        });
      }
    }
  }
  return { invoices: allInvoices, payments: allPayments, creditNotes: [], usage: [] };
}

/** The summary report (every section, with charts) as one self-contained HTML page. */
export async function renderReportHtml(data: ReportData, window: { from: string; to: string }, asOf: string) {
  return renderHtml(buildReport('summary', data, { asOf, window }));
}
