import { type CfnElement, CfnOutput, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { TallyConfig } from '../config.js';
import { BillingRun } from '../constructs/billing-run.js';
import { Delivery } from '../constructs/delivery.js';
import { Dunning } from '../constructs/dunning.js';
import { Ingestion } from '../constructs/ingestion.js';
import { Observability } from '../constructs/observability.js';
import { Payments } from '../constructs/payments.js';
import { STATELESS_OUTPUTS } from '../stack-outputs.js';
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
    const ingestion = new Ingestion(this, 'Ingestion', {
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
      closeEvery: rateDuration(props.config.closePeriodsSchedule),
      dueShards: props.config.dueShards,
    });
    const payments = new Payments(this, 'Payments', {
      billingTable: props.stateful.billingTable,
      deliveryQueue: delivery.queue,
      eventBus: dunning.eventBus,
    });
    // Email out: deliver-invoice on the delivery queue via SES; bounces and complaints back via SNS → SQS.
    const feedback = props.stateful.queues.MailFeedbackQueue!;
    new Delivery(this, 'Delivery', {
      billingTable: props.stateful.billingTable,
      usageTable: props.stateful.usageTable,
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

    const outputs: Record<string, string> = {
      EventBusName: dunning.eventBus.eventBusName,
      DunningStateMachineArn: dunning.stateMachine.stateMachineArn,
      IngestUrl: `${ingestion.api.apiEndpoint}/v1/events`,
      WebhookUrl: `${payments.api.apiEndpoint}/v1/payments/webhook`,
    };
    for (const def of STATELESS_OUTPUTS) {
      const value = outputs[def.key];
      if (value === undefined) throw new Error(`StatelessStack: no value for output ${def.key}`);
      new CfnOutput(this, def.key, { value, description: def.description });
    }
  }
}

/** `rate(1 hour)` → 1 hour (the config schema has checked the form). */
function rateDuration(expression: string): Duration {
  const m = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(expression);
  if (!m) throw new Error(`closePeriodsSchedule ${expression}: expected rate(<n> minutes|hours|days)`);
  const n = Number(m[1]);
  return m[2] === 'minute' ? Duration.minutes(n) : m[2] === 'hour' ? Duration.hours(n) : Duration.days(n);
}
