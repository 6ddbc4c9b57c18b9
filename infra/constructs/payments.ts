import { billingTable, deliveryQueue } from '@tally/resources';
import { Duration, Validations } from 'aws-cdk-lib';
import { type CfnStage, HttpApi, HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { BillingFunction } from './billing-function.js';
import { grantSend, grantTableKey } from './grants.js';

export interface PaymentsProps {
  /** Payments `PAY#`, notification ids `WH#`, accounts `PAY#ACCT#` (read-write); invoices (read, mark paid). */
  readonly billingTable: ITable;
  /** Receipts and "service restored" mails. */
  readonly deliveryQueue: IQueue;
  /** Where `tally.account.restored` goes (the dunning construct's bus). */
  readonly eventBus: IEventBus;
  /**
   * The webhook signing secret(s), comma-separated in the secret string. Default: a new generated secret
   * (copy it into the payment provider's webhook settings).
   */
  readonly webhookSecret?: ISecret;
  /** Requests per second the webhook accepts (burst is twice that). Default 50. */
  readonly rateLimit?: number;
  /** Root of the repository (functions/ lives there). Default the working directory. */
  readonly projectRoot?: string;
}

/**
 * Payments in: the record-payment function behind `POST /v1/payments/webhook` (HMAC-signed notifications,
 * replay guard on the notification id), with the signing secret in Secrets Manager and an alarm on errors.
 */
export class Payments extends Construct {
  readonly recordFunction: BillingFunction;
  readonly api: HttpApi;
  readonly webhookSecret: ISecret;

  constructor(scope: Construct, id: string, props: PaymentsProps) {
    super(scope, id);
    const rate = props.rateLimit ?? 50;
    if (!Number.isInteger(rate) || rate < 1 || rate > 10_000) {
      throw new RangeError(`Payments: rateLimit ${rate} must be an integer between 1 and 10000`);
    }
    this.webhookSecret =
      props.webhookSecret ??
      new Secret(this, 'WebhookSecret', {
        description: 'tally payment webhook signing secret(s), comma-separated while rotating',
        generateSecretString: { passwordLength: 48, excludePunctuation: true },
      });
    this.recordFunction = new BillingFunction(this, 'RecordPayment', {
      name: 'record-payment',
      timeout: Duration.seconds(15),
      environment: {
        [billingTable.envVar]: props.billingTable.tableName,
        [deliveryQueue.envVar]: props.deliveryQueue.queueUrl,
        TALLY_EVENT_BUS_NAME: props.eventBus.eventBusName,
        TALLY_WEBHOOK_SECRET_ARN: this.webhookSecret.secretArn,
      },
      ...(props.projectRoot ? { projectRoot: props.projectRoot } : {}),
    });
    const fn = this.recordFunction.fn;
    // Reads by key only (payment, account, notification id, invoice): no index access.
    fn.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['dynamodb:GetItem'],
        resources: [props.billingTable.tableArn],
      }),
    );
    fn.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
        resources: [props.billingTable.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['PAY#*', 'WH#*', 'INV#*'] } },
      }),
    );
    grantTableKey(props.billingTable, fn);
    grantSend(props.deliveryQueue, fn);
    props.eventBus.grantPutEventsTo(fn);
    this.webhookSecret.grantRead(fn);

    this.api = new HttpApi(this, 'Api', { description: 'tally payment webhook: POST /v1/payments/webhook' });
    this.api.addRoutes({
      path: '/v1/payments/webhook',
      methods: [HttpMethod.POST],
      integration: new HttpLambdaIntegration('Webhook', fn),
    });
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', { retention: RetentionDays.ONE_MONTH });
    const stage = this.api.defaultStage?.node.defaultChild as CfnStage | undefined;
    stage?.addPropertyOverride('AccessLogSettings', {
      DestinationArn: accessLogs.logGroupArn,
      Format: JSON.stringify({
        requestId: '$context.requestId',
        ip: '$context.identity.sourceIp',
        status: '$context.status',
        latency: '$context.responseLatency',
        path: '$context.path',
      }),
    });
    stage?.addPropertyOverride('DefaultRouteSettings', {
      ThrottlingBurstLimit: rate * 2,
      ThrottlingRateLimit: rate,
    });

    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'payment providers cannot use IAM or Cognito: every request is authenticated by its HMAC signature',
    });
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG1',
      reason: 'access logging is set on the stage by a property override, which cdk-nag does not see',
    });
    if (!props.webhookSecret) {
      Validations.of(this.webhookSecret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason: 'the signing secret is issued by the payment provider and rotated there, then pasted in',
      });
    }

    // Errors and throttles of record-payment are alarmed by Observability, with every other function's.
  }
}
