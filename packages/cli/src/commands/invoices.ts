import { writeFile } from 'node:fs/promises';
import type { Invoice } from '@tally/billing';
import { renderDocument } from '@tally/documents';
import type { InvoiceStore } from '@tally/store';
import { invoiceStoreFromEnv } from '@tally/workflow';
import type { Command } from 'commander';
import { InputError } from '../errors.js';
import type { CommandContext } from '../io.js';

type InvoicePort = Pick<InvoiceStore<Invoice>, 'get' | 'listByCustomer' | 'listOpen'>;

function invoicesFromEnv(): InvoicePort {
  return invoiceStoreFromEnv();
}

function line(i: Invoice): string {
  return [
    i.id,
    i.status,
    i.number ?? '(draft)',
    `${i.period.start}..${i.period.end}`,
    `${i.totals.total} ${i.currency}`,
    i.dueDate ?? '',
  ]
    .join('  ')
    .trimEnd();
}

/** `tally invoices` and `tally invoice <id>`: list a customer's invoices or an issuer's open ones, show one. */
export function register(
  program: Command,
  { io }: CommandContext,
  deps: () => InvoicePort = invoicesFromEnv,
): void {
  const invoices = program.command('invoices').description('list and show invoices');
  invoices
    .command('list')
    .description(
      "a customer's invoices by period, or an issuer's open (finalized, unpaid) invoices by due date",
    )
    .option('--customer <id>', 'the customer')
    .option('--open <issuerId>', 'open invoices of this issuer')
    .option('--json', 'print JSON')
    .action(async (o: { customer?: string; open?: string; json?: boolean }) => {
      if (!o.customer && !o.open) throw new InputError('give --customer <id> or --open <issuerId>');
      const found = o.customer ? await deps().listByCustomer(o.customer) : await deps().listOpen(o.open!);
      const list = found.map((s) => s.invoice);
      io.out(
        o.json
          ? `${JSON.stringify(list, null, 2)}\n`
          : list.map((i) => `${line(i)}\n`).join('') || 'no invoices\n',
      );
    });
  // `tally invoice <id>` and `tally invoices show <id>` are the same command.
  for (const command of [invoices.command('show <invoiceId>'), program.command('invoice <invoiceId>')]) {
    command
      .description(
        "print one invoice as JSON, or write its PDF (the invoice document, without a delivery's appendix)",
      )
      .option('--pdf <file>', 'write the invoice PDF to this file instead')
      .action(async (id: string, o: { pdf?: string }) => {
        const found = await deps().get(id);
        if (found === null) throw new InputError(`invoice ${id} not found`);
        if (!o.pdf) {
          io.out(`${JSON.stringify(found.invoice, null, 2)}\n`);
          return;
        }
        if (found.invoice.status === 'draft') {
          throw new InputError(`invoice ${id} is a draft: it has no PDF until it is finalized`);
        }
        const doc = await renderDocument(found.invoice, { kind: 'invoice' });
        const pdf = doc.attachments.find((a) => a.contentType === 'application/pdf');
        if (!pdf) throw new Error(`invoice ${id}: the document has no PDF attachment`);
        await writeFile(o.pdf, pdf.content);
        for (const w of doc.warnings) io.err(`warning: ${w}\n`);
        io.out(`wrote ${o.pdf} (${pdf.content.length} bytes)\n`);
      });
  }
}
