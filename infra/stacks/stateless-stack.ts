import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { TallyConfig } from '../config.js';
import type { StatefulStack } from './stateful-stack.js';

export interface StatelessStackProps extends StackProps {
  readonly config: TallyConfig;
  readonly stateful: StatefulStack;
}

/** Functions, schedules, state machines and APIs: replaceable without touching data. */
export class StatelessStack extends Stack {
  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    void props;
  }
}
