import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { BillingFunction } from './billing-function.js';

export interface ObservabilityProps {
  /** The dunning state machine, for its execution graph. */
  readonly dunningStateMachine: IStateMachine;
  /** Share of ingested inputs quarantined (in five minutes) above which the quarantine alarm fires. Default 0.05. */
  readonly quarantineRateThreshold?: number;
  /** SES account bounce rate above which the bounce alarm fires (AWS reviews accounts above 5 %). Default 0.04. */
  readonly bounceRateThreshold?: number;
}

const PERIOD = Duration.minutes(5);

/** A tally metric as Powertools Metrics emits it: namespace Tally, dimension `service`. */
function tallyMetric(service: string, metricName: string, label = metricName): Metric {
  return new Metric({
    namespace: 'Tally',
    metricName,
    dimensionsMap: { service: `tally-${service}` },
    statistic: 'Sum',
    period: PERIOD,
    label,
  });
}

/**
 * One dashboard for the whole pipeline (ingest rate, duplicates, quarantined, invoices issued, emails sent,
 * dunning executions) and the alarms that are not any single capability's: errors and throttles of every
 * tally function in the stack, the quarantine rate, and the SES bounce rate. Instantiate it last, after the
 * functions exist.
 */
export class Observability extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const quarantineRate = props.quarantineRateThreshold ?? 0.05;
    const bounceRate = props.bounceRateThreshold ?? 0.04;
    if (!(quarantineRate > 0 && quarantineRate < 1)) {
      throw new RangeError(`Observability: quarantineRateThreshold ${quarantineRate} must be in (0, 1)`);
    }
    const functions = scope.node.findAll().filter((c): c is BillingFunction => c instanceof BillingFunction);
    for (const f of functions) {
      new Alarm(this, `${f.node.id}${f.node.addr.slice(0, 6)}Errors`, {
        alarmDescription: `${f.fn.node.path}: the function failed (a record or job will be retried or dead-lettered)`,
        metric: f.fn.metricErrors({ period: PERIOD }),
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      new Alarm(this, `${f.node.id}${f.node.addr.slice(0, 6)}Throttles`, {
        alarmDescription: `${f.fn.node.path}: invocations were throttled (concurrency limit reached)`,
        metric: f.fn.metricThrottles({ period: PERIOD }),
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
    }
    const inputs = tallyMetric('ingest', 'Inputs');
    const quarantined = tallyMetric('ingest', 'Quarantined');
    new Alarm(this, 'QuarantineRate', {
      alarmDescription: `more than ${quarantineRate * 100} % of usage inputs quarantined: a producer sends bad data (tally quarantine list)`,
      metric: new MathExpression({
        expression: 'IF(inputs > 0, quarantined / inputs, 0)',
        usingMetrics: { inputs, quarantined },
        period: PERIOD,
        label: 'quarantine rate',
      }),
      threshold: quarantineRate,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 2,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    new Alarm(this, 'SesBounceRate', {
      alarmDescription: `SES bounce rate above ${bounceRate * 100} %: check billing addresses before AWS pauses sending`,
      metric: new Metric({
        namespace: 'AWS/SES',
        metricName: 'Reputation.BounceRate',
        statistic: 'Maximum',
        period: PERIOD,
      }),
      threshold: bounceRate,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    this.dashboard = new Dashboard(this, 'Dashboard', { defaultInterval: Duration.days(7) });
    this.dashboard.addWidgets(
      new TextWidget({
        markdown: '# tally\nusage in → invoices out → payments and dunning',
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Ingest: every input ends stored, duplicate or quarantined',
        left: [inputs, tallyMetric('ingest', 'Stored'), tallyMetric('ingest', 'Duplicate'), quarantined],
        width: 12,
      }),
      new GraphWidget({
        title: 'Billing: jobs and invoices finalized',
        left: [
          tallyMetric('close-periods', 'Enqueued', 'billing jobs enqueued'),
          tallyMetric('bill-subscription', 'Job_finalized', 'invoices finalized'),
          tallyMetric('bill-subscription', 'JobFailed', 'billing jobs failed'),
        ],
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Email',
        left: [
          tallyMetric('deliver-invoice', 'DeliverySent', 'sent'),
          tallyMetric('deliver-invoice', 'DeliveryFailedPermanent', 'failed permanently'),
          tallyMetric('deliver-invoice', 'DeliverySentUnknown', 'outcome unknown'),
        ],
        width: 12,
      }),
      new GraphWidget({
        title: 'Dunning executions',
        left: [
          props.dunningStateMachine.metricStarted({ period: PERIOD, label: 'started' }),
          props.dunningStateMachine.metricSucceeded({ period: PERIOD, label: 'ended (paid or handed over)' }),
          props.dunningStateMachine.metricFailed({ period: PERIOD, label: 'failed' }),
        ],
        width: 12,
      }),
    );
  }
}
