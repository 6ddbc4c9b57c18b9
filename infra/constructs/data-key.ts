import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

export interface DataKeyProps {
  /** The alias, without `alias/` (letters, digits, `/`, `_`, `-`; not starting with `aws/`). */
  readonly alias: string;
  /** Default RemovalPolicy.RETAIN. With DESTROY, KMS deletes the key after the pending window. */
  readonly removalPolicy?: RemovalPolicy;
  /** Days KMS waits before deleting a removed key (7 to 30). Default 30. */
  readonly pendingWindowDays?: number;
}

/**
 * The customer-managed KMS key tally's tables and queues are encrypted with when the deployment asks for it:
 * symmetric, yearly automatic rotation, an alias so people find it. The key policy is CDK's default (the account
 * may delegate use through IAM); functions receive exactly the key actions of their table and queue grants.
 */
export class DataKey extends Construct {
  readonly key: Key;

  constructor(scope: Construct, id: string, props: DataKeyProps) {
    super(scope, id);
    if (!/^[a-zA-Z0-9/_-]{1,250}$/.test(props.alias) || props.alias.startsWith('aws/')) {
      throw new Error(
        `DataKey: alias "${props.alias}" must be letters, digits, / _ - and not start with aws/`,
      );
    }
    const days = props.pendingWindowDays ?? 30;
    if (!Number.isInteger(days) || days < 7 || days > 30) {
      throw new RangeError(`DataKey: pendingWindowDays ${days} must be a whole number from 7 to 30`);
    }
    this.key = new Key(this, 'Key', {
      description: 'tally: encryption at rest of the usage and billing tables and the queues',
      enableKeyRotation: true,
      alias: `alias/${props.alias}`,
      pendingWindow: Duration.days(days),
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
  }
}
