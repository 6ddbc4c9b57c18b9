/**
 * `npm start`: the whole of tally on the local stack. Loads a demo catalog and a few hundred customers,
 * sends a month of usage through SQS (with duplicates, conflicts, reordering, malformed and late input),
 * closes the period, bills, emails the invoices, simulates payments and runs dunning, then prints a summary.
 *
 *   --once            exit when done (tests and CI); otherwise the stack stays up for exploring
 *   --fresh           start over; every run does anyway (it generates its month anew, and a kept table
 *                     would count the previous run's events as duplicates), so the flag changes nothing yet
 *   --customers <n>   how many customers (default 200, about 110 s on 2 cores; 300 take about 2.5 minutes)
 *   --seed <n>        the data generator's seed (default 2026)
 *   --data <dir>      where DynamoDB keeps its files (default .tally/demo)
 *   --json            print the summary as JSON
 *   --handler-threads <n>
 *                     worker threads that run the Lambda functions (default 1); 0 runs them on the main
 *                     thread beside the emulators, as before (slower on 2 cores)
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadReportData, renderReportHtml } from './report.js';
import {
  DEFAULT_CUSTOMERS,
  DEFAULT_HANDLER_THREADS,
  type DemoSummary,
  followStoredClock,
  runDemo,
} from './run.js';

const { values } = parseArgs({
  options: {
    once: { type: 'boolean', default: false },
    fresh: { type: 'boolean', default: false },
    customers: { type: 'string', default: String(DEFAULT_CUSTOMERS) },
    seed: { type: 'string', default: '2026' },
    data: { type: 'string', default: '.tally/demo' },
    json: { type: 'boolean', default: false },
    'handler-threads': { type: 'string', default: String(DEFAULT_HANDLER_THREADS) },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log(
    readFileSync(new URL(import.meta.url), 'utf8')
      .split('*/')[0]!
      .replace(/^\/\*\*|^ \* ?/gm, ''),
  );
  process.exit(0);
}
const customers = Number(values.customers);
const seed = Number(values.seed);
if (!Number.isInteger(customers) || customers < 3 || customers > 5000) {
  console.error(`--customers ${values.customers}: must be a whole number from 3 to 5000`);
  process.exit(2);
}
if (!Number.isInteger(seed)) {
  console.error(`--seed ${values.seed}: must be a whole number`);
  process.exit(2);
}
const handlerThreads = Number(values['handler-threads']);
if (!Number.isInteger(handlerThreads) || handlerThreads < 0 || handlerThreads > 16) {
  console.error(`--handler-threads ${values['handler-threads']}: must be a whole number from 0 to 16`);
  process.exit(2);
}

const dataDir = resolve(values.data);
const outDir = resolve(dataDir, '..');
mkdirSync(outDir, { recursive: true });
rmSync(join(outDir, 'provisioning-events.jsonl'), { force: true });
const log = values.json ? () => undefined : (line: string) => console.log(line);
const { summary, pipeline } = await runDemo({
  customers,
  seed,
  dataDir,
  // Each run generates its month anew, so it starts from an empty table (a persisted one would count
  // every event of the previous run as a duplicate).
  fresh: true,
  log,
  keepRunning: true,
  busLogFile: join(outDir, 'provisioning-events.jsonl'),
  handlerThreads,
});
void values.fresh;

log('writing the HTML report…');
const reportStarted = performance.now();
const data = await loadReportData(
  Array.from(
    { length: customers },
    (_, i) => `cust-${['telecom', 'utility', 'iot'][i % 3]}-${String(i + 1).padStart(4, '0')}`,
  ),
);
const reportFile = join(outDir, 'report.html');
writeFileSync(
  reportFile,
  await renderReportHtml(
    data,
    { from: '2026-01-01T00:00:00Z', to: '2026-04-01T00:00:00Z' },
    pipeline.clock.now().toISOString(),
  ),
);
log(`  (${((performance.now() - reportStarted) / 1000).toFixed(1)} s)`);
writeFileSync(join(outDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);

if (values.json) console.log(JSON.stringify({ ...summary, report: reportFile }, null, 2));
else printSummary(summary, reportFile);

if (values.once) {
  await pipeline.stop();
  process.exit(0);
}
// The CLI reaches this stack through the same variables the functions read; `tally clock advance` moves
// the stored clock, which the stack follows.
const envFile = join(outDir, 'env');
writeFileSync(
  envFile,
  Object.entries(pipeline.env)
    .map(([k, v]) => `export ${k}='${v}'\n`)
    .join(''),
);
const unfollow = await followStoredClock(pipeline);
console.log('\nThe local stack stays up for exploring (Ctrl-C to stop):');
console.log(`  mails:  ${summary.sesPage}`);
console.log(`  report: ${reportFile}`);
console.log(`  usage ingest API:    POST ${pipeline.urls.ingest} (x-api-key of a producer)`);
console.log(`  payment webhook API: POST ${pipeline.urls.webhook} (tally-signature header)`);
console.log(`  the CLI in another shell: source ${envFile} && npm run tally -- clock advance 31d`);
console.log(
  `  (the stack follows the clock, now ${pipeline.clock.now().toISOString()}: periods close and bill)`,
);
for (const [k, v] of Object.entries(pipeline.env))
  if (k.startsWith('AWS_ENDPOINT_URL_')) console.log(`  ${k}=${v}`);
const stop = async () => {
  unfollow();
  await pipeline.stop();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);

function printSummary(s: DemoSummary, report: string): void {
  const q = Object.entries(s.ingest.quarantined)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  console.log(`
tally demo: done in ${s.seconds} s
  customers          ${s.customers}
  inputs             ${s.ingest.inputs}  (expected ${s.expected.inputs})
  stored             ${s.ingest.stored}  (expected ${s.expected.stored})
  duplicates         ${s.ingest.duplicate}  (expected ${s.expected.duplicates})
  quarantined        ${Object.values(s.ingest.quarantined).reduce((a, b) => a + b, 0)}  (${q || 'none'})
  invoices           ${s.invoices.count}  (${Object.entries(s.invoices.byStatus)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')}; ${s.invoices.adjustments} late-usage adjustment lines)
  invoiced           ${Object.entries(s.invoices.totalByCurrency)
    .map(([c, v]) => `${c} ${v}`)
    .join(' · ')}
  emails sent        ${s.emails.sent}  (${Object.entries(s.emails.byKind)
    .map(([k, v]) => `${k}: ${v}`)
    .join('; ')})
  payments           ${s.payments.accepted} recorded of ${s.payments.sent} sent
  dunning            ${s.dunning.suspended} suspended, ${s.dunning.restored} restored (${s.dunning.events} provisioning events)
  mails to read      ${s.sesPage}
  HTML report        ${report}`);
}
