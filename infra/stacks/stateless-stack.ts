import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { TallyConfig } from '../config.js';
import { BillingRun } from '../constructs/billing-run.js';
import { Ingestion } from '../constructs/ingestion.js';
import type { StatefulStack } from './stateful-stack.js';

export interface StatelessStackProps extends StackProps {
  readonly config: TallyConfig;
  readonly stateful: StatefulStack;
}

/** Functions, schedules, state machines and APIs: replaceable without touching data. */
export class StatelessStack extends Stack {
  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    void props;
    const usage = props.stateful.queues.UsageQueue!;
    new Ingestion(this, 'Ingestion', {
      usageTable: props.stateful.usageTable,
      billingTable: props.stateful.billingTable,
      queue: usage.queue,
      deadLetterQueue: usage.deadLetterQueue,
      usageRetentionDays: props.config.usageRetentionDays,
    });
    // The billing run: hourly close-periods → billing-jobs → bill-subscription → delivery and dunning.
    const jobs = props.stateful.queues.BillingJobsQueue!;
    new BillingRun(this, 'BillingRun', {
      billingTable: props.stateful.billingTable,
      usageTable: props.stateful.usageTable,
      jobsQueue: jobs.queue,
      jobsDeadLetterQueue: jobs.deadLetterQueue,
      deliveryQueue: props.stateful.queues.DeliveryQueue!.queue,
    });
  }
}
