import { Logger } from '@aws-lambda-powertools/logger';
import middy from '@middy/core';
import type { Decision } from '@tally/dunning';
import { DunningExecutionInputSchema, type Receivables, receivablesFromEnv } from '@tally/workflow';

/** The execution input (`startDunning` puts it there); the state machine passes it on unchanged. */
export const DecideInputSchema = DunningExecutionInputSchema;

export interface DecideDeps {
  readonly receivables: Pick<Receivables, 'decide'>;
  readonly logger: Logger;
}

/**
 * The Decide task of the dunning state machine: loads the invoice's account and the segment's policy and
 * returns what to do now (`wait` until a time, a policy action, or `done`). Reads only: it sends nothing.
 */
export function makeHandler(deps: DecideDeps) {
  return middy(async (event: unknown): Promise<Decision> => {
    const input = DecideInputSchema.parse(event);
    const decision = await deps.receivables.decide(input);
    deps.logger.info('dunning decision', { invoiceId: input.invoiceId, ...decision });
    return decision;
  });
}

export function defaultDeps(env: NodeJS.ProcessEnv = process.env): DecideDeps {
  return {
    receivables: receivablesFromEnv(env),
    logger: new Logger({ serviceName: 'tally-dunning-decide' }),
  };
}

export const handler = makeHandler(defaultDeps());
