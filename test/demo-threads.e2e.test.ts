import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// `npm start -- --once` with the functions in a worker thread (the demo's default) and on the main thread
// (--handler-threads 0): the same seed must give the same figures, whatever thread ran the functions. The
// two runs go side by side (each is its own process with its own emulators) to keep the test short.
const CUSTOMERS = 10;
const SEED = 77;

interface Summary {
  handlerThreads: number;
  ingest: { inputs: number; stored: number; duplicate: number; quarantined: Record<string, number> };
  invoices: {
    count: number;
    byStatus: Record<string, number>;
    totalByCurrency: Record<string, string>;
    adjustments: number;
    numbers: string[];
  };
  emails: { sent: number; byKind: Record<string, number> };
  payments: { sent: number; accepted: number };
  dunning: { suspended: number; restored: number; events: number };
}

function demo(threads: number): Promise<Summary> {
  const dir = mkdtempSync(join(tmpdir(), `tally-demo-threads-${threads}-`));
  const args = ['--import', 'tsx', 'packages/demo/src/main.ts', '--once', '--json'];
  args.push('--customers', String(CUSTOMERS), '--seed', String(SEED), '--data', join(dir, 'data'));
  args.push('--handler-threads', String(threads));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`demo with ${threads} threads exited ${code}: ${err.slice(-3000)}`));
      else resolve(JSON.parse(out.slice(out.indexOf('{'))) as Summary);
    });
  });
}

/** The figures of a run that do not depend on timing: everything but seconds, phases and ports. */
const figures = (s: Summary) => ({
  ingest: s.ingest,
  invoices: s.invoices,
  emails: s.emails,
  payments: s.payments,
  dunning: s.dunning,
});

describe('npm start -- --once: functions in a worker thread or on the main thread', () => {
  const runs = Promise.all([demo(1), demo(0)]);

  it('gives the same summary figures in both modes', async () => {
    const [threaded, inProcess] = await runs;
    expect(threaded.handlerThreads).toBe(1);
    expect(inProcess.handlerThreads).toBe(0);
    expect(figures(threaded)).toEqual(figures(inProcess));
  });

  it('has figures worth comparing: quarantines, invoices, emails, payments and a suspension in the run', async () => {
    const [threaded] = await runs;
    // Seed 77's 10 customers include conflicts and malformed input, an after-suspension payer and late usage.
    expect(threaded.ingest.stored).toBeGreaterThan(0);
    expect(threaded.ingest.duplicate).toBeGreaterThan(0);
    expect(threaded.ingest.quarantined.conflict ?? 0).toBeGreaterThan(0);
    expect(threaded.invoices.count).toBeGreaterThanOrEqual(CUSTOMERS * 2);
    expect(threaded.invoices.adjustments).toBeGreaterThan(0);
    expect(threaded.emails.byKind.invoice).toBe(threaded.invoices.count);
    expect(threaded.payments.accepted).toBe(threaded.payments.sent);
    expect(threaded.dunning.suspended).toBeGreaterThan(0);
    expect(threaded.dunning.restored).toBeGreaterThan(0);
  });
}, 300_000);
