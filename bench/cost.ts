import type { BenchRow } from './types.js';

/**
 * AWS list prices, us-east-1, on-demand, as published on the pricing pages below on PRICES_AS_OF (DynamoDB's
 * on-demand prices are those after the 50 % cut of 2024-11-01). Not fetched at run time: update by hand.
 */
export const PRICES_AS_OF = '2024-11-01';
export const PRICES = {
  /** https://aws.amazon.com/dynamodb/pricing/on-demand/ : $0.625 per million write request units. */
  dynamoWriteUnit: 0.625 / 1e6,
  /** Same page: $0.125 per million read request units. */
  dynamoReadUnit: 0.125 / 1e6,
  /** https://aws.amazon.com/sqs/pricing/ : standard queue, $0.40 per million requests (64 KB chunks). */
  sqsRequest: 0.4 / 1e6,
  /** https://aws.amazon.com/lambda/pricing/ : arm64, $0.0000133334 per GB-second (first 7.5 B GB-s a month). */
  lambdaGbSecondArm: 0.0000133334,
  /** Same page: $0.20 per million requests. */
  lambdaRequest: 0.2 / 1e6,
} as const;

/** Memory of every tally function (BillingFunction's default), in GB. */
const LAMBDA_GB = 1;
/** Ingest invocations per event: the usage queue's 1 s batching window at the benched 1,000 events/s. */
const INGEST_INVOCATIONS_PER_EVENT = 1 / 1_000;
/** The floor: one DynamoDB write unit per event, the least any durable per-event store costs. */
const FLOOR_PER_MILLION = 1e6 * PRICES.dynamoWriteUnit;
const GOAL = 1.6;

const find = (rows: readonly BenchRow[], area: string, prefix: string) =>
  rows.find((r) => r.area === area && r.name.startsWith(prefix));

/**
 * Cost per million events from the figures measured in this run: write and read units, SQS requests and
 * Lambda GB-seconds (the handler's wall time per event against the local DynamoDB, an estimate of the billed
 * duration) at list price, beside the floor of one write unit per event. Empty when a figure is missing
 * (a filtered run).
 */
export function costRows(rows: readonly BenchRow[]): BenchRow[] {
  const wcu = find(rows, 'ingest', 'write units per input event');
  const rcu = find(rows, 'ingest', 'read units per input event');
  const rate = find(rows, 'ingest', 'events/s through the handler');
  const sqs = find(rows, 'pipeline', 'SQS requests per event (');
  const rru = find(rows, 'billing', 'read units per event');
  const bill = find(rows, 'billing', 'bill one subscription');
  if (!wcu || !rcu || !rate || !sqs || !rru || !bill) return [];
  const M = 1e6;
  const billEvents = Number(/([\d,]+) events/.exec(bill.name)?.[1]?.replace(/,/g, '') ?? Number.NaN);
  const ingest = {
    dynamo: M * (wcu.value * PRICES.dynamoWriteUnit + rcu.value * PRICES.dynamoReadUnit),
    sqs: M * sqs.value * PRICES.sqsRequest,
    lambda:
      M *
      ((1 / rate.value) * LAMBDA_GB * PRICES.lambdaGbSecondArm +
        INGEST_INVOCATIONS_PER_EVENT * PRICES.lambdaRequest),
  };
  const billing = {
    dynamo: M * rru.value * PRICES.dynamoReadUnit,
    lambda:
      M *
      ((bill.value / 1000 / billEvents) * LAMBDA_GB * PRICES.lambdaGbSecondArm +
        PRICES.lambdaRequest / billEvents),
  };
  const ingestTotal = ingest.dynamo + ingest.sqs + ingest.lambda;
  const billingTotal = billing.dynamo + billing.lambda;
  const total = ingestTotal + billingTotal;
  const usd = 'USD / M events';
  const row = (name: string, value: number): BenchRow => ({ area: 'cost', name, value, unit: usd });
  return [
    row(`floor: 1 DynamoDB write unit per event (prices of ${PRICES_AS_OF})`, FLOOR_PER_MILLION),
    row('ingest: DynamoDB write + read units', ingest.dynamo),
    row('ingest: SQS requests', ingest.sqs),
    row('ingest: Lambda GB-s + requests (arm64, 1 GB)', ingest.lambda),
    {
      ...row('ingest total', ingestTotal),
      baseline: FLOOR_PER_MILLION,
      ratio: ingestTotal / FLOOR_PER_MILLION,
    },
    row('billing: DynamoDB read units', billing.dynamo),
    row('billing: Lambda GB-s + requests (arm64, 1 GB)', billing.lambda),
    {
      ...row('billing total', billingTotal),
      baseline: FLOOR_PER_MILLION,
      ratio: billingTotal / FLOOR_PER_MILLION,
    },
    {
      ...row('ingest + billing total', total),
      baseline: FLOOR_PER_MILLION,
      ratio: total / FLOOR_PER_MILLION,
      goal: GOAL,
      pass: total / FLOOR_PER_MILLION <= GOAL,
    },
  ];
}
