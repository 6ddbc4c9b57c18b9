import type { CfnTemplate } from '@tally/local-stack';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../../infra/build-app.js';

/**
 * The stateless stack's CloudFormation template, synthesized in-process with bundling skipped: the local
 * runtime takes the dunning state machine's ASL from it, so what runs here is what deploys.
 */
export function statelessTemplate(): CfnTemplate {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const { stateless } = buildApp(app);
  return Template.fromStack(stateless).toJSON() as CfnTemplate;
}
