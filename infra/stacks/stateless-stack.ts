import { type CfnElement, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { TallyConfig } from '../config.js';
import { BillingRun } from '../constructs/billing-run.js';
import { Delivery } from '../constructs/delivery.js';
import { Dunning } from '../constructs/dunning.js';
import { Ingestion } from '../constructs/ingestion.js';
import { Observability } from '../constructs/observability.js';
import { Payments } from '../constructs/payments.js';
import type { StatefulStack } from './stateful-stack.js';

export interface StatelessStackProps extends StackProps {
  readonly config: TallyConfig;
  readonly stateful: StatefulStack;
}

/** Functions, schedules, state machines and APIs: replaceable without touching data. */
export class StatelessStack extends Stack {
  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const usage = props.stateful.queues.UsageQueue!;
    new Ingestion(this, 'Ingestion', {
      usageTable: props.stateful.usageTable,
      billingTable: props.stateful.billingTable,
      queue: usage.queue,
      deadLetterQueue: usage.deadLetterQueue,
      usageRetentionDays: props.config.usageRetentionDays,
    });
    // Payments in and dunning out: one receivables flow over the billing table (PAY#, WH# keys).
    const delivery = props.stateful.queues.DeliveryQueue!;
    const dunning = new Dunning(this, 'Dunning', {
      billingTable: props.stateful.billingTable,
      deliveryQueue: delivery.queue,
      ...(props.config.dunningPolicies ? { policies: JSON.stringify(props.config.dunningPolicies) } : {}),
    });
    // The billing run: hourly close-periods → billing-jobs → bill-subscription → delivery and dunning.
    const jobs = props.stateful.queues.BillingJobsQueue!;
    new BillingRun(this, 'BillingRun', {
      billingTable: props.stateful.billingTable,
      usageTable: props.stateful.usageTable,
      jobsQueue: jobs.queue,
      jobsDeadLetterQueue: jobs.deadLetterQueue,
      deliveryQueue: delivery.queue,
      grantDunning: (fn) => dunning.grantStart(fn),
    });
    new Payments(this, 'Payments', {
      billingTable: props.stateful.billingTable,
      deliveryQueue: delivery.queue,
      eventBus: dunning.eventBus,
    });
    // Email out: deliver-invoice on the delivery queue via SES; bounces and complaints back via SNS → SQS.
    const feedback = props.stateful.queues.MailFeedbackQueue!;
    new Delivery(this, 'Delivery', {
      billingTable: props.stateful.billingTable,
      queue: delivery.queue,
      deadLetterQueue: delivery.deadLetterQueue,
      feedbackQueue: feedback.queue,
      feedbackDeadLetterQueue: feedback.deadLetterQueue,
      senderIdentity: props.config.senderIdentity,
    });
    // Last: it alarms on every function defined above and graphs the pipeline end to end.
    new Observability(this, 'Observability', { dunningStateMachine: dunning.stateMachine });
    // CDK's grants on a table include its indexes as `<table ARN>/index/*`; the billing table has exactly
    // the two overloaded GSIs its adapters document, so the wildcard names nothing more.
    const billingTableId = props.stateful.getLogicalId(
      props.stateful.billingTable.node.defaultChild as CfnElement,
    );
    Validations.of(this).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${billingTableId}.Arn>/index/*]`,
      reason: 'grants on the billing table cover its two documented GSIs (gsi1, gsi2) through index/*',
    });
  }
}
