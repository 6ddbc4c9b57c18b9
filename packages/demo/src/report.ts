import { InvoiceSchema } from '@tally/billing';
import { AccountSchema } from '@tally/payments';
import { buildReport, type ReportData, renderHtml } from '@tally/reports';
import { billingTable } from '@tally/resources';
import { createDocumentClient, tableName, tableReportSource } from '@tally/store';

/**
 * Reads what the billing report needs for the demo's customers from the billing table, through the store's
 * report source (the same one `tally report` reads a stack with).
 */
export async function loadReportData(customerIds: readonly string[]): Promise<ReportData> {
  const source = tableReportSource({
    client: createDocumentClient(),
    tableName: tableName(billingTable),
    parseInvoice: InvoiceSchema.parse,
    parseAccount: AccountSchema.parse,
  });
  return source.load({ customerIds });
}

/** The summary report (every section, with charts) as one self-contained HTML page. */
export async function renderReportHtml(data: ReportData, window: { from: string; to: string }, asOf: string) {
  return renderHtml(buildReport('summary', data, { asOf, window }));
}
