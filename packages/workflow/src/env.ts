/** Environment variables the workflow adapters read (set by infra/ in AWS and by the local stack). */
export const WORKFLOW_ENV = {
  /** ARN of the dunning state machine (StartExecution). */
  dunningStateMachineArn: 'TALLY_DUNNING_STATE_MACHINE_ARN',
  /** Name of the EventBridge bus provisioning events go to. */
  eventBusName: 'TALLY_EVENT_BUS_NAME',
  /** JSON array of dunning policies (DunningPoliciesSchema); the built-in policies when absent. */
  dunningPolicies: 'TALLY_DUNNING_POLICIES',
  /** Local only: the webhook signing secret(s), comma-separated. */
  webhookSecret: 'TALLY_WEBHOOK_SECRET',
  /** AWS: the Secrets Manager secret holding the webhook signing secret(s), comma-separated. */
  webhookSecretArn: 'TALLY_WEBHOOK_SECRET_ARN',
} as const;

/** Source of every event tally puts on the bus. */
export const EVENT_SOURCE = 'tally';
