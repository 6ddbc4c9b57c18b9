import {
  billingTable,
  deliveryQueue,
  mailFeedbackQueue,
  type QueueDefinition,
  usageTable,
} from '@tally/resources';
import { Duration, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import {
  ConfigurationSet,
  EmailIdentity,
  EmailSendingEvent,
  EventDestination,
  Identity,
  SuppressionReasons,
} from 'aws-cdk-lib/aws-ses';
import { Subscription, SubscriptionProtocol, Topic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { BillingFunction } from './billing-function.js';
import { grantTableKey } from './grants.js';

export interface DeliveryProps {
  /** Invoices (read, `INV#`) and deliveries and suppressed contacts (read/write, `DLV#`). */
  readonly billingTable: ITable;
  /**
   * Usage events, read for itemized appendices (call records, intervals) of plans that ask for one. Without
   * it, documents go out without appendices.
   */
  readonly usageTable?: ITable;
  /** The delivery queue (send requests from billing, payments and dunning). */
  readonly queue: IQueue;
  /** Its dead-letter queue: an alarm fires on the first message there. */
  readonly deadLetterQueue: IQueue;
  /** The queue SES bounce and complaint events reach through SNS. */
  readonly feedbackQueue: IQueue;
  /** Its dead-letter queue. */
  readonly feedbackDeadLetterQueue: IQueue;
  /** The SES identity mail is sent from: an address (`billing@example.com`) or a domain (`example.com`). */
  readonly senderIdentity: string;
  /** Display name of the sender. Default none. */
  readonly senderName?: string;
  /** Payment details printed in the documents, as JSON for `TALLY_PAY_TO`. Default none. */
  readonly payTo?: { accountHolder?: string; iban?: string; bic?: string; url?: string };
  /** Definitions of the two queues. Default `deliveryQueue` and `mailFeedbackQueue`. */
  readonly definitions?: { delivery: QueueDefinition; feedback: QueueDefinition };
  /** Root of the repository (functions/ lives there). Default the working directory. */
  readonly projectRoot?: string;
}

/**
 * Email delivery: the SES identity and a configuration set that publishes bounces and complaints (and
 * sends, rejects, deliveries) to an SNS topic feeding the feedback queue; deliver-invoice on the delivery
 * queue, allowed to send only as the configured identity through the configuration set; mail-feedback on
 * the feedback queue; alarms on both DLQs and on the delivery metrics that need a person (FailedPermanent,
 * SentUnknown, LostClaim, ConfigurationError).
 */
export class Delivery extends Construct {
  readonly deliverFunction: BillingFunction;
  readonly feedbackFunction: BillingFunction;
  readonly identity: EmailIdentity;
  readonly configurationSet: ConfigurationSet;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: DeliveryProps) {
    super(scope, id);
    const sender = props.senderIdentity;
    const isAddress = sender.includes('@');
    if (!(isAddress ? /^[^@\s]+@[^@\s]+\.[^@\s]+$/ : /^[a-z0-9.-]+\.[a-z]{2,}$/i).test(sender)) {
      throw new Error(`Delivery: senderIdentity "${sender}" is neither an email address nor a domain name`);
    }
    const defs = props.definitions ?? { delivery: deliveryQueue, feedback: mailFeedbackQueue };
    const consumer = defs.delivery.consumer;
    const feedbackConsumer = defs.feedback.consumer;
    if (!consumer || !feedbackConsumer) throw new Error('Delivery: both queue definitions need a consumer');
    // AWS: the queue's visibility timeout should be at least six times the function timeout.
    const timeoutSeconds = Math.floor(defs.delivery.visibilityTimeoutSeconds / 6);
    const fromAddress = isAddress ? sender : `billing@${sender}`;

    // The topic has a fixed name so the queue's policy (in the stateful stack) can name it without a
    // reference to this stack: SqsSubscription would put the topic's ARN there and make the stacks cyclic.
    const topicName = `${Stack.of(this).stackName}-ses-events`;
    const topic = new Topic(this, 'SesEvents', {
      topicName,
      enforceSSL: true,
      displayName: 'tally SES events',
    });
    new Subscription(this, 'SesEventsToQueue', {
      topic,
      protocol: SubscriptionProtocol.SQS,
      endpoint: props.feedbackQueue.queueArn,
      rawMessageDelivery: true,
    });
    props.feedbackQueue.addToResourcePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        principals: [new ServicePrincipal('sns.amazonaws.com')],
        actions: ['sqs:SendMessage'],
        resources: [props.feedbackQueue.queueArn],
        conditions: {
          ArnEquals: {
            'aws:SourceArn': Stack.of(props.feedbackQueue).formatArn({ service: 'sns', resource: topicName }),
          },
        },
      }),
    );
    // On a queue with a customer-managed key SNS encrypts what it delivers, so the key must let SNS use it for
    // this topic only: https://docs.aws.amazon.com/sns/latest/dg/sns-enable-encryption-for-topic-sqs-queue-subscriptions.html
    props.feedbackQueue.encryptionMasterKey?.addToResourcePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        principals: [new ServicePrincipal('sns.amazonaws.com')],
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: ['*'],
        conditions: {
          ArnEquals: {
            'aws:SourceArn': Stack.of(props.feedbackQueue).formatArn({ service: 'sns', resource: topicName }),
          },
        },
      }),
    );
    this.configurationSet = new ConfigurationSet(this, 'ConfigurationSet', {
      reputationMetrics: true,
      sendingEnabled: true,
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    this.configurationSet.addEventDestination('ToSns', {
      destination: EventDestination.snsTopic(topic),
      events: [
        EmailSendingEvent.SEND,
        EmailSendingEvent.REJECT,
        EmailSendingEvent.BOUNCE,
        EmailSendingEvent.COMPLAINT,
        EmailSendingEvent.DELIVERY,
      ],
    });
    this.identity = new EmailIdentity(this, 'Identity', {
      identity: isAddress ? Identity.email(sender) : Identity.domain(sender),
      configurationSet: this.configurationSet,
    });

    const table = { [billingTable.envVar]: props.billingTable.tableName };
    this.deliverFunction = new BillingFunction(this, 'Deliver', {
      name: consumer.functionName,
      pdfkitStandardFonts: true,
      timeout: Duration.seconds(timeoutSeconds),
      environment: {
        ...table,
        TALLY_SENDER: fromAddress,
        ...(props.senderName ? { TALLY_SENDER_NAME: props.senderName } : {}),
        TALLY_SES_CONFIGURATION_SET: this.configurationSet.configurationSetName,
        ...(props.payTo ? { TALLY_PAY_TO: JSON.stringify(props.payTo) } : {}),
        ...(props.usageTable ? { [usageTable.envVar]: props.usageTable.tableName } : {}),
      },
      ...(props.projectRoot ? { projectRoot: props.projectRoot } : {}),
    });
    const deliver = this.deliverFunction.fn;
    deliver.addEventSource(
      new SqsEventSource(props.queue, {
        batchSize: consumer.batchSize,
        maxBatchingWindow: Duration.seconds(consumer.maxBatchingWindowSeconds),
        maxConcurrency: consumer.maxConcurrency,
        reportBatchItemFailures: true,
      }),
    );
    // Invoices: read only. Deliveries and contacts: the DLV# keys only.
    deliver.addToRolePolicy(leadingKeys(props.billingTable, ['dynamodb:GetItem'], ['INV#*', 'DLV#*']));
    deliver.addToRolePolicy(
      leadingKeys(props.billingTable, ['dynamodb:PutItem', 'dynamodb:UpdateItem'], ['DLV#*']),
    );
    if (props.usageTable) {
      // Appendices: the plan (its newest version) and the meter from the catalog, the records from usage.
      deliver.addToRolePolicy(leadingKeys(props.billingTable, ['dynamodb:Query'], ['PLAN#*']));
      deliver.addToRolePolicy(leadingKeys(props.billingTable, ['dynamodb:GetItem'], ['PLAN#*', 'METER#*']));
      props.usageTable.grant(deliver, 'dynamodb:Query', 'dynamodb:GetItem');
      grantTableKey(props.usageTable, deliver);
    }
    // Send only as the configured identity, only through the configured configuration set.
    deliver.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['ses:SendEmail', 'ses:SendRawEmail'],
        resources: [
          this.identity.emailIdentityArn,
          Stack.of(this).formatArn({
            service: 'ses',
            resource: 'configuration-set',
            resourceName: this.configurationSet.configurationSetName,
          }),
        ],
        conditions: { StringEquals: { 'ses:FromAddress': fromAddress } },
      }),
    );

    this.feedbackFunction = new BillingFunction(this, 'Feedback', {
      name: feedbackConsumer.functionName,
      timeout: Duration.seconds(Math.floor(defs.feedback.visibilityTimeoutSeconds / 6)),
      environment: table,
      ...(props.projectRoot ? { projectRoot: props.projectRoot } : {}),
    });
    this.feedbackFunction.fn.addEventSource(
      new SqsEventSource(props.feedbackQueue, {
        batchSize: feedbackConsumer.batchSize,
        maxConcurrency: feedbackConsumer.maxConcurrency,
        reportBatchItemFailures: true,
      }),
    );
    // Suppressed contacts and feedback (write); SES Send events confirm a delivery (update, then read why not).
    this.feedbackFunction.fn.addToRolePolicy(
      leadingKeys(
        props.billingTable,
        ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        ['DLV#*'],
      ),
    );
    grantTableKey(props.billingTable, deliver);
    grantTableKey(props.billingTable, this.feedbackFunction.fn);

    const alarm = (id: string, metric: Metric, description: string) => {
      const a = new Alarm(this, id, {
        metric,
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      this.alarms.push(a);
    };
    alarm(
      'DeliveryDlqAlarm',
      props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
      'a send request failed repeatedly and sits in the delivery DLQ',
    );
    alarm(
      'FeedbackDlqAlarm',
      props.feedbackDeadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
      'an SES event could not be applied and sits in the feedback DLQ',
    );
    for (const [name, description] of [
      [
        'FailedPermanent',
        'SES rejected an invoice mail or no recipient is deliverable: the invoice is undeliverable',
      ],
      ['SentUnknown', 'deliver-invoice crashed around SendEmail: check whether the customer got the mail'],
      ['LostClaim', 'a mail was sent after its claim expired: it may have been sent twice'],
      ['ConfigurationError', 'SES refuses to send as the identity (paused, not verified): mail is queued'],
    ] as const) {
      alarm(
        `${name}Alarm`,
        new Metric({
          namespace: 'Tally',
          metricName: `Delivery${name}`,
          dimensionsMap: { service: 'tally-deliver-invoice' },
          statistic: 'Sum',
          period: Duration.minutes(5),
        }),
        description,
      );
    }
  }
}

function leadingKeys(table: ITable, actions: string[], keys: string[]): PolicyStatement {
  return new PolicyStatement({
    effect: Effect.ALLOW,
    actions,
    resources: [table.tableArn, `${table.tableArn}/index/*`],
    conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': keys } },
  });
}
