import { Logger } from '@aws-lambda-powertools/logger';
import middy from '@middy/core';
import {
  type ActResult,
  DunningExecutionInputSchema,
  type Receivables,
  receivablesFromEnv,
} from '@tally/workflow';
import { z } from 'zod';

/** The execution input with the decision Decide (or the previous Act) made. */
export const ActInputSchema = DunningExecutionInputSchema.extend({
  decision: z.object({
    action: z.enum([
      'open',
      'apply-credit',
      'wait',
      'remind',
      'late-fee',
      'suspend',
      'final-notice',
      'collections',
      'done',
    ]),
    step: z.int().min(0),
    until: z.string(),
  }),
});

export interface ActDeps {
  readonly receivables: Pick<Receivables, 'act'>;
  readonly logger: Logger;
}

/**
 * The Act task of the dunning state machine. Check-then-send order: the step is recorded on the customer's
 * account with a version-checked write that only succeeds while the invoice is still open; mails and bus
 * events go out after that write. A payment stored first makes the step `skipped` (nothing sent).
 * It answers with the next decision (made on the account it wrote), which the state machine routes on.
 */
export function makeHandler(deps: ActDeps) {
  return middy(async (event: unknown): Promise<ActResult> => {
    const input = ActInputSchema.parse(event);
    const result = await deps.receivables.act(input);
    deps.logger.info('dunning step', {
      invoiceId: input.invoiceId,
      step: input.decision.step,
      ...result.last,
      next: result.action,
    });
    return result;
  });
}

export function defaultDeps(env: NodeJS.ProcessEnv = process.env): ActDeps {
  return { receivables: receivablesFromEnv(env), logger: new Logger({ serviceName: 'tally-dunning-act' }) };
}

export const handler = makeHandler(defaultDeps());
