import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { BenchRow } from './types.js';

// Lambda bundle size per function (esbuild with the options of infra/constructs/billing-function.ts: ESM,
// node22, minified, @aws-sdk/* external as the runtime provides it) and the bundle's module load time in a
// fresh node process: a cold-start proxy (the init phase imports the module and builds its clients).
// The load time's baseline is the same fresh process importing only the AWS SDK clients every function shares.
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// Inside the repo so the external @aws-sdk/* packages resolve from node_modules, as they do on Lambda.
const outRoot = join(root, 'node_modules', '.cache', 'tally-bench-bundles');
const LOADS = 5;

/** Environment every function reads at module scope; values only need to be well formed. */
const FUNCTION_ENV: Record<string, string> = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'x',
  AWS_SECRET_ACCESS_KEY: 'x',
  POWERTOOLS_METRICS_DISABLED: 'true',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  TALLY_SENDER: 'billing@example.com',
  TALLY_WEBHOOK_SECRET: 'x',
  TALLY_EVENT_BUS_NAME: 'tally-events',
  TALLY_DUNNING_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:000000000000:stateMachine:dunning',
  TALLY_WEBHOOK_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:webhook',
  TALLY_BILLING_TABLE: 'tally-Billing',
  TALLY_USAGE_TABLE: 'tally-Usage',
  TALLY_USAGE_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/usage',
  TALLY_BILLING_JOBS_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/jobs',
  TALLY_DELIVERY_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/delivery',
  TALLY_MAIL_FEEDBACK_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/feedback',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

function loadMs(file: string, env: Record<string, string>): number {
  const script = `const t = performance.now(); await import(${JSON.stringify(file)}); process.stdout.write(String(performance.now() - t));`;
  const times: number[] = [];
  for (let i = 0; i < LOADS; i++) {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: root,
      env: { ...process.env, ...env },
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`loading ${file} failed: ${r.stderr.slice(-800)}`);
    times.push(Number(r.stdout));
  }
  return times.sort((a, b) => a - b)[Math.floor(LOADS / 2)]!; // median
}

export async function run(): Promise<BenchRow[]> {
  rmSync(outRoot, { recursive: true, force: true });
  mkdirSync(outRoot, { recursive: true });
  const baselineFile = join(outRoot, 'sdk-only.mjs');
  await build({
    stdin: {
      contents:
        "import '@aws-sdk/client-dynamodb'; import '@aws-sdk/lib-dynamodb'; import '@aws-sdk/client-sqs';",
      resolveDir: root,
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    external: ['@aws-sdk/*'],
    outfile: baselineFile,
    logLevel: 'silent',
  });
  const baseline = loadMs(baselineFile, FUNCTION_ENV);
  const rows: BenchRow[] = [
    { area: 'lambda', name: 'load: AWS SDK clients only (baseline)', value: baseline, unit: 'ms' },
  ];
  const names = readdirSync(join(root, 'functions')).filter((n) => {
    try {
      return statSync(join(root, 'functions', n, 'handler.ts')).isFile();
    } catch {
      return false;
    }
  });
  for (const name of names.sort()) {
    const outfile = join(outRoot, name, 'index.mjs');
    await build({
      entryPoints: [join(root, 'functions', name, 'handler.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      minify: true,
      sourcemap: true,
      banner: {
        js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
      },
      external: ['@aws-sdk/*'],
      outfile,
      logLevel: 'silent',
    });
    rows.push({
      area: 'lambda',
      name: `bundle: ${name}`,
      value: statSync(outfile).size / 1024,
      unit: 'KiB',
    });
    const ms = loadMs(outfile, FUNCTION_ENV);
    rows.push({
      area: 'lambda',
      name: `load: ${name}`,
      value: ms,
      unit: 'ms',
      baseline,
      ratio: ms / baseline,
    });
  }
  return rows;
}
