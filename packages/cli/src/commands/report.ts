import { InvoiceSchema } from '@tally/billing';
import { AccountSchema } from '@tally/payments';
import {
  buildReport,
  REPORT_NAMES,
  type ReportData,
  type ReportDocument,
  ReportInputError,
  ReportInputSchema,
  type ReportName,
  ReportNameSchema,
  type ReportWindow,
  renderCsv,
  renderHtml,
  renderTable,
} from '@tally/reports';
import { billingTable } from '@tally/resources';
import { createDocumentClient, tableReportSource } from '@tally/store';
import type { Command } from 'commander';
import { DateTime } from 'luxon';
import { InputError } from '../errors.js';
import { parseJson, parseWith, readInputFile } from '../input.js';
import type { CommandContext, Io } from '../io.js';
import { storedClock } from '../stack-clock.js';

/** What a report run asks its source for. */
export interface ReportQuery {
  readonly asOf: string;
  readonly window: ReportWindow;
  /** `--customer`: only these customers; absent: every customer. */
  readonly customerIds?: readonly string[];
}

/**
 * Where `tally report` reads invoices, payments, credit notes and usage from: `--input <file.json>`, or
 * else the stack's billing table through the store's report source (`ReportSource` of @tally/store).
 */
export interface ReportSource {
  load(query: ReportQuery): Promise<ReportData>;
}

/**
 * The billing table named by TALLY_BILLING_TABLE (the local stack's, or a deployed stack's with `--stack`),
 * read by query through @tally/store's report source.
 */
export function stackReportSource(env: NodeJS.ProcessEnv = process.env): ReportSource {
  const table = env[billingTable.envVar];
  if (!table) {
    throw new InputError(
      `no report source: pass --input <file.json> (see events/reports/sample-input.json), or point tally at a stack: ${billingTable.envVar} (npm run stack prints it) or --stack <prefix>`,
    );
  }
  return tableReportSource({
    client: createDocumentClient(),
    tableName: table,
    parseInvoice: InvoiceSchema.parse,
    parseAccount: AccountSchema.parse,
  });
}

/** Reads `{ invoices, payments, creditNotes, usage }` from a JSON file, validated with the reports' schema. */
export function fileReportSource(io: Io, path: string): ReportSource {
  return {
    async load() {
      const text = await readInputFile(io, path, 'report input');
      return parseWith(ReportInputSchema, parseJson(text, path), path);
    },
  };
}

export interface ReportDeps {
  /** The source used when no `--input` is given. Default: the stack in the environment ({@link stackReportSource}). */
  readonly source?: ReportSource;
  /** The clock, read only at this edge when `--as-of` is left out (and the stack stores no test clock). */
  readonly now: () => Date;
  /**
   * The stack's stored test clock (`tally clock`; the local stack's functions live by it), or null when it
   * stores none (a deployed stack): a report of the stack without `--as-of` describes the stack's now.
   * Default: read from the stack in the environment. Not read with `--input` or an injected source.
   */
  readonly storedClock?: (env: NodeJS.ProcessEnv) => Promise<Date | null>;
  /** Where the stack's names are read from when no source is given. Default `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
}

const FORMATS = ['table', 'csv', 'html', 'json'] as const;
type Format = (typeof FORMATS)[number];

function instant(option: string, value: string): string {
  const t = DateTime.fromISO(value, { setZone: true });
  if (!t.isValid || !/T/.test(value)) {
    throw new InputError(`${option} ${value}: expected an ISO 8601 instant such as 2026-05-01T00:00:00Z`);
  }
  return t.toUTC().toISO({ suppressMilliseconds: true }) as string;
}

/** The window from --month, or --from/--to, or else the last full UTC calendar month before `asOf`. */
function windowOf(opts: Record<string, string | undefined>, asOf: string): ReportWindow {
  if (opts.month !== undefined) {
    if (opts.from !== undefined || opts.to !== undefined)
      throw new InputError('use either --month or --from/--to');
    const start = DateTime.fromFormat(opts.month, 'yyyy-MM', { zone: 'utc' });
    if (!start.isValid) throw new InputError(`--month ${opts.month}: expected yyyy-mm`);
    return { from: iso(start), to: iso(start.plus({ months: 1 })) };
  }
  if ((opts.from === undefined) !== (opts.to === undefined))
    throw new InputError('--from and --to go together');
  if (opts.from !== undefined && opts.to !== undefined) {
    const w = { from: instant('--from', opts.from), to: instant('--to', opts.to) };
    if (Date.parse(w.from) >= Date.parse(w.to))
      throw new InputError(`--from ${opts.from} must be before --to ${opts.to}`);
    return w;
  }
  const end = DateTime.fromISO(asOf, { zone: 'utc' }).startOf('month');
  return { from: iso(end.minus({ months: 1 })), to: iso(end) };
}

function iso(t: DateTime): string {
  return t.toISO({ suppressMilliseconds: true }) as string;
}

async function render(doc: ReportDocument, format: Format, section: string | undefined): Promise<string> {
  switch (format) {
    case 'table':
      return renderTable(doc);
    case 'csv':
      return renderCsv(doc, section === undefined ? {} : { section });
    case 'html':
      return renderHtml(doc);
    case 'json':
      return `${JSON.stringify(doc, null, 2)}\n`;
  }
}

/**
 * `tally report <name>`: receivables aging, DSO, CEI, billing timeliness and accuracy, revenue and usage trends
 * (or all of them: `summary`) as a terminal table, CSV or a self-contained HTML page with charts.
 *
 * Without `--input` it reads the stack: the local one from the environment (`npm run stack` prints it), or a
 * deployed one with the global `--stack <prefix>`.
 *
 * @example tally report aging --input events/reports/sample-input.json --as-of 2026-05-01T00:00:00Z --format csv
 * @example tally --stack Tally --region eu-west-1 report summary --format html > report.html
 */
export function register(
  program: Command,
  { io }: CommandContext,
  deps: ReportDeps = { now: () => new Date() },
): void {
  program
    .command('report')
    .description('billing reports: aging, DSO, CEI, timeliness, accuracy, revenue, usage trends')
    .argument('<name>', `one of ${REPORT_NAMES.join(', ')}`)
    .option(
      '--input <file>',
      'JSON file with { invoices, payments, creditNotes, usage } (see events/reports/)',
    )
    .option('--format <format>', `${FORMATS.join(' | ')}`, 'table')
    .option(
      '--as-of <iso>',
      "the instant the report describes (default: the stack's test clock when it stores one, as the local stack does; else now)",
    )
    .option(
      '--month <yyyy-mm>',
      'measure this UTC calendar month (default: the last full month before --as-of)',
    )
    .option('--from <iso>', 'window start (UTC ISO instant), with --to')
    .option('--to <iso>', 'window end, exclusive')
    .option('--hours <n>', 'timeliness threshold N in hours', '24')
    .option(
      '--trend-from <iso>',
      'start of the usage trend series (default: six months before the window end)',
    )
    .option('--section <id>', 'CSV: only this section (e.g. aging-invoices)')
    .option(
      '--customer <id...>',
      'without --input: only these customers (default: every customer with a receivables account)',
    )
    .action(async (nameArg: string, allOpts: Record<string, string | string[] | undefined>) => {
      const { customer: customers, ...rest } = allOpts;
      const opts = rest as Record<string, string | undefined>;
      const name = ReportNameSchema.safeParse(nameArg);
      if (!name.success)
        throw new InputError(`unknown report "${nameArg}": expected one of ${REPORT_NAMES.join(', ')}`);
      const format = opts.format as Format;
      if (!FORMATS.includes(format))
        throw new InputError(`--format ${format}: expected one of ${FORMATS.join(', ')}`);
      if (opts.section !== undefined && format !== 'csv')
        throw new InputError('--section applies to --format csv');
      const hours = Number(opts.hours);
      if (!Number.isFinite(hours) || hours <= 0)
        throw new InputError(`--hours ${opts.hours}: expected a positive number`);
      // The source first: without a stack it says how to name one.
      const source =
        opts.input !== undefined
          ? fileReportSource(io, opts.input)
          : (deps.source ?? stackReportSource(deps.env));
      const stackNow =
        opts.asOf === undefined && opts.input === undefined && deps.source === undefined
          ? await (deps.storedClock ?? storedClock)(deps.env ?? process.env)
          : null;
      const asOf =
        opts.asOf === undefined
          ? iso(DateTime.fromJSDate(stackNow ?? deps.now()).toUTC())
          : instant('--as-of', opts.asOf);
      const window = windowOf(opts, asOf);
      if (opts.input !== undefined && customers !== undefined)
        throw new InputError('--customer selects from a stack: it does not apply to --input');
      const customerIds = customers === undefined ? [] : [customers].flat();
      const data = await source.load({ asOf, window, ...(customerIds.length > 0 ? { customerIds } : {}) });
      try {
        const doc = buildReport(name.data as ReportName, data, {
          asOf,
          window,
          timelinessHours: hours,
          ...(opts.trendFrom === undefined ? {} : { trendFrom: instant('--trend-from', opts.trendFrom) }),
        });
        io.out(await render(doc, format, opts.section));
      } catch (error) {
        if (error instanceof ReportInputError) throw new InputError(error.message, { cause: error });
        throw error;
      }
    });
}
