import { type Decision, type DunningPolicies, decide, performStep, policyFor } from '@tally/dunning';
import {
  type Account,
  type ApplyOutcome,
  applyPayment,
  type BusEffect,
  type Effect,
  type MailEffect,
  type PayableInvoice,
  type Payment,
  PaymentInputError,
  type ReconciliationRow,
  reconciliationReport,
  refundPayment,
  registerInvoice,
} from '@tally/payments';
import { type AccountChange, NotFoundError, type PaymentStore, type StoredPayment } from '@tally/store';
import { z } from 'zod';
import type { Clock, EventPublisher, InvoiceSource, MailSender } from './ports.js';

export interface ReceivablesDeps {
  readonly payments: PaymentStore;
  readonly invoices: InvoiceSource;
  readonly mail: MailSender;
  readonly events: EventPublisher;
  readonly policies: DunningPolicies;
  readonly clock: Clock;
}

export type RecordResult =
  | { readonly status: 'applied' | 'duplicate'; readonly customerId: string; readonly outcome: ApplyOutcome }
  | { readonly status: 'unapplied'; readonly reason: string }
  | { readonly status: 'refunded' | 'refund-duplicate'; readonly customerId: string };

/**
 * The input `startDunning` gives an execution (the state machine passes it on to Decide and Act): the
 * invoice, its dunning segment and its customer. With the customer, a step reads the customer's account
 * first and the invoice only when the account does not hold it yet; executions started before the customer
 * was carried have none, and the invoice names it.
 */
export const DunningExecutionInputSchema = z.object({
  invoiceId: z.string().min(1),
  segment: z.string().min(1).optional(),
  customerId: z.string().min(1).optional(),
});

/** The input of the dunning Lambdas: the execution input plus, for Act, the decision to carry out. */
export type DunningTaskInput = Readonly<z.infer<typeof DunningExecutionInputSchema>> & {
  readonly decision?: Decision;
};

/**
 * Act's answer: the decision for what comes next, made on the account Act just wrote (so the state machine
 * routes on it without another Decide), and what Act did (`last`).
 */
export interface ActResult extends Decision {
  readonly last: { readonly action: string; readonly outcome: string };
}

/** `updateAccount`'s answer when the account named by the execution input does not hold the invoice. */
const NOT_IN_ACCOUNT = Symbol('not in account');

/**
 * The receivables flow: payments in, dunning steps out. Each method is one domain call inside one store
 * update, then the effects (mails, bus events) — always after the state they follow from is stored, and with
 * deterministic ids so a retry re-sends nothing new.
 */
export class Receivables {
  constructor(private readonly deps: ReceivablesDeps) {}

  /**
   * Records a payment or refund, idempotently by its id: applies it to the named invoice or the customer's
   * oldest open invoices, or keeps it unapplied (listed by `tally payments unapplied`) when it matches nothing.
   */
  async record(payment: Payment): Promise<RecordResult> {
    return payment.kind === 'refund' ? this.#refund(payment) : this.#pay(payment);
  }

  async #pay(payment: Payment): Promise<RecordResult> {
    const now = this.deps.clock.now().toISOString();
    let invoice: PayableInvoice | null = null;
    let customerId = payment.customerId;
    if (payment.invoiceId !== undefined) {
      invoice = await this.deps.invoices.get(payment.invoiceId);
      if (invoice && customerId === undefined) customerId = invoice.customer.id;
      if (invoice && invoice.customer.id !== customerId) invoice = null;
    }
    if (customerId === undefined) return this.#unapplied(payment, null, 'no-customer', now);
    const outcome = await this.deps.payments.updateAccount(customerId, (current) => {
      let account = current;
      if (invoice && !account?.invoices[invoice.id]) account = tryRegister(account, invoice, now);
      if (!account)
        return { account: current, result: { status: 'unapplied', reason: 'unknown-customer' } as const };
      const applied = applyPayment(account, payment, now);
      return { account: applied.account, result: applied.outcome };
    });
    if (outcome.status === 'unapplied') return this.#unapplied(payment, customerId, outcome.reason, now);
    await this.deps.payments.putPayment({
      payment,
      status: 'applied',
      customerId,
      reason: null,
      recordedAt: now,
    });
    await this.#run(outcome.effects);
    for (const e of outcome.effects) {
      if (e.type === 'mail' && e.kind === 'receipt') {
        await this.deps.invoices.markPaid(
          e.invoiceId,
          { paidAt: payment.receivedAt, paymentReference: payment.id },
          invoice?.id === e.invoiceId ? invoice : undefined,
        );
      }
    }
    return { status: outcome.status, customerId, outcome };
  }

  async #refund(refund: Payment): Promise<RecordResult> {
    const now = this.deps.clock.now().toISOString();
    const original = await this.deps.payments.getPayment(refund.refundOf!);
    if (!original || original.status === 'unapplied' || original.customerId === null) {
      return this.#unapplied(refund, original?.customerId ?? null, 'refund-of-unapplied-payment', now);
    }
    const customerId = original.customerId;
    const outcome = await this.deps.payments.updateAccount(customerId, (current) => {
      if (!current) throw new NotFoundError('account', customerId);
      const r = refundPayment(current, refund);
      return { account: r.account, result: r.outcome };
    });
    await this.deps.payments.putPayment({
      payment: refund,
      status: 'applied',
      customerId,
      reason: null,
      recordedAt: now,
    });
    return { status: outcome.status === 'duplicate' ? 'refund-duplicate' : 'refunded', customerId };
  }

  async #unapplied(
    payment: Payment,
    customerId: string | null,
    reason: string,
    now: string,
  ): Promise<RecordResult> {
    await this.deps.payments.putPayment({
      payment,
      status: 'unapplied',
      customerId,
      reason,
      recordedAt: now,
    });
    return { status: 'unapplied', reason };
  }

  /** Applies a payment kept unapplied to an invoice or a customer (the reconciliation workflow). */
  async applyUnapplied(
    paymentId: string,
    target: { invoiceId?: string; customerId?: string },
  ): Promise<RecordResult> {
    const stored = await this.deps.payments.getPayment(paymentId);
    if (!stored) throw new NotFoundError('payment', paymentId);
    if (stored.status !== 'unapplied') throw new PaymentInputError(`payment ${paymentId} is already applied`);
    const { invoiceId: _i, customerId: _c, ...rest } = stored.payment;
    return this.record({ ...rest, ...target });
  }

  async listUnapplied(): Promise<StoredPayment[]> {
    return this.deps.payments.listUnapplied();
  }

  async reconciliation(): Promise<ReconciliationRow[]> {
    const [accounts, unapplied] = await Promise.all([
      this.deps.payments.listAccounts(),
      this.deps.payments.listUnapplied(),
    ]);
    return reconciliationReport(
      accounts,
      unapplied.map((u) => ({ ...u.payment, ...(u.customerId ? { customerId: u.customerId } : {}) })),
    );
  }

  /**
   * The Decide task of the dunning state machine: decides on the customer's account, read fresh. Once the
   * account holds the invoice (after `open`), the ledger has everything the decision reads, so with the
   * customer id in the input the invoice itself is not read; before that, its status is (void → done).
   */
  async decide(input: DunningTaskInput): Promise<Decision> {
    const now = this.deps.clock.now().toISOString();
    const policy = policyFor(this.deps.policies, input.segment);
    let account: Account | undefined;
    if (input.customerId !== undefined) {
      account = await this.deps.payments.getAccount(input.customerId);
      if (account?.invoices[input.invoiceId]) {
        return decide({ account, invoiceId: input.invoiceId, policy, now });
      }
    }
    const invoice = await this.#status(input.invoiceId);
    if (input.customerId === undefined || invoice.customerId !== input.customerId) {
      account = await this.deps.payments.getAccount(invoice.customerId);
    }
    if (invoice.status === 'void' && !account?.invoices[input.invoiceId]) {
      return { action: 'done', step: 0, until: now, reason: 'void' };
    }
    return decide({ account, invoiceId: input.invoiceId, policy, now });
  }

  /**
   * The Act task: re-checks and records the step in one conditional write of the account, then sends. A
   * payment stored before that write makes the step `skipped`; see the race note in the README. It answers
   * with the next decision, made on the account it wrote at the same `now`: what Decide would answer then.
   * A payment stored after the write is seen by the next Act's own check (skipped) or by the Decide that
   * follows the next wait, so a paid customer is never reminded.
   */
  async act(input: DunningTaskInput): Promise<ActResult> {
    const decision = input.decision;
    if (!decision) throw new PaymentInputError(`act on ${input.invoiceId} needs a decision`);
    const now = this.deps.clock.now().toISOString();
    const invoiceId = input.invoiceId;
    const policy = policyFor(this.deps.policies, input.segment);
    const answer = (account: Account, action: string, outcome: string): ActResult => ({
      ...decide({ account, invoiceId, policy, now }),
      last: { action, outcome },
    });
    if (decision.action === 'open') {
      const invoice = await this.#invoice(invoiceId);
      const account = await this.deps.payments.updateAccount(invoice.customer.id, (current) => {
        const next = registerInvoice(current, invoice, now).account;
        return { account: next, result: next };
      });
      if (invoice.status === 'finalized') await this.#markIfSettledByCredit(account, invoiceId);
      return answer(account, 'open', 'performed');
    }
    if (decision.action === 'wait' || decision.action === 'done') {
      return { ...decision, last: { action: decision.action, outcome: 'skipped' } };
    }
    const action = decision.action;
    type Step = ReturnType<typeof performStep>;
    const step = (customerId: string, current: Account | undefined): AccountChange<Step> => {
      if (!current) throw new NotFoundError('account', customerId);
      const r = performStep({ account: current, invoiceId, action, step: decision.step, policy, now });
      return { account: r.account, result: r };
    };
    // The account the input names is used when it holds the invoice (it always does after `open`); else the
    // invoice says whose account it is, as without the customer id.
    const hinted =
      input.customerId === undefined
        ? NOT_IN_ACCOUNT
        : await this.deps.payments.updateAccount<Step | typeof NOT_IN_ACCOUNT>(input.customerId, (current) =>
            current?.invoices[invoiceId]
              ? step(input.customerId!, current)
              : { account: current, result: NOT_IN_ACCOUNT },
          );
    const r =
      hinted !== NOT_IN_ACCOUNT
        ? hinted
        : await (async () => {
            const customerId = (await this.#status(invoiceId)).customerId;
            return this.deps.payments.updateAccount(customerId, (current) => step(customerId, current));
          })();
    await this.#run(r.effects);
    // markPaid reads the invoice and only moves a finalized one, so it needs no read here.
    if (action === 'apply-credit') await this.#markIfSettledByCredit(r.account, invoiceId);
    return answer(r.account, action, r.outcome);
  }

  async #markIfSettledByCredit(account: Account, invoiceId: string): Promise<void> {
    const inv = account.invoices[invoiceId];
    if (inv?.status === 'paid') {
      await this.deps.invoices.markPaid(invoiceId, {
        paidAt: inv.paidAt ?? new Date().toISOString(),
        paymentReference: 'credit-balance',
      });
    }
  }

  async #invoice(invoiceId: string): Promise<PayableInvoice> {
    const invoice = await this.deps.invoices.get(invoiceId);
    if (!invoice) throw new NotFoundError('invoice', invoiceId);
    return invoice;
  }

  /** The invoice's status and customer, without its document when the source can read them alone. */
  async #status(invoiceId: string): Promise<{ status: string; customerId: string }> {
    if (this.deps.invoices.status) {
      const head = await this.deps.invoices.status(invoiceId);
      if (!head) throw new NotFoundError('invoice', invoiceId);
      return head;
    }
    const invoice = await this.#invoice(invoiceId);
    return { status: invoice.status, customerId: invoice.customer.id };
  }

  /** Mails first (each one its own request id), then the bus events in one call. */
  async #run(effects: readonly Effect[]): Promise<void> {
    for (const e of effects) if (e.type === 'mail') await this.deps.mail.send(e as MailEffect);
    const events = effects.filter((e): e is BusEffect => e.type === 'event');
    if (events.length > 0) await this.deps.events.publish(events);
  }
}

function tryRegister(
  account: Account | undefined,
  invoice: PayableInvoice,
  now: string,
): Account | undefined {
  try {
    return registerInvoice(account, invoice, now).account;
  } catch (err) {
    // A draft, or another currency than the account's: the payment is then matched (or not) without it.
    if (err instanceof PaymentInputError) return account;
    throw err;
  }
}
