import type { App } from 'aws-cdk-lib';
import { loadConfig } from './config.js';
import { StatefulStack } from './stacks/stateful-stack.js';
import { StatelessStack } from './stacks/stateless-stack.js';

/** Adds tally's stacks to an app; used by infra/app.ts and by the tests (which synth in-process). */
export function buildApp(app: App): { stateful: StatefulStack; stateless: StatelessStack } {
  const config = loadConfig(app.node.tryGetContext('tally'));
  const env = {
    account: config.account ?? process.env.CDK_DEFAULT_ACCOUNT,
    region: config.region ?? process.env.CDK_DEFAULT_REGION,
  };
  const stateful = new StatefulStack(app, `${config.stackPrefix}Stateful`, { config, env });
  const stateless = new StatelessStack(app, `${config.stackPrefix}Stateless`, { config, env, stateful });
  return { stateful, stateless };
}
