import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildApp } from './build-app.js';
import { loadConfig } from './config.js';

describe('deployment configuration', () => {
  it('fills the defaults', () => {
    expect(loadConfig(undefined)).toMatchObject({
      stackPrefix: 'Tally',
      usageRetentionDays: 400,
      removal: 'retain',
    });
  });

  it.each([
    [{ usageRetentionDays: 10 }, /tally\.usageRetentionDays/],
    [{ closePeriodsSchedule: 'every hour' }, /tally\.closePeriodsSchedule: a rate expression/],
    [{ dunningPolicies: [{ segment: 'telecom', steps: [] }] }, /tally\.dunningPolicies/],
  ])('names the bad key of %j', (raw, message) => {
    expect(() => loadConfig(raw)).toThrow(message);
  });

  it('passes configured dunning policies to the dunning functions', () => {
    const policies = [
      {
        segment: 'default',
        steps: [
          { action: 'remind', afterDays: 5 },
          { action: 'suspend', afterDays: 15 },
        ],
      },
    ];
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [], tally: { dunningPolicies: policies } } });
    const { stateless } = buildApp(app);
    const fns = Object.values(Template.fromStack(stateless).findResources('AWS::Lambda::Function')).filter(
      (f) => ['dunning-decide', 'dunning-act'].includes(f.Properties.Environment?.Variables?.TALLY_FUNCTION),
    );
    expect(fns).toHaveLength(2);
    for (const f of fns) {
      const configured = JSON.parse(f.Properties.Environment.Variables.TALLY_DUNNING_POLICIES);
      expect(configured[0].steps.map((s: { afterDays: number }) => s.afterDays)).toEqual([5, 15]);
    }
  });
});
