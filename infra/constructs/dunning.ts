import { billingTable, deliveryQueue } from '@tally/resources';
import { type CfnElement, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, type IEventBus } from 'aws-cdk-lib/aws-events';
import { Effect, type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import {
  Choice,
  Condition,
  DefinitionBody,
  LogLevel,
  QueryLanguage,
  StateMachine,
  StateMachineType,
  Succeed,
  Wait,
  WaitTime,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { BillingFunction } from './billing-function.js';
import { grantSend, grantTableKey } from './grants.js';

/** State names of the dunning ASL; the local stack overrides the wait of {@link DUNNING_STATES.wait}. */
export const DUNNING_STATES = {
  decide: 'Decide',
  route: 'Route',
  wait: 'WaitUntil',
  act: 'Act',
  done: 'Done',
} as const;

export interface DunningProps {
  /** Invoices (read), receivables accounts `PAY#ACCT#` (read-write), invoice status (paid by credit). */
  readonly billingTable: ITable;
  /** Reminders, final notices, suspended/restored mails go here for deliver-invoice. */
  readonly deliveryQueue: IQueue;
  /** The bus provisioning events go to. Default: a new bus `<stack>-tally-events`. */
  readonly eventBus?: IEventBus;
  /** JSON array of dunning policies (DunningPoliciesSchema). Default: the built-in policies. */
  readonly policies?: string;
  /**
   * Execution timeout. Default 180 days; at most 365 (Standard executions run up to a year). It must exceed the
   * payment terms plus the last policy step.
   */
  readonly timeout?: Duration;
  /** Root of the repository (functions/ lives there). Default the working directory. */
  readonly projectRoot?: string;
}

/**
 * Dunning on Step Functions: a loop driven by the pure dunning policy (`Decide` → wait until the next step
 * → `Decide` …, policy actions through `Act`), one execution per finalized invoice named after it, its
 * provisioning events on an EventBridge bus, an alarm on failed or timed-out executions, full logging.
 * Act answers with the next decision (made on the account it wrote), so Decide runs only at the start and
 * after each wait, where time has passed and a payment may have come in.
 *
 *   Decide ─▶ Route ─ wait ─▶ WaitUntil($.decision.until) ─▶ Decide
 *               ▲   ├ done ─▶ Done
 *               │   └ other ─▶ Act ─┐
 *               └───────────────────┘
 */
export class Dunning extends Construct {
  readonly stateMachine: StateMachine;
  readonly eventBus: IEventBus;
  readonly decideFunction: BillingFunction;
  readonly actFunction: BillingFunction;

  constructor(scope: Construct, id: string, props: DunningProps) {
    super(scope, id);
    const timeout = props.timeout ?? Duration.days(180);
    if (timeout.toDays({ integral: false }) > 365) {
      throw new RangeError(
        `Dunning: timeout ${timeout.toDays()} days exceeds the 365 days a Standard execution may run`,
      );
    }
    if (props.policies !== undefined) {
      try {
        if (!Array.isArray(JSON.parse(props.policies))) throw new Error('not an array');
      } catch (err) {
        throw new RangeError(`Dunning: policies must be a JSON array of policies: ${(err as Error).message}`);
      }
    }
    this.eventBus = props.eventBus ?? new EventBus(this, 'Bus', { description: 'tally provisioning events' });
    const env = {
      [billingTable.envVar]: props.billingTable.tableName,
      [deliveryQueue.envVar]: props.deliveryQueue.queueUrl,
      TALLY_EVENT_BUS_NAME: this.eventBus.eventBusName,
      ...(props.policies !== undefined ? { TALLY_DUNNING_POLICIES: props.policies } : {}),
    };
    const root = props.projectRoot ? { projectRoot: props.projectRoot } : {};
    this.decideFunction = new BillingFunction(this, 'DecideFn', {
      name: 'dunning-decide',
      timeout: Duration.seconds(15),
      environment: env,
      ...root,
    });
    this.actFunction = new BillingFunction(this, 'ActFn', {
      name: 'dunning-act',
      timeout: Duration.seconds(30),
      environment: env,
      ...root,
    });
    const decideFn = this.decideFunction.fn;
    const actFn = this.actFunction.fn;
    // Reads by key only (invoice, account): no index access.
    for (const fn of [decideFn, actFn]) {
      fn.addToRolePolicy(
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: ['dynamodb:GetItem'],
          resources: [props.billingTable.tableArn],
        }),
      );
    }
    // Act writes the receivables account and, when credit settles an invoice, the invoice's status.
    actFn.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['dynamodb:PutItem'],
        resources: [props.billingTable.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['PAY#ACCT#*', 'INV#*'] } },
      }),
    );
    for (const fn of [decideFn, actFn]) grantTableKey(props.billingTable, fn);
    grantSend(props.deliveryQueue, actFn);
    this.eventBus.grantPutEventsTo(actFn);

    // Lambda's own transient errors are retried by LambdaInvoke; a lost compare-and-set race or throttling
    // after the SDK's retries is retried here.
    const transient = {
      errors: ['ConflictError', 'RetryableStoreError'],
      interval: Duration.seconds(2),
      maxAttempts: 5,
      backoffRate: 2,
    };
    const decide = new LambdaInvoke(this, DUNNING_STATES.decide, {
      lambdaFunction: decideFn,
      payloadResponseOnly: true,
      resultPath: '$.decision',
    });
    decide.addRetry(transient);
    const act = new LambdaInvoke(this, DUNNING_STATES.act, {
      lambdaFunction: actFn,
      payloadResponseOnly: true,
      // Act answers with the next decision, so Route follows it without another Decide.
      resultPath: '$.decision',
    });
    act.addRetry(transient);
    const wait = new Wait(this, DUNNING_STATES.wait, {
      time: WaitTime.timestampPath('$.decision.until'),
    });
    const route = new Choice(this, DUNNING_STATES.route)
      .when(Condition.stringEquals('$.decision.action', 'wait'), wait.next(decide))
      .when(Condition.stringEquals('$.decision.action', 'done'), new Succeed(this, DUNNING_STATES.done))
      .otherwise(act);
    act.next(route);
    const logs = new LogGroup(this, 'Logs', {
      retention: RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineType: StateMachineType.STANDARD,
      queryLanguage: QueryLanguage.JSON_PATH,
      definitionBody: DefinitionBody.fromChainable(decide.next(route)),
      timeout,
      tracingEnabled: true,
      logs: { destination: logs, level: LogLevel.ALL, includeExecutionData: true },
      comment: 'tally dunning: one execution per finalized invoice, named after the invoice id',
    });

    const stack = Stack.of(this);
    const role = this.stateMachine.role;
    for (const fn of [decideFn, actFn]) {
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(fn.node.defaultChild as CfnElement)}.Arn>:*]`,
        reason: 'LambdaInvoke grants invoking any version of its own function (ARN:*); no other function',
      });
    }
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray tracing and CloudWatch Logs delivery for Step Functions only accept Resource "*"',
    });

    const period = Duration.minutes(5);
    new Alarm(this, 'FailedExecutionsAlarm', {
      alarmDescription: 'a dunning execution failed: an invoice is no longer being chased (or restored)',
      metric: this.stateMachine.metricFailed({ period, statistic: 'Sum' }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    new Alarm(this, 'TimedOutExecutionsAlarm', {
      alarmDescription: 'a dunning execution timed out before its policy finished: raise the timeout',
      metric: this.stateMachine.metricTimedOut({ period, statistic: 'Sum' }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }

  /** Lets a function start dunning executions (`startDunning`), and gives it the state machine's ARN. */
  grantStart(grantee: IGrantable & { addEnvironment?: (k: string, v: string) => unknown }): void {
    this.stateMachine.grantStartExecution(grantee);
    grantee.addEnvironment?.('TALLY_DUNNING_STATE_MACHINE_ARN', this.stateMachine.stateMachineArn);
  }
}
