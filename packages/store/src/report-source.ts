import type { Invoice } from '@tally/billing';
import { Decimal } from '@tally/money';
import type { Account } from '@tally/payments';
import type { ReportData, ReportPayment, UsagePoint } from '@tally/reports';
import { DateTime } from 'luxon';
import { type DocumentSender, InvoiceStore } from './invoice-store.js';
import { PaymentStore } from './payment-store.js';

/**
 * What the billing reports (`@tally/reports`) read, loaded from the billing table by Query and GetItem only
 * (never Scan), every query paginated by the stores it goes through.
 *
 * | what                       | access pattern (owner)                                                        |
 * | -------------------------- | ----------------------------------------------------------------------------- |
 * | the customers              | gsi1 `PAYACCTS` / `<customerId>`: every receivables account (payment-store.ts) |
 * |                            | or the ids the caller names, each account by pk `PAY#ACCT#<id>` (GetItem)      |
 * | a customer's invoices      | gsi2 `CUSTINV#<customerId>` / `<periodStart>#<id>` (invoice-store.ts)           |
 * | payments and refunds       | the account's journal and ledger: how the receivables ledger allocated them    |
 * | usage totals               | the invoices' usage lines: no read of the raw usage table                      |
 *
 * Without named customers, a customer appears once its first finalized invoice is registered in the
 * receivables ledger (the dunning state machine's first step does that seconds after finalization), so a
 * report never misses an invoice that can be owed. Credit notes are not stored by tally yet: none are loaded.
 */

/** What to load. */
export interface ReportSourceQuery {
  /** Only these customers (the demo knows them); default every customer with a receivables account. */
  readonly customerIds?: readonly string[];
}

/** The store operations the source reads through (the real stores, or fakes in tests). */
export interface ReportSourcePorts {
  readonly invoices: Pick<InvoiceStore<Invoice>, 'listByCustomer'>;
  readonly payments: Pick<PaymentStore, 'listAccounts' | 'getAccount'>;
  /** Customers read at the same time. Default 8. */
  readonly concurrency?: number;
}

export interface TableReportSourceOptions {
  readonly client: DocumentSender;
  /** The billing table. */
  readonly tableName: string;
  /** Validates a stored invoice (`InvoiceSchema.parse` of @tally/billing). */
  readonly parseInvoice: (data: unknown) => Invoice;
  /** Validates a stored account (`AccountSchema.parse` of @tally/payments). Default: trusts the stored JSON. */
  readonly parseAccount?: (data: unknown) => Account;
}

/**
 * Loads {@link ReportData} from the billing table.
 *
 * @example
 * const source = tableReportSource({ client, tableName, parseInvoice: InvoiceSchema.parse });
 * const doc = buildReport('aging', await source.load(), { asOf, window });
 */
export class ReportSource {
  readonly #ports: ReportSourcePorts;

  constructor(ports: ReportSourcePorts) {
    this.#ports = ports;
  }

  async load(query: ReportSourceQuery = {}): Promise<ReportData> {
    const customers: { id: string; account: Account | undefined }[] =
      query.customerIds === undefined
        ? (await this.#ports.payments.listAccounts()).map((account) => ({ id: account.customerId, account }))
        : await mapLimit([...new Set(query.customerIds)], this.#concurrency, async (id) => ({
            id,
            account: await this.#ports.payments.getAccount(id),
          }));
    const perCustomer = await mapLimit(customers, this.#concurrency, async ({ id, account }) => {
      const invoices = (await this.#ports.invoices.listByCustomer(id))
        .map((s) => s.invoice)
        .filter((i) => i.status !== 'draft');
      return { invoices, payments: account ? reportPayments(account) : [] };
    });
    const invoices = perCustomer.flatMap((c) => c.invoices);
    return {
      invoices,
      payments: perCustomer.flatMap((c) => c.payments),
      creditNotes: [],
      usage: usagePoints(invoices),
    };
  }

  get #concurrency(): number {
    return this.#ports.concurrency ?? 8;
  }
}

/** A {@link ReportSource} over the invoice and payment stores of one billing table. */
export function tableReportSource(options: TableReportSourceOptions): ReportSource {
  const { client, tableName } = options;
  return new ReportSource({
    invoices: new InvoiceStore<Invoice>({
      client,
      tableName,
      parse: options.parseInvoice,
      finalizeDraft: () => {
        throw new Error('the report source only reads invoices');
      },
    }),
    payments: new PaymentStore({
      client,
      tableName,
      ...(options.parseAccount ? { parseAccount: options.parseAccount } : {}),
    }),
  });
}

/**
 * The payments of an account as the reports see them: one report payment per amount the ledger put on an
 * invoice. Payment allocations come from the journal (a refund's reversals are negative there and become
 * refunds here); amounts the customer's credit balance paid come from the invoice's ledger entry, so an
 * invoice settled by credit shows as paid. Credit balance itself is left out: it moves from one invoice to
 * the next, and counting it as unapplied cash as well would count the same money twice.
 */
export function reportPayments(account: Account): ReportPayment[] {
  const out: ReportPayment[] = [];
  const push = (id: string, invoiceId: string, amount: string, at: string, kind: ReportPayment['kind']) => {
    const negative = amount.startsWith('-');
    out.push({
      id,
      customerId: account.customerId,
      invoiceId,
      amount: negative ? amount.slice(1) : amount,
      currency: account.currency,
      receivedAt: at,
      kind: negative ? 'refund' : kind,
    });
  };
  for (const [paymentId, entry] of Object.entries(account.payments)) {
    for (const [i, a] of entry.allocations.entries()) {
      push(`${paymentId}#${i}`, a.invoiceId, a.amount, entry.at, entry.kind);
    }
  }
  for (const invoice of Object.values(account.invoices)) {
    for (const [i, a] of invoice.allocations.entries()) {
      if (a.source === 'credit') push(`credit#${invoice.id}#${i}`, invoice.id, a.amount, a.at, 'payment');
    }
  }
  return out;
}

const USAGE_KINDS = new Set(['usage', 'allowance']);

/**
 * Usage totals per customer·meter·unit·period from the usage lines of issued (not void) invoices: usage and
 * included-allowance lines sum to what was measured, and late-usage adjustments add to the period they
 * correct. The period start is written in the customer's zone, so every customer's "March" starts on
 * 03-01 whatever its offset (usage trends group by that date).
 */
export function usagePoints(invoices: readonly Invoice[]): UsagePoint[] {
  const totals = new Map<string, UsagePoint>();
  for (const invoice of invoices) {
    if (invoice.status === 'draft' || invoice.status === 'void') continue;
    for (const line of invoice.lines) {
      const kind = line.kind === 'adjustment' ? line.adjusts?.originalKind : line.kind;
      if (line.meterId === undefined || kind === undefined || !USAGE_KINDS.has(kind)) continue;
      const periodStart = DateTime.fromISO(line.period.start, { zone: invoice.customer.timeZone }).toISO({
        suppressMilliseconds: true,
      });
      if (periodStart === null) continue;
      const unit = line.unit ?? line.meterId;
      const key = JSON.stringify([invoice.customer.id, line.meterId, unit, periodStart]);
      const seen = totals.get(key);
      totals.set(key, {
        customerId: invoice.customer.id,
        meterId: line.meterId,
        periodStart,
        unit,
        quantity: seen === undefined ? line.quantity : addDecimalStrings(seen.quantity, line.quantity),
      });
    }
  }
  return [...totals.values()];
}

function addDecimalStrings(a: string, b: string): string {
  return new Decimal(a).plus(b).toFixed();
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
