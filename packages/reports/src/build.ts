import { type Decimal, formatMinor, roundTo } from '@tally/money';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { AGING_BUCKETS, type AgingReport, agingReport } from './aging.js';
import { type CeiReport, ceiReport, type DsoReport, dsoReport } from './collection.js';
import type { ChartSpec, ReportDocument, ReportRow, ReportSection } from './document.js';
import { ReportInputError } from './errors.js';
import { type ReportData, type ReportWindow, ReportWindowSchema } from './inputs.js';
import { type AccuracyReport, accuracyReport, type TimelinessReport, timelinessReport } from './quality.js';
import { type RevenueReport, revenueReport } from './revenue.js';
import { type UsageTrendsReport, usageTrendsReport } from './usage-trends.js';

/** The reports `tally report <name>` knows; `summary` is all of them in one document. */
export const REPORT_NAMES = [
  'aging',
  'dso',
  'cei',
  'timeliness',
  'accuracy',
  'revenue',
  'usage',
  'summary',
] as const;
export const ReportNameSchema = z.enum(REPORT_NAMES);
export type ReportName = z.infer<typeof ReportNameSchema>;

/**
 * Parameters of a report run. `asOf` is the instant the report describes (never read from a clock); `window` is
 * the period measured by DSO, CEI, timeliness, accuracy, revenue and usage.
 */
export const ReportOptionsSchema = z
  .object({
    asOf: z.iso.datetime({ offset: true }),
    window: ReportWindowSchema,
    /** Timeliness threshold N: an invoice is on time when finalized at most N hours after its period closed. */
    timelinessHours: z.number().positive().default(24),
    /** Start of the usage trend series (default: six calendar months before the end of the window, UTC). */
    trendFrom: z.iso.datetime({ offset: true }).optional(),
  })
  .refine((o) => o.trendFrom === undefined || Date.parse(o.trendFrom) < Date.parse(o.window.to), {
    message: '`trendFrom` must be before the end of the window',
    path: ['trendFrom'],
  });
export type ReportOptions = z.input<typeof ReportOptionsSchema>;

const DEFINITIONS: Record<Part, string> = {
  aging:
    'Aging: open amount (amount due − payments + refunds − credit notes up to as-of) of finalized, unpaid, non-void invoices, by calendar days past the due date in the customer’s time zone; an invoice due on the as-of date is current.',
  dso: 'DSO (period-end variant) = receivables at the end of the window ÷ credit sales in the window (amount due of invoices finalized in it) × days in the window.',
  cei: 'CEI = (beginning receivables + credit sales − ending total receivables) ÷ (beginning receivables + credit sales − ending current receivables) × 100.',
  timeliness:
    'Timeliness: share of period invoices whose period closed in the window that were finalized within N hours of the close; drafts count as late once N hours have passed, else as pending.',
  accuracy:
    'Accuracy: share of the invoices finalized in the window not referenced by a credit note issued up to as-of.',
  revenue:
    'Revenue: Σ invoice line amounts of invoices finalized in the window and not void, per currency; credit notes shown beside, not allocated.',
  usage:
    'Usage: Σ over customers of each meter’s quantity per billing period starting in the window, per unit.',
};

type Part = Exclude<ReportName, 'summary'>;

/** One entry per report, so a report without a layout fails the type check. */
const SECTIONS: Record<
  Part,
  (
    data: ReportData,
    o: { asOf: string; window: ReportWindow; timelinessHours: number; trend: ReportWindow },
  ) => ReportSection[]
> = {
  aging: (data, o) => agingSections(agingReport(data, o.asOf)),
  dso: (data, o) => [dsoSection(dsoReport(data, o.window))],
  cei: (data, o) => [ceiSection(ceiReport(data, o.window))],
  timeliness: (data, o) => timelinessSections(timelinessReport(data, o.window, o.asOf, o.timelinessHours)),
  accuracy: (data, o) => accuracySections(accuracyReport(data, o.window, o.asOf)),
  revenue: (data, o) => revenueSections(revenueReport(data, o.window, o.asOf)),
  usage: (data, o) => usageSections(usageTrendsReport(data, o.trend)),
};

const TITLES: Record<ReportName, string> = {
  aging: 'Receivables aging',
  dso: 'Days sales outstanding',
  cei: 'Collection effectiveness index',
  timeliness: 'Billing timeliness',
  accuracy: 'Billing accuracy',
  revenue: 'Revenue by plan, meter and currency',
  usage: 'Usage trends per meter',
  summary: 'Billing report',
};

/**
 * Computes a report and lays it out as a document for the renderers.
 *
 * @example
 * const doc = buildReport('aging', data, { asOf: '2026-05-01T00:00:00Z', window: { from: '2026-04-01T00:00:00Z', to: '2026-05-01T00:00:00Z' } });
 * process.stdout.write(renderTable(doc));
 */
export function buildReport(name: ReportName, data: ReportData, options: ReportOptions): ReportDocument {
  const parsed = ReportOptionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new ReportInputError(`invalid report options: ${z.prettifyError(parsed.error)}`, { options });
  }
  const { asOf, window, timelinessHours } = parsed.data;
  const trend = {
    from:
      parsed.data.trendFrom ??
      (DateTime.fromISO(window.to, { zone: 'utc' })
        .minus({ months: 6 })
        .toISO({ suppressMilliseconds: true }) as string),
    to: window.to,
  };
  const parts: Part[] =
    name === 'summary' ? ['aging', 'dso', 'cei', 'timeliness', 'accuracy', 'revenue', 'usage'] : [name];
  const sections = parts.flatMap((part) => SECTIONS[part](data, { asOf, window, timelinessHours, trend }));
  return {
    name,
    title: TITLES[name],
    asOf,
    window,
    parameters: [
      { label: 'As of', value: asOf },
      { label: 'Window', value: `${window.from} – ${window.to} (end exclusive)` },
      ...(parts.includes('timeliness')
        ? [{ label: 'Timeliness threshold', value: `${timelinessHours} h` }]
        : []),
      ...(parts.includes('usage') ? [{ label: 'Usage trend from', value: trend.from }] : []),
    ],
    sections,
    definitions: parts.map((p) => DEFINITIONS[p]),
  };
}

const money = (amount: Decimal, currency: string) => formatMinor(amount, currency);
const ratio = (value: Decimal | null, places = 1) =>
  value === null ? null : roundTo(value, places).toFixed(places);

const BUCKET_LABELS: Record<(typeof AGING_BUCKETS)[number], string> = {
  current: 'Current',
  '1-30': '1–30 days',
  '31-60': '31–60 days',
  '61-90': '61–90 days',
  '90+': 'Over 90 days',
};

const bucketColumns = AGING_BUCKETS.map((b) => ({ key: b, label: BUCKET_LABELS[b], kind: 'money' as const }));

function agingSections(r: AgingReport): ReportSection[] {
  const charts: ChartSpec[] = r.currencies.map((c) => ({
    id: `aging-${c.currency}`,
    title: `Open receivables by age, ${c.currency}`,
    description: `Bar chart of the ${c.currency} open balance of ${money(c.total, c.currency)} by days past due as of ${r.asOf}.`,
    kind: 'bar',
    xLabel: 'Days past due',
    yLabel: `Open amount (${c.currency})`,
    points: AGING_BUCKETS.map((b) => ({ x: BUCKET_LABELS[b], y: c.buckets[b].toFixed() })),
  }));
  return [
    {
      id: 'aging-summary',
      title: 'Aging by currency',
      description: `Open receivables as of ${r.asOf}. Each currency stands alone; amounts are never converted.`,
      columns: [
        { key: 'currency', label: 'Currency', kind: 'text' },
        ...bucketColumns,
        { key: 'total', label: 'Total open', kind: 'money' },
        { key: 'unapplied', label: 'Unapplied cash', kind: 'money' },
      ],
      rows: r.currencies.map((c) => ({
        cells: {
          currency: c.currency,
          ...Object.fromEntries(AGING_BUCKETS.map((b) => [b, money(c.buckets[b], c.currency)])),
          total: money(c.total, c.currency),
          unapplied: money(c.unapplied, c.currency),
        },
      })),
      charts,
    },
    {
      id: 'aging-customers',
      title: 'Aging by customer',
      columns: [
        { key: 'currency', label: 'Currency', kind: 'text' },
        { key: 'customer', label: 'Customer', kind: 'text' },
        { key: 'customerId', label: 'Customer id', kind: 'text' },
        ...bucketColumns,
        { key: 'total', label: 'Total open', kind: 'money' },
      ],
      rows: r.currencies.flatMap((c) =>
        c.customers.map((x) => ({
          cells: {
            currency: c.currency,
            customer: x.customerName,
            customerId: x.customerId,
            ...Object.fromEntries(AGING_BUCKETS.map((b) => [b, money(x.buckets[b], c.currency)])),
            total: money(x.total, c.currency),
          },
        })),
      ),
    },
    {
      id: 'aging-invoices',
      title: 'Open invoices',
      columns: [
        { key: 'currency', label: 'Currency', kind: 'text' },
        { key: 'invoice', label: 'Invoice', kind: 'text' },
        { key: 'customerId', label: 'Customer id', kind: 'text' },
        { key: 'dueDate', label: 'Due', kind: 'date' },
        { key: 'daysPastDue', label: 'Days past due', kind: 'count' },
        { key: 'bucket', label: 'Bucket', kind: 'text' },
        { key: 'open', label: 'Open', kind: 'money' },
      ],
      rows: r.currencies.flatMap((c) =>
        c.invoices.map((i) => ({
          cells: {
            currency: c.currency,
            invoice: i.number ?? i.invoiceId,
            customerId: i.customerId,
            dueDate: i.dueDate,
            daysPastDue: String(i.daysPastDue),
            bucket: BUCKET_LABELS[i.bucket],
            open: money(i.open, c.currency),
          },
        })),
      ),
    },
  ];
}

function dsoSection(r: DsoReport): ReportSection {
  return {
    id: 'dso',
    title: 'Days sales outstanding',
    description: 'Period-end DSO per currency: ending receivables ÷ credit sales × days in the window.',
    columns: [
      { key: 'currency', label: 'Currency', kind: 'text' },
      { key: 'ending', label: 'Ending receivables', kind: 'money' },
      { key: 'sales', label: 'Credit sales', kind: 'money' },
      { key: 'days', label: 'Days', kind: 'number' },
      { key: 'dso', label: 'DSO (days)', kind: 'number' },
    ],
    rows: r.rows.map((x) => ({
      cells: {
        currency: x.currency,
        ending: money(x.endingReceivables, x.currency),
        sales: money(x.creditSales, x.currency),
        days: ratio(x.days, 2),
        dso: ratio(x.dso),
      },
    })),
    notes: r.rows.some((x) => x.dso === null) ? ['DSO is blank where the window had no credit sales.'] : [],
  };
}

function ceiSection(r: CeiReport): ReportSection {
  return {
    id: 'cei',
    title: 'Collection effectiveness index',
    description: 'Per currency: (B + S − E) ÷ (B + S − Ecurrent) × 100.',
    columns: [
      { key: 'currency', label: 'Currency', kind: 'text' },
      { key: 'beginning', label: 'Beginning receivables (B)', kind: 'money' },
      { key: 'sales', label: 'Credit sales (S)', kind: 'money' },
      { key: 'ending', label: 'Ending receivables (E)', kind: 'money' },
      { key: 'endingCurrent', label: 'Ending current (Ecurrent)', kind: 'money' },
      { key: 'cei', label: 'CEI %', kind: 'percent' },
    ],
    rows: r.rows.map((x) => ({
      cells: {
        currency: x.currency,
        beginning: money(x.beginningReceivables, x.currency),
        sales: money(x.creditSales, x.currency),
        ending: money(x.endingReceivables, x.currency),
        endingCurrent: money(x.endingCurrentReceivables, x.currency),
        cei: ratio(x.cei),
      },
    })),
    notes: r.rows.some((x) => x.cei === null)
      ? ['CEI is blank where nothing was collectable (zero denominator).']
      : [],
  };
}

function timelinessSections(r: TimelinessReport): ReportSection[] {
  return [
    {
      id: 'timeliness',
      title: 'Billing timeliness',
      description: `Invoices finalized within ${r.thresholdHours} h of their period close.`,
      columns: [
        { key: 'threshold', label: 'Threshold (h)', kind: 'count' },
        { key: 'counted', label: 'Invoices judged', kind: 'count' },
        { key: 'onTime', label: 'On time', kind: 'count' },
        { key: 'late', label: 'Late', kind: 'count' },
        { key: 'pending', label: 'Pending', kind: 'count' },
        { key: 'share', label: 'On time %', kind: 'percent' },
      ],
      rows: [
        {
          cells: {
            threshold: String(r.thresholdHours),
            counted: String(r.counted),
            onTime: String(r.onTime),
            late: String(r.late),
            pending: String(r.pending),
            share: ratio(r.sharePercent),
          },
        },
      ],
    },
    {
      id: 'timeliness-invoices',
      title: 'Invoices by time to issue',
      columns: [
        { key: 'invoice', label: 'Invoice', kind: 'text' },
        { key: 'customerId', label: 'Customer id', kind: 'text' },
        { key: 'periodEnd', label: 'Period closed', kind: 'date' },
        { key: 'finalizedAt', label: 'Finalized', kind: 'date' },
        { key: 'lag', label: 'Hours after close', kind: 'number' },
        { key: 'outcome', label: 'Outcome', kind: 'text' },
      ],
      rows: r.invoices.map((i) => ({
        cells: {
          invoice: i.number ?? i.invoiceId,
          customerId: i.customerId,
          periodEnd: i.periodEnd,
          finalizedAt: i.finalizedAt,
          lag: ratio(i.lagHours, 2),
          outcome: i.outcome,
        },
      })),
    },
  ];
}

function accuracySections(r: AccuracyReport): ReportSection[] {
  return [
    {
      id: 'accuracy',
      title: 'Billing accuracy',
      description: 'Invoices finalized in the window and not corrected by a credit note.',
      columns: [
        { key: 'finalized', label: 'Invoices finalized', kind: 'count' },
        { key: 'corrected', label: 'Corrected by credit note', kind: 'count' },
        { key: 'share', label: 'Accurate %', kind: 'percent' },
      ],
      rows: [
        {
          cells: {
            finalized: String(r.finalized),
            corrected: String(r.corrected),
            share: ratio(r.sharePercent),
          },
        },
      ],
    },
    {
      id: 'accuracy-invoices',
      title: 'Corrected or adjusted invoices',
      columns: [
        { key: 'invoice', label: 'Invoice', kind: 'text' },
        { key: 'customerId', label: 'Customer id', kind: 'text' },
        { key: 'finalizedAt', label: 'Finalized', kind: 'date' },
        { key: 'creditNotes', label: 'Credit notes', kind: 'count' },
        { key: 'lateUsage', label: 'Late-usage adjustments', kind: 'count' },
      ],
      rows: r.invoices.map((i) => ({
        cells: {
          invoice: i.number ?? i.invoiceId,
          customerId: i.customerId,
          finalizedAt: i.finalizedAt,
          creditNotes: String(i.creditNotes),
          lateUsage: String(i.lateUsageAdjustments),
        },
      })),
      notes: [
        'Late-usage adjustments bill events that arrived after the close; they are listed, not counted as errors.',
      ],
    },
  ];
}

function revenueSections(r: RevenueReport): ReportSection[] {
  const breakdown = (dimension: 'plan' | 'meter'): ReportRow[] =>
    r.currencies.flatMap((c) => {
      const entries = dimension === 'plan' ? c.byPlan : c.byMeter;
      return [
        ...entries.map((e) => ({
          cells: {
            currency: c.currency,
            key: e.key,
            amount: money(e.amount, c.currency),
            share: c.total.isZero() ? null : ratio(e.amount.div(c.total).times(100)),
          },
        })),
        {
          total: true,
          cells: { currency: c.currency, key: 'Total', amount: money(c.total, c.currency), share: null },
        },
      ];
    });
  const charts = (dimension: 'plan' | 'meter'): ChartSpec[] =>
    r.currencies
      .filter((c) => c.invoices > 0)
      .map((c) => ({
        id: `revenue-${dimension}-${c.currency}`,
        title: `Revenue by ${dimension}, ${c.currency}`,
        description: `Bar chart of ${c.currency} revenue (total ${money(c.total, c.currency)}) by ${dimension}.`,
        kind: 'bar',
        xLabel: dimension === 'plan' ? 'Plan' : 'Meter',
        yLabel: `Revenue (${c.currency})`,
        points: (dimension === 'plan' ? c.byPlan : c.byMeter).map((e) => ({
          x: e.key,
          y: e.amount.toFixed(),
        })),
      }));
  const columns = (label: string) => [
    { key: 'currency', label: 'Currency', kind: 'text' as const },
    { key: 'key', label, kind: 'text' as const },
    { key: 'amount', label: 'Revenue', kind: 'money' as const },
    { key: 'share', label: 'Share %', kind: 'percent' as const },
  ];
  return [
    {
      id: 'revenue-currency',
      title: 'Revenue by currency',
      columns: [
        { key: 'currency', label: 'Currency', kind: 'text' },
        { key: 'invoices', label: 'Invoices', kind: 'count' },
        { key: 'billed', label: 'Billed', kind: 'money' },
        { key: 'creditNotes', label: 'Credit notes', kind: 'money' },
        { key: 'net', label: 'Net of credit notes', kind: 'money' },
      ],
      rows: r.currencies.map((c) => ({
        cells: {
          currency: c.currency,
          invoices: String(c.invoices),
          billed: money(c.total, c.currency),
          creditNotes: money(c.creditNotes, c.currency),
          net: money(c.total.minus(c.creditNotes), c.currency),
        },
      })),
    },
    {
      id: 'revenue-plan',
      title: 'Revenue by plan',
      columns: columns('Plan'),
      rows: breakdown('plan'),
      charts: charts('plan'),
    },
    {
      id: 'revenue-meter',
      title: 'Revenue by meter',
      description: 'Lines without a meter are grouped by kind, e.g. "(fixed)" or "(discount)".',
      columns: columns('Meter'),
      rows: breakdown('meter'),
      charts: charts('meter'),
    },
  ];
}

/**
 * Decimals shown for usage quantities. Stored quantities are exact (a time-weighted average or minutes from
 * seconds carry up to 40 digits); people read them rounded, the JSON output keeps them exact. The report's usage
 * points do not carry the meter's own rounding, so one precision serves every meter.
 */
const QUANTITY_PLACES = 3;

function usageSections(r: UsageTrendsReport): ReportSection[] {
  return [
    {
      id: 'usage',
      title: 'Usage trends per meter',
      columns: [
        { key: 'meter', label: 'Meter', kind: 'text' },
        { key: 'unit', label: 'Unit', kind: 'text' },
        { key: 'periodStart', label: 'Period start', kind: 'date' },
        { key: 'quantity', label: 'Quantity', kind: 'number', places: QUANTITY_PLACES },
        { key: 'customers', label: 'Customers', kind: 'count' },
        { key: 'change', label: 'Change %', kind: 'percent' },
      ],
      rows: r.meters.flatMap((m) =>
        m.points.map((p) => ({
          cells: {
            meter: m.meterId,
            unit: m.unit,
            periodStart: p.period,
            quantity: p.quantity.toFixed(),
            customers: String(p.customers),
            change: ratio(p.changePercent),
          },
        })),
      ),
      charts: r.meters.map((m) => ({
        id: `usage-${m.meterId}-${m.unit}`,
        title: `${m.meterId} per period (${m.unit})`,
        description: `Line chart of ${m.meterId} usage in ${m.unit} per billing period, ${m.points.length} periods, total ${roundTo(m.total, QUANTITY_PLACES).toFixed()}.`,
        kind: 'line',
        xLabel: 'Period start',
        yLabel: m.unit,
        points: m.points.map((p) => ({ x: p.period, y: p.quantity.toFixed() })),
      })),
    },
  ];
}
