import { App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { buildApp } from './build-app.js';

// AWS's own rules (cdk-nag's AwsSolutions pack) over the whole app, in both encryption modes. A finding is
// acknowledged next to the resource it concerns with `Validations.of(construct).acknowledge({ id, reason })`,
// reason written out; this test fails on any finding that is not.
describe.each(['aws-managed', 'customer-managed'])('cdk-nag AwsSolutions (encryption %s)', (encryption) => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], tally: { encryption } } });
  const stacks = buildApp(app);

  it.each(Object.entries(stacks))('%s stack has no unacknowledged findings', (_name, stack) => {
    const report = new AwsSolutionsChecks(app).validateScope(stack);
    const findings = report.violations.flatMap((v) =>
      v.violatingResources.map(
        (r) => `${v.ruleName} at ${r.resourceLogicalId}: ${v.description.split('\n')[0]}`,
      ),
    );
    expect(findings).toEqual([]);
  });
});
