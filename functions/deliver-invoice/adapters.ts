import { type Invoice, InvoiceSchema } from '@tally/billing';
import {
  type Appendix,
  type AppendixQuery,
  type AppendixRows,
  type AppendixSource,
  appendixSpecOf,
  type CallRecord,
  type DocumentKind,
  type IntervalRecord,
  loadAppendix,
  PayToSchema,
} from '@tally/documents';
import { EmulatorSentMailLookup, NoSentMailLookup, type SentMailLookup } from '@tally/mail';
import type { Meter } from '@tally/metering';
import { Decimal } from '@tally/money';
import { billingTable, usageTable } from '@tally/resources';
import {
  CatalogStore,
  type createDocumentClient,
  firstRecords,
  type InvoiceStore,
  NotFoundError,
  PlanStore,
  type StorableInvoice,
  tableName,
  UsageStore,
} from '@tally/store';
import type { AppendixLoader, InvoiceReader } from './ports.js';

/** Reads invoices through billing's invoice store and validates them with InvoiceSchema. */
export class StoreInvoiceReader implements InvoiceReader {
  constructor(private readonly store: Pick<InvoiceStore<StorableInvoice>, 'get'>) {}

  async get(invoiceId: string): Promise<Invoice | null> {
    const stored = await this.store.get(invoiceId);
    return stored === null ? null : InvoiceSchema.parse(stored.invoice);
  }
}

/**
 * The sent-mail lookup for this environment: the emulator's store when the SES endpoint is overridden (the
 * local stack sets AWS_ENDPOINT_URL_SESV2), otherwise none (SES cannot be asked).
 */
export function sentMailLookupFromEnv(env: NodeJS.ProcessEnv = process.env): SentMailLookup {
  const endpoint = env.AWS_ENDPOINT_URL_SESV2;
  return endpoint ? new EmulatorSentMailLookup(endpoint) : new NoSentMailLookup();
}

/** Payment details printed under "How to pay": `TALLY_PAY_TO` as JSON ({ accountHolder, iban, bic, url }). */
export function payToFromEnv(env: NodeJS.ProcessEnv = process.env) {
  const raw = env.TALLY_PAY_TO;
  if (!raw) return undefined;
  return PayToSchema.parse(JSON.parse(raw));
}

/** Meters by id (the catalog store's `getMeter`). */
export interface MeterReader {
  getMeter(id: string): Promise<Meter | undefined>;
}

/**
 * Appendix rows from the usage store: the earliest records of the meter in the invoice period. Calls read
 * the record's value as seconds and its `destination` dimension (what the `call` pricing model reads); an
 * interval reading covers [time, time + intervalMinutes). Call amounts are left out: rating prices calls in
 * groups (included minutes are drawn in call order), so a per-call amount would not add up to the lines.
 */
export class UsageAppendixSource implements AppendixSource {
  constructor(
    private readonly deps: {
      readonly usage: Pick<UsageStore, 'queryRecords'>;
      readonly meters: MeterReader;
    },
  ) {}

  async callRecords(q: AppendixQuery): Promise<AppendixRows<CallRecord>> {
    const { records, total } = await this.#first(q);
    return {
      total,
      records: records.map((r) => ({
        at: r.time,
        destination: r.dimensions?.destination ?? '',
        durationSeconds: new Decimal(r.value).ceil().toNumber(),
      })),
    };
  }

  async intervals(
    q: AppendixQuery & { readonly intervalMinutes: number },
  ): Promise<AppendixRows<IntervalRecord>> {
    const { records, total, meter } = await this.#first(q);
    const ms = q.intervalMinutes * 60_000;
    return {
      total,
      ...(meter.unit === undefined ? {} : { unit: meter.unit }),
      records: records.map((r) => ({
        start: r.time,
        end: new Date(Date.parse(r.time) + ms).toISOString(),
        quantity: r.value,
      })),
    };
  }

  async #first(q: AppendixQuery) {
    const meter = await this.deps.meters.getMeter(q.meterId);
    if (meter === undefined) throw new NotFoundError('meter', q.meterId);
    const rows = await firstRecords(this.deps.usage, {
      customerId: q.customerId,
      meter,
      from: q.period.start,
      to: q.period.end,
      limit: q.limit,
    });
    return { ...rows, meter };
  }
}

/** Kinds whose PDF is the invoice itself (reminders and final notices attach it again). */
const INVOICE_PDF_KINDS: ReadonlySet<DocumentKind> = new Set(['invoice', 'reminder', 'final-notice']);

/**
 * The appendix of an invoice document: the plan versions its lines were rated with are read as stored, and
 * the newest one that asks for an appendix (`terms.appendix`) decides; an invoice with no line of that meter
 * gets none. An invalid request in a plan is
 * reported through `warn` and leaves the appendix out: the invoice is sent without it rather than not at all.
 */
export class PlanAppendixLoader implements AppendixLoader {
  constructor(
    private readonly deps: {
      /** Plan versions as stored (a `PlanStore` without `parse`). */
      readonly plans: { get(planId: string, version: number): Promise<unknown> };
      readonly source: AppendixSource;
      /** Default {@link APPENDIX_ROW_LIMIT}. */
      readonly limit?: number;
      readonly warn?: (message: string, detail: Record<string, unknown>) => void;
    },
  ) {}

  async forDocument(invoice: Invoice, kind: DocumentKind): Promise<Appendix | undefined> {
    if (!INVOICE_PDF_KINDS.has(kind)) return undefined;
    const versions = new Map<string, { planId: string; planVersion: number }>();
    for (const l of invoice.lines) versions.set(`${l.planId}\u0000${l.planVersion}`, l);
    const newestFirst = [...versions.values()].sort((a, b) => b.planVersion - a.planVersion);
    for (const v of newestFirst) {
      const found = appendixSpecOf(await this.deps.plans.get(v.planId, v.planVersion));
      if (found === null) continue;
      if ('error' in found) {
        this.deps.warn?.(`plan ${v.planId} v${v.planVersion} asks for an invalid appendix: ${found.error}`, {
          invoiceId: invoice.id,
          ...v,
        });
        return undefined;
      }
      // Only an invoice that bills the meter's usage lists its records: an opening invoice (fees in
      // advance) covers the same period, but its usage is billed on the next invoice.
      if (!invoice.lines.some((l) => l.meterId === found.spec.meterId)) return undefined;
      return loadAppendix(this.deps.source, found.spec, invoice, this.deps.limit);
    }
    return undefined;
  }
}

/**
 * The appendix loader of this environment: plan versions and meters from the billing table, usage from the
 * usage table (`TALLY_USAGE_TABLE`). Undefined when the function is not given the usage table: invoices then
 * go out without appendices rather than not at all.
 */
export function appendixLoaderFromEnv(
  doc: ReturnType<typeof createDocumentClient>,
  env: NodeJS.ProcessEnv = process.env,
  warn?: (message: string, detail: Record<string, unknown>) => void,
): AppendixLoader | undefined {
  if (!env[usageTable.envVar]) return undefined;
  const billing = tableName(billingTable, env);
  return new PlanAppendixLoader({
    plans: new PlanStore({ client: doc, tableName: billing }),
    source: new UsageAppendixSource({
      usage: new UsageStore({ doc, tableName: tableName(usageTable, env) }),
      meters: new CatalogStore({ doc, tableName: billing }),
    }),
    ...(warn ? { warn } : {}),
  });
}
