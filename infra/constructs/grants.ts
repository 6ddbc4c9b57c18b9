import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { Grant, IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';

/**
 * Grants on tally's tables and queues that include their customer-managed KMS key when there is one, with
 * named actions only: CDK's `grantSendMessages` would add `kms:ReEncrypt*` and `kms:GenerateDataKey*`, and its
 * `table.grant(...)` adds no key actions at all. With AWS-managed encryption these add nothing beyond the
 * table or queue actions.
 */

/**
 * Lets `grantee` use the table's key for the table actions it was granted. DynamoDB calls KMS on the caller's
 * behalf only to decrypt the table key (then cached); items are encrypted with that table key, so reads and
 * writes alike need kms:Decrypt, and kms:DescribeKey to check the key (CDK's `grantReadData` asks for the
 * same two). https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/encryption.howitworks.html
 */
export function grantTableKey(table: ITable, grantee: IGrantable): Grant | undefined {
  return table.encryptionKey?.grant(grantee, 'kms:Decrypt', 'kms:DescribeKey');
}

/**
 * Send to a queue: SendMessage (with the two reads the SDK and Lambda's wiring do), and on an encrypted queue
 * the two key actions a producer needs: kms:GenerateDataKey for the message's data key, kms:Decrypt to reuse a
 * cached one. https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html
 */
export function grantSend(queue: IQueue, grantee: IGrantable): Grant {
  queue.encryptionMasterKey?.grant(grantee, 'kms:GenerateDataKey', 'kms:Decrypt');
  return queue.grant(grantee, 'sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl');
}
