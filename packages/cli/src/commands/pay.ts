import { createHash } from 'node:crypto';
import { Decimal } from '@tally/money';
import { PaymentSchema } from '@tally/payments';
import { type Receivables, receivablesFromEnv } from '@tally/workflow';
import type { Command } from 'commander';
import { InputError } from '../errors.js';
import type { CommandContext } from '../io.js';
import { stackNow } from '../stack-clock.js';

interface PayOptions {
  amount: string;
  currency: string;
  invoice?: string;
  customer?: string;
  id?: string;
  at?: string;
  reference?: string;
  json?: boolean;
}

/**
 * The id of a manual payment when none is given: a hash of what was entered, so running the same command
 * twice records the payment once.
 */
export function manualPaymentId(o: PayOptions, at: string): string {
  const key = [o.customer ?? '', o.invoice ?? '', o.amount, o.currency, at, o.reference ?? ''].join('|');
  return `manual-${createHash('sha256').update(key).digest('hex').slice(0, 24)}`;
}

/**
 * `tally pay`: records a payment by hand (bank transfer, cheque). It pays the named invoice, or the
 * customer's oldest open invoices; a payment matching nothing is kept unapplied (`tally payments unapplied`).
 */
export function register(
  program: Command,
  { io }: CommandContext,
  deps: (now: Date) => Pick<Receivables, 'record'> = (now) =>
    receivablesFromEnv(process.env, { now: () => now }),
  now: () => Promise<Date> = () => stackNow(),
): void {
  program
    .command('pay')
    .description('record a payment received outside the payment provider')
    .requiredOption('--amount <decimal>', 'amount received, e.g. 120.50')
    .requiredOption('--currency <code>', 'ISO 4217 currency, e.g. EUR')
    .option('--invoice <id>', 'the invoice it pays (default: the oldest open invoices of --customer)')
    .option('--customer <id>', 'the customer who paid')
    .option('--id <paymentId>', 'the bank or provider reference id (default: derived from the other options)')
    .option('--at <iso>', "when it was received (default: the stack's time: its test clock, locally)")
    .option('--reference <text>', "the payer's reference text")
    .option('--json', 'print the result as JSON')
    .action(async (o: PayOptions) => {
      if (!o.invoice && !o.customer) throw new InputError('give --invoice or --customer (or both)');
      // The stack's time (its test clock, locally): what the payment's dunning effects are decided at.
      const current = await now();
      const at = o.at ?? current.toISOString();
      const parsed = PaymentSchema.safeParse({
        id: o.id ?? manualPaymentId(o, at),
        amount: o.amount,
        currency: o.currency,
        receivedAt: at,
        ...(o.invoice ? { invoiceId: o.invoice } : {}),
        ...(o.customer ? { customerId: o.customer } : {}),
        ...(o.reference ? { reference: o.reference } : {}),
        source: 'manual',
      });
      if (!parsed.success) {
        throw new InputError(
          parsed.error.issues.map((i) => `${i.path.join('.') || 'payment'}: ${i.message}`).join('; '),
        );
      }
      const result = await deps(current).record(parsed.data);
      if (o.json) {
        io.out(`${JSON.stringify({ paymentId: parsed.data.id, ...result })}\n`);
        return;
      }
      io.out(`${parsed.data.id}: ${result.status}${'reason' in result ? ` (${result.reason})` : ''}\n`);
      if ('outcome' in result && result.outcome.status === 'applied') {
        for (const a of result.outcome.allocations)
          io.out(`  ${a.invoiceId}\t${a.amount} ${parsed.data.currency}\n`);
        if (!new Decimal(result.outcome.credit).isZero()) {
          io.out(`  credit balance\t${result.outcome.credit} ${parsed.data.currency}\n`);
        }
      }
    });
}
