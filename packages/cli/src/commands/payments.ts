import type { ReconciliationRow } from '@tally/payments';
import { type Receivables, receivablesFromEnv } from '@tally/workflow';
import type { Command } from 'commander';
import { InputError } from '../errors.js';
import type { CommandContext } from '../io.js';

type PaymentsDeps = Pick<Receivables, 'listUnapplied' | 'applyUnapplied' | 'reconciliation'>;

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt)].join('\n') + '\n';
}

function reportRows(rows: readonly ReconciliationRow[]): string[][] {
  return rows.map((r) => [
    r.customerId,
    r.currency,
    r.invoiced,
    r.receivedNet,
    r.applied,
    r.outstanding,
    r.creditBalance,
    r.unapplied,
    r.balanced ? 'yes' : 'NO',
  ]);
}

/**
 * `tally payments unapplied|apply|report`: reconciliation. Payments that matched no invoice are listed until
 * someone applies them to an invoice or a customer; the report shows invoices against payments per customer.
 */
export function register(
  program: Command,
  { io }: CommandContext,
  deps: () => PaymentsDeps = () => receivablesFromEnv(),
): void {
  const p = program.command('payments').description('reconcile payments with invoices');
  p.command('unapplied')
    .description('payments that match no invoice or customer yet')
    .option('--json', 'one JSON object per line')
    .action(async (o: { json?: boolean }) => {
      const list = await deps().listUnapplied();
      if (o.json) {
        for (const u of list) io.out(`${JSON.stringify(u)}\n`);
        return;
      }
      io.out(
        table(
          ['payment', 'received', 'amount', 'currency', 'customer', 'invoice named', 'reason', 'reference'],
          list.map((u) => [
            u.payment.id,
            u.payment.receivedAt,
            u.payment.amount,
            u.payment.currency,
            u.customerId ?? '',
            u.payment.invoiceId ?? '',
            u.reason ?? '',
            u.payment.reference ?? '',
          ]),
        ),
      );
    });
  p.command('apply <paymentId>')
    .description('apply an unapplied payment to an invoice or to a customer (oldest open invoices first)')
    .option('--invoice <id>', 'the invoice it pays')
    .option('--customer <id>', 'the customer it belongs to')
    .action(async (paymentId: string, o: { invoice?: string; customer?: string }) => {
      if (!o.invoice && !o.customer) throw new InputError('give --invoice or --customer');
      const result = await deps().applyUnapplied(paymentId, {
        ...(o.invoice ? { invoiceId: o.invoice } : {}),
        ...(o.customer ? { customerId: o.customer } : {}),
      });
      io.out(`${paymentId}: ${result.status}${'reason' in result ? ` (${result.reason})` : ''}\n`);
    });
  p.command('report')
    .description('invoices against payments per customer')
    .option('--json', 'one JSON object per line')
    .action(async (o: { json?: boolean }) => {
      const rows = await deps().reconciliation();
      if (o.json) {
        for (const r of rows) io.out(`${JSON.stringify(r)}\n`);
        return;
      }
      io.out(
        table(
          [
            'customer',
            'cur',
            'invoiced',
            'received',
            'applied',
            'outstanding',
            'credit',
            'unapplied',
            'balanced',
          ],
          reportRows(rows),
        ),
      );
    });
}
