import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../infra/build-app.js';

/**
 * Synthesizes the CDK app in-process with asset bundling skipped (esbuild bundling is exercised by
 * `npm run synth` and one infra test), and returns the templates of both stacks.
 */
export function synthTemplates(context: Record<string, unknown> = {}): {
  stateful: Template;
  stateless: Template;
} {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
  const { stateful, stateless } = buildApp(app);
  return { stateful: Template.fromStack(stateful), stateless: Template.fromStack(stateless) };
}
