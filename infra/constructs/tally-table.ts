import type { TableDefinition } from '@tally/resources';
import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

export interface TallyTableProps {
  /** The shared definition (keys, indexes, TTL) that the local stack creates too. */
  readonly definition: TableDefinition;
  /** Default RemovalPolicy.RETAIN. */
  readonly removalPolicy?: RemovalPolicy;
  /** A customer-managed key to encrypt with. Default: the AWS-managed key of DynamoDB (`aws/dynamodb`). */
  readonly encryptionKey?: IKey;
}

const TYPE = { S: AttributeType.STRING, N: AttributeType.NUMBER } as const;

/**
 * A DynamoDB table from a tally table definition: on-demand, point-in-time recovery, KMS encryption (the
 * AWS-managed key, or the customer-managed one given),
 * deletion protection, TTL on the definition's expiry attribute.
 */
export class TallyTable extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string, props: TallyTableProps) {
    super(scope, id);
    const { definition: def } = props;
    const retain = (props.removalPolicy ?? RemovalPolicy.RETAIN) === RemovalPolicy.RETAIN;
    this.table = new Table(this, 'Table', {
      partitionKey: { name: def.partitionKey.name, type: TYPE[def.partitionKey.type] },
      ...(def.sortKey ? { sortKey: { name: def.sortKey.name, type: TYPE[def.sortKey.type] } } : {}),
      billingMode: BillingMode.PAY_PER_REQUEST,
      ...(props.encryptionKey
        ? { encryption: TableEncryption.CUSTOMER_MANAGED, encryptionKey: props.encryptionKey }
        : { encryption: TableEncryption.AWS_MANAGED }),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: retain,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      ...(def.ttlAttribute ? { timeToLiveAttribute: def.ttlAttribute } : {}),
    });
    for (const gsi of def.globalIndexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: gsi.indexName,
        partitionKey: { name: gsi.partitionKey.name, type: TYPE[gsi.partitionKey.type] },
        ...(gsi.sortKey ? { sortKey: { name: gsi.sortKey.name, type: TYPE[gsi.sortKey.type] } } : {}),
      });
    }
  }
}
