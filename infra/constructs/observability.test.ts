import { Match, type Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { synthTemplates } from '../../test/support/synth.js';

describe('Observability', () => {
  const template: Template = synthTemplates().stateless;
  const json = template.toJSON() as { Resources: Record<string, { Type: string; Properties: any }> };
  const functions = Object.values(json.Resources).filter(
    (r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Environment?.Variables?.TALLY_FUNCTION,
  );

  it('alarms on errors and throttles of every tally function', () => {
    for (const metric of ['Errors', 'Throttles']) {
      const alarms = Object.values(json.Resources).filter(
        (r) =>
          r.Type === 'AWS::CloudWatch::Alarm' &&
          r.Properties.MetricName === metric &&
          r.Properties.Namespace === 'AWS/Lambda',
      );
      expect(alarms.length).toBe(functions.length);
    }
  });

  it('alarms when more than 5 % of inputs are quarantined', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Threshold: 0.05,
      Metrics: Match.arrayWith([Match.objectLike({ Expression: 'IF(inputs > 0, quarantined / inputs, 0)' })]),
    });
  });

  it('alarms on the SES bounce rate', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Reputation.BounceRate',
      Namespace: 'AWS/SES',
    });
  });

  it('has one dashboard with ingest, billing, email and dunning graphs', () => {
    const dashboards = Object.values(json.Resources).filter((r) => r.Type === 'AWS::CloudWatch::Dashboard');
    expect(dashboards).toHaveLength(1);
    const body = JSON.stringify(dashboards[0]!.Properties.DashboardBody);
    for (const title of [
      'Ingest',
      'Billing',
      'Email',
      'Dunning executions',
      'Quarantined',
      'Job_finalized',
      'DeliverySent',
    ]) {
      expect(body).toContain(title);
    }
  });
});
