/**
 * `npm start`: the whole of tally on the local stack. Loads a demo catalog and a few hundred customers,
 * sends a month of usage through SQS (with duplicates, conflicts, reordering, malformed and late input),
 * closes the period, bills, emails the invoices, simulates payments and runs dunning, then prints a summary.
 *
 *   --once            exit when done (tests and CI); otherwise the stack stays up for exploring
 *   --fresh           start over: delete the data folder and run the demo from the start. Without it, a
 *                     folder holding a finished run of the same --customers and --seed is reopened (its
 *                     tables, mails, clock and waiting dunning, as they were when it ended or was last
 *                     stopped) and its summary printed, in seconds; any other folder is started over
 *   --customers <n>   how many customers (default 200, about 110 s on 2 cores; 300 take about 2.5 minutes)
 *   --seed <n>        the data generator's seed (default 2026)
 *   --data <dir>      the run's state: DynamoDB's files and what a reopen needs (default .tally/demo;
 *                     the summary, the HTML report and the provisioning events go in the folder above it)
 *   --json            print the summary as JSON
 *   --handler-threads <n>
 *                     worker threads that run the Lambda functions (default 1); 0 runs them on the main
 *                     thread beside the emulators, as before (slower on 2 cores)
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { LOCAL_ENV_FILE, removeLocalEnv, writeLocalEnv } from '@tally/local-stack';
import { demoCustomerIds } from './customers.js';
import { loadReportData, renderReportHtml } from './report.js';
import {
  DEFAULT_CUSTOMERS,
  DEFAULT_HANDLER_THREADS,
  type DemoSummary,
  followStoredClock,
  reopenDemo,
  runDemo,
  saveDemo,
} from './run.js';
import { planStart, readDataFolder } from './saved-run.js';

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
const busLogFile = join(outDir, 'provisioning-events.jsonl');
const log = values.json ? () => undefined : (line: string) => console.log(line);
const plan = planStart(readDataFolder(dataDir), { fresh: values.fresh, customers, seed, dataDir });
if (plan.action === 'run' && plan.why) log(plan.why);
const { summary, pipeline, finishedAt, reopened } = await (async () => {
  if (plan.action === 'reopen') {
    log(`reopening the run that finished ${plan.run.finishedAt} in ${dataDir} (--fresh starts over)…`);
    const started = performance.now();
    try {
      const r = await reopenDemo({ dataDir, run: plan.run, handlerThreads, busLogFile });
      log(`  (${((performance.now() - started) / 1000).toFixed(1)} s)`);
      const reopened = { finishedAt: plan.run.finishedAt, dunningRestarted: r.dunningRestarted };
      return { ...r, finishedAt: plan.run.finishedAt, reopened };
    } catch (err) {
      // Demo data can always be made again: say why, then do so (an older table layout, mails missing).
      console.error(`could not reopen ${dataDir}: ${(err as Error).message}: starting over`);
    }
  }
  rmSync(busLogFile, { force: true });
  const r = await runDemo({
    customers,
    seed,
    dataDir,
    fresh: true,
    log,
    keepRunning: true,
    busLogFile,
    handlerThreads,
  });
  return { ...r, finishedAt: new Date().toISOString(), reopened: undefined };
})();
// What a later `npm start` reopens (a reopened run is saved already); saved again when a kept-up stack stops.
const save = () => saveDemo(pipeline, { dataDir, seed, finishedAt, summary });
if (!reopened) save();

log('writing the HTML report…');
const reportStarted = performance.now();
const data = await loadReportData(demoCustomerIds(customers));
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

if (values.json) console.log(JSON.stringify({ ...summary, report: reportFile, reopened }, null, 2));
else printSummary(summary, reportFile, reopened);

if (values.once) {
  await pipeline.stop();
  process.exit(0);
}
// The CLI reaches this stack through the same variables the functions read (from this file, which a
// `tally` run in this folder reads by itself); `tally clock advance` moves the stored clock, which the
// stack follows.
const envFile = join(outDir, 'env');
writeLocalEnv(envFile, pipeline.env);
const cliFindsIt = envFile === resolve(LOCAL_ENV_FILE);
const unfollow = await followStoredClock(pipeline);
console.log('\nThe local stack stays up for exploring (Ctrl-C to stop):');
console.log(`  mails:  ${summary.sesPage}`);
console.log(`  report: ${reportFile}`);
console.log(`  usage ingest API:    POST ${pipeline.urls.ingest} (x-api-key of a producer)`);
console.log(`  payment webhook API: POST ${pipeline.urls.webhook} (tally-signature header)`);
console.log(
  `  the CLI in another shell: ${cliFindsIt ? '' : `source ${envFile} && `}npm run tally -- clock advance 31d`,
);
console.log(
  `  (the stack follows the clock, now ${pipeline.clock.now().toISOString()}: periods close and bill)`,
);
for (const [k, v] of Object.entries(pipeline.env))
  if (k.startsWith('AWS_ENDPOINT_URL_')) console.log(`  ${k}=${v}`);
const stop = async () => {
  unfollow();
  removeLocalEnv(envFile);
  await pipeline.settle();
  save();
  await pipeline.stop();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);

function printSummary(
  s: DemoSummary,
  report: string,
  reopened: { readonly finishedAt: string; readonly dunningRestarted: number } | undefined,
): void {
  const q = Object.entries(s.ingest.quarantined)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const head = reopened
    ? `tally demo: reopened the run that finished ${reopened.finishedAt} (it took ${s.seconds} s; ` +
      `${reopened.dunningRestarted} dunning executions waiting on the clock started again)`
    : `tally demo: done in ${s.seconds} s`;
  console.log(`
${head}
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
