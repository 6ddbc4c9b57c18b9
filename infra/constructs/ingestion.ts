import { billingTable, type QueueDefinition, usageQueue, usageTable } from '@tally/resources';
import { Duration, Validations } from 'aws-cdk-lib';
import { type CfnStage, CorsHttpMethod, HttpApi, HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnTopicRule } from 'aws-cdk-lib/aws-iot';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { BillingFunction } from './billing-function.js';
import { grantSend, grantTableKey } from './grants.js';

export interface IngestionProps {
  /** Raw events (written by ingest). */
  readonly usageTable: ITable;
  /** Catalog (read) and quarantine (written, `Q#` keys only). */
  readonly billingTable: ITable;
  /** The usage queue every producer writes to (IoT rule, HTTP endpoint, direct SendMessage). */
  readonly queue: IQueue;
  /** Its dead-letter queue: an alarm fires on the first message there. */
  readonly deadLetterQueue: IQueue;
  /** The queue definition (visibility timeout, consumer batch settings). Default `usageQueue`. */
  readonly definition?: QueueDefinition;
  /** Days raw events are kept; also the upper end of the dedupe window. Default 400. */
  readonly usageRetentionDays?: number;
  /** MQTT topic filter whose messages the IoT rule forwards to the queue. Default `tally/+/usage`. */
  readonly iotTopicFilter?: string;
  /** Root of the repository (functions/ lives there). Default the working directory. */
  readonly projectRoot?: string;
}

/**
 * Usage ingestion: the ingest function on the usage queue (batches of up to 1,000, partial batch
 * responses), the HTTP API that authenticates producers and enqueues, an IoT Core rule forwarding device
 * messages to the queue, and an alarm on the dead-letter queue.
 */
export class Ingestion extends Construct {
  readonly ingestFunction: BillingFunction;
  readonly httpFunction: BillingFunction;
  readonly api: HttpApi;
  readonly topicRule: CfnTopicRule;

  constructor(scope: Construct, id: string, props: IngestionProps) {
    super(scope, id);
    const def = props.definition ?? usageQueue;
    const consumer = def.consumer;
    if (consumer === undefined) throw new Error(`Ingestion: queue ${def.id} has no consumer definition`);
    const retention = props.usageRetentionDays ?? 400;
    if (!Number.isInteger(retention) || retention < 68) {
      throw new RangeError(
        `Ingestion: usageRetentionDays ${retention} must be an integer ≥ 68 (the acceptance window is 67 days)`,
      );
    }
    // AWS: the queue's visibility timeout should be at least six times the function timeout.
    const timeoutSeconds = Math.floor(def.visibilityTimeoutSeconds / 6);
    if (timeoutSeconds < 10) {
      throw new RangeError(
        `Ingestion: visibility timeout ${def.visibilityTimeoutSeconds} s leaves under 10 s for ingest`,
      );
    }
    const tables = {
      [usageTable.envVar]: props.usageTable.tableName,
      [billingTable.envVar]: props.billingTable.tableName,
    };

    this.ingestFunction = new BillingFunction(this, 'Ingest', {
      name: consumer.functionName,
      timeout: Duration.seconds(timeoutSeconds),
      environment: { ...tables, TALLY_USAGE_RETENTION_DAYS: String(retention) },
      ...(props.projectRoot ? { projectRoot: props.projectRoot } : {}),
    });
    const ingest = this.ingestFunction.fn;
    ingest.addEventSource(
      new SqsEventSource(props.queue, {
        batchSize: consumer.batchSize,
        maxBatchingWindow: Duration.seconds(consumer.maxBatchingWindowSeconds),
        maxConcurrency: consumer.maxConcurrency,
        reportBatchItemFailures: true,
      }),
    );
    // Events: PartiQL INSERTs (BatchExecuteStatement; an INSERT is a conditional write) and the batched reads
    // that tell a duplicate from a conflict; shard plans: reads.
    props.usageTable.grant(ingest, 'dynamodb:PartiQLInsert', 'dynamodb:BatchGetItem', 'dynamodb:GetItem');
    for (const statement of catalogRead(props.billingTable)) ingest.addToRolePolicy(statement);
    ingest.addToRolePolicy(quarantineWrite(props.billingTable));
    grantTableKey(props.usageTable, ingest);
    grantTableKey(props.billingTable, ingest);

    this.httpFunction = new BillingFunction(this, 'HttpIngest', {
      name: 'http-ingest',
      timeout: Duration.seconds(10),
      environment: { ...tables, [def.envVar]: props.queue.queueUrl },
      ...(props.projectRoot ? { projectRoot: props.projectRoot } : {}),
    });
    for (const statement of catalogRead(props.billingTable)) this.httpFunction.fn.addToRolePolicy(statement);
    // Refused events are quarantined too (kept whole for the operator to replay).
    this.httpFunction.fn.addToRolePolicy(quarantineWrite(props.billingTable));
    grantTableKey(props.billingTable, this.httpFunction.fn);
    grantSend(props.queue, this.httpFunction.fn);

    this.api = new HttpApi(this, 'Api', {
      description: 'tally usage ingest: POST /v1/events with x-api-key',
      corsPreflight: {
        allowMethods: [CorsHttpMethod.POST],
        allowOrigins: ['*'],
        allowHeaders: ['content-type', 'x-api-key'],
      },
    });
    this.api.addRoutes({
      path: '/v1/events',
      methods: [HttpMethod.POST],
      integration: new HttpLambdaIntegration('Events', this.httpFunction.fn),
    });
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', { retention: RetentionDays.ONE_MONTH });
    const stage = this.api.defaultStage?.node.defaultChild as CfnStage;
    stage.accessLogSettings = {
      destinationArn: accessLogs.logGroupArn,
      format: JSON.stringify({
        requestId: '$context.requestId',
        ip: '$context.identity.sourceIp',
        status: '$context.status',
        latency: '$context.responseLatency',
        path: '$context.path',
      }),
    };
    stage.defaultRouteSettings = { throttlingBurstLimit: 2000, throttlingRateLimit: 1000 };
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'producers authenticate with x-api-key in the function: the key hash is bound to the customers the ' +
        'producer may report for, a check an API Gateway authorizer could not make per event',
    });

    const iotRole = new Role(this, 'IotRuleRole', {
      assumedBy: new ServicePrincipal('iot.amazonaws.com'),
      description: 'lets the IoT rule put device messages on the usage queue',
    });
    grantSend(props.queue, iotRole);
    const topic = props.iotTopicFilter ?? 'tally/+/usage';
    this.topicRule = new CfnTopicRule(this, 'DeviceRule', {
      topicRulePayload: {
        description: 'device usage and meter readings (CloudEvents JSON, one or an array) to the usage queue',
        sql: `SELECT * FROM '${topic}'`,
        awsIotSqlVersion: '2016-03-23',
        ruleDisabled: false,
        actions: [{ sqs: { queueUrl: props.queue.queueUrl, roleArn: iotRole.roleArn, useBase64: false } }],
      },
    });

    new Alarm(this, 'DeadLetterAlarm', {
      alarmDescription:
        'usage messages reached the DLQ: ingest failed on them 5 times (not bad input: that is quarantined)',
      metric: props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }
}

/**
 * Catalog reads (customers, devices, meters by type, producers, plans) on the base table, and the one index
 * read ingestion makes: a customer's subscriptions (gsi2 `CUSTSUB#<customer>`), for the plan's late-acceptance
 * window. On an index query `dynamodb:LeadingKeys` is the index's partition key.
 */
function catalogRead(table: ITable): PolicyStatement[] {
  return [
    new PolicyStatement({
      effect: Effect.ALLOW,
      actions: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'],
      resources: [table.tableArn],
    }),
    new PolicyStatement({
      effect: Effect.ALLOW,
      actions: ['dynamodb:Query'],
      resources: [`${table.tableArn}/index/*`],
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['CUSTSUB#*'] } },
    }),
  ];
}

/** Quarantine only: writes limited to the `Q#` partition keys the quarantine store owns. */
function quarantineWrite(table: ITable): PolicyStatement {
  return new PolicyStatement({
    effect: Effect.ALLOW,
    actions: ['dynamodb:PutItem', 'dynamodb:BatchWriteItem'],
    resources: [table.tableArn],
    conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['Q#*'] } },
  });
}
