import { type Invoice, markInvoicePaid } from '@tally/billing';
import { DEFAULT_POLICIES } from '@tally/dunning';
import { createResources, TestClock } from '@tally/local-stack';
import { AccountSchema } from '@tally/payments';
import { createDocumentClient, type InvoiceStore, PaymentStore } from '@tally/store';
import { billingInvoiceStore, invoiceSourceFromStore, Receivables } from '@tally/workflow';
import { draftInvoice } from '@tally/workflow/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { register as registerPay } from '../packages/cli/src/commands/pay.js';
import { register as registerPayments } from '../packages/cli/src/commands/payments.js';
import { buildProgram } from '../packages/cli/src/main.js';
import { localClients, uniquePrefix } from './support/aws.js';

// `tally pay` and `tally payments unapplied|apply|report` against dynalite, run in-process.

let receivables: Receivables;
let invoices: InvoiceStore<Invoice>;
const clock = new TestClock('2026-01-02T06:00:00Z');

beforeAll(async () => {
  const resources = await createResources(localClients(), uniquePrefix('paycli'));
  const doc = createDocumentClient();
  const table = resources.tables.Billing!;
  invoices = billingInvoiceStore(doc, table);
  receivables = new Receivables({
    payments: new PaymentStore({ client: doc, tableName: table, parseAccount: AccountSchema.parse }),
    invoices: invoiceSourceFromStore(invoices, markInvoicePaid),
    mail: { send: async () => undefined },
    events: { publish: async () => undefined },
    policies: DEFAULT_POLICIES,
    clock,
  });
});

/** The stack's time `tally pay` reads when --at is left out (its stored test clock, locally). */
let stackTime = new Date('2026-01-05T00:00:00Z');

async function tally(...argv: string[]): Promise<string> {
  let out = '';
  const io = {
    out: (t: string) => {
      out += t;
    },
    err: (t: string) => {
      out += t;
    },
    readFile: async () => '',
  };
  // The CLI's own program (its commander copy), with pay/payments re-registered on this test's stores in
  // place of the ones main.ts wires to the environment.
  const program = buildProgram({ io });
  const commands = program.commands as unknown as { name(): string }[];
  commands.splice(
    0,
    commands.length,
    ...commands.filter((c) => c.name() !== 'pay' && c.name() !== 'payments'),
  );
  registerPay(
    program,
    { io },
    () => receivables,
    async () => stackTime,
  );
  registerPayments(program, { io }, () => receivables);
  await program.parseAsync(argv, { from: 'user' });
  return out;
}

describe('tally pay / tally payments', () => {
  it('records a manual payment once, however often the command runs', async () => {
    const c = `c-${Math.random().toString(36).slice(2, 8)}`;
    const id = `inv-${c}`;
    await invoices.putDraft(draftInvoice({ id, customerId: c, amountDue: '90.00' }));
    await invoices.finalize(id, { now: clock.now().toISOString() });
    const args = [
      'pay',
      '--invoice',
      id,
      '--amount',
      '100.00',
      '--currency',
      'EUR',
      '--at',
      '2026-01-10T00:00:00Z',
    ];
    const first = await tally(...args);
    // 100.00 − 90.00 = 10.00 credit
    expect(first).toMatch(/: applied\n/);
    expect(first).toContain(`  ${id}\t90.00 EUR\n`);
    expect(first).toContain('  credit balance\t10.00 EUR\n');
    expect(await tally(...args)).toMatch(/: duplicate\n/);
  });

  it('takes a payment without --at as received at the stack’s time', async () => {
    const c = `c-${Math.random().toString(36).slice(2, 8)}`;
    const id = `inv-${c}`;
    await invoices.putDraft(draftInvoice({ id, customerId: c, amountDue: '40.00' }));
    await invoices.finalize(id, { now: clock.now().toISOString() });
    stackTime = new Date('2026-01-07T12:00:00Z');
    const args = ['pay', '--invoice', id, '--amount', '40.00', '--currency', 'EUR'];
    expect(await tally(...args)).toMatch(/: applied\n/);
    // The payment id is derived from the options and the time received (as written): the same with --at is
    // the same payment, another time another one.
    expect(await tally(...args, '--at', '2026-01-07T12:00:00.000Z')).toMatch(/: duplicate\n/);
    expect(await tally(...args, '--at', '2026-01-07T12:00:01.000Z')).not.toMatch(/: duplicate\n/);
  });

  it('lists an unmatched payment as unapplied until it is applied', async () => {
    const c = `c-${Math.random().toString(36).slice(2, 8)}`;
    const id = `inv-${c}`;
    await invoices.putDraft(draftInvoice({ id, customerId: c, amountDue: '20.00' }));
    await invoices.finalize(id, { now: clock.now().toISOString() });
    const paymentId = `bank-${c}`;
    expect(
      await tally(
        'pay',
        '--invoice',
        'no-such-invoice',
        '--amount',
        '20.00',
        '--currency',
        'EUR',
        '--id',
        paymentId,
      ),
    ).toBe(`${paymentId}: unapplied (no-customer)\n`);
    expect(await tally('payments', 'unapplied')).toContain(paymentId);
    expect(await tally('payments', 'apply', paymentId, '--invoice', id)).toBe(`${paymentId}: applied\n`);
    expect(await tally('payments', 'unapplied')).not.toContain(paymentId);
    const report = (await tally('payments', 'report', '--json'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(report.find((r) => r.customerId === c)).toMatchObject({
      invoiced: '20.00',
      applied: '20.00',
      balanced: true,
    });
  });

  it('refuses a payment with neither invoice nor customer', async () => {
    await expect(tally('pay', '--amount', '1.00', '--currency', 'EUR')).rejects.toThrow(
      /give --invoice or --customer/,
    );
  });
});
